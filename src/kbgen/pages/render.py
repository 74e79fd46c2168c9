"""Every page of the site as Markdown, for any renderer: each entity's page
(kbgen.pages.entity) and the kinds' listings (kbgen.pages.listings), keyed
by docs-relative path. The kb must already be filtered by audience
(kbgen.model.audience.for_audience). MkDocs is not imported here: the site
adapter hands these pages to it."""
from __future__ import annotations

from pathlib import Path

from ..model.entities import KnowledgeBase
from ..rules.freshness import with_overdue_notice  # internal readers see overdue reviews
from .cache import Kept, PageCache, copy_page, entity_key
from .entity import environment, render_entity
from .linker import Linker
from .listings import index_pages
from .page import Page, tidy


def render_pages(kb: KnowledgeBase, directory_urls: bool = True, cache: PageCache | None = None) -> dict[str, Page]:
    """directory_urls: the renderer's URL style (False for offline sites);
    raw HTML links are written as URLs, which the renderer does not map.
    cache: pages kept from the last render (PageCache)."""
    env = environment(kb)
    reuse, reuse_listings = cache.start(kb, directory_urls) if cache is not None else (False, False)
    pages: dict[str, Page] = {}
    rendered = 0
    for ent in kb.by_source.values():
        if ent.id not in kb.entities or kb.entities[ent.id] is not ent:
            continue
        key = entity_key(ent) if cache is not None else ()
        kept = cache.kept(kb, ent, key) if cache is not None and reuse else None
        if kept is not None:
            pages[ent.page] = kept
            continue
        linker = Linker(kb, ent.page)
        page = with_overdue_notice(kb, ent, render_entity(kb, ent, env, directory_urls, linker))
        if not page.verbatim:
            page.markdown = tidy(page.markdown)
        rendered += 1
        pages[ent.page] = page
        if cache is not None:
            cache.entries[ent.page] = Kept(key, linker.reads, copy_page(page))
    if cache is not None and reuse_listings and cache.listings:
        listings = {path: copy_page(p) for path, p in cache.listings.items()}
    else:
        listings = {}
        for path, page in index_pages(kb).items():
            if path not in pages:
                listings[path] = page
        for page in listings.values():
            if not page.verbatim:
                page.markdown = tidy(page.markdown)
        rendered += len(listings)
        if cache is not None:
            cache.listings = {path: copy_page(p) for path, p in listings.items()}
    if cache is not None:
        cache.rendered = rendered
        for gone in set(cache.entries) - set(pages):
            del cache.entries[gone]
    pages.update(listings)
    return dict(sorted(pages.items()))


def write_pages(pages: dict[str, Page], out_dir: Path) -> None:
    """Write pages as plain Markdown files (for another renderer, or to inspect)."""
    for path, page in pages.items():
        target = out_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.markdown, encoding="utf-8")
