"""Pages kept between renders, for a process that renders again and again
(kbgen serve): kbgen.pages.render_pages(kb, cache=PageCache())."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Entity, KnowledgeBase
    from .pages import Page


class PageCache:
    """The pages of the last render, for a process that renders again and
    again (kbgen serve): an entity's page is rendered anew only when its
    own inputs changed (its source text, its reading, its facts) or when
    something pages print about other entities changed (the KB's signature:
    ids, titles, pages, audiences, codes, tiers, priorities, assets, today);
    listings are made anew when that or a summary or products changed. A KB
    with kinds of its own is always rendered whole (their pages may print
    anything)."""

    def __init__(self) -> None:
        self.signature: tuple | None = None          # what entity pages print about others
        self.listing_signature: tuple | None = None  # ... and what listings print
        self.entries: dict[str, tuple[tuple, Page]] = {}   # page path -> (entity key, page)
        self.listings: dict[str, Page] = {}
        self.rendered = 0   # pages rendered by the last call (the rest came from the cache)

    def start(self, kb: KnowledgeBase, directory_urls: bool) -> tuple[bool, bool]:
        """Whether kept entity pages, and kept listings, may be used for this render."""
        if any(not type(k).__module__.startswith("kbgen.") for k in kb.config.kinds):
            self.signature = self.listing_signature = None
            self.entries.clear()
            self.listings.clear()
            return False, False
        sig, listing = _signatures(kb, directory_urls)
        pages_ok = sig == self.signature
        listings_ok = pages_ok and listing == self.listing_signature
        if not pages_ok:
            self.entries.clear()
        if not listings_ok:
            self.listings.clear()
        self.signature, self.listing_signature = sig, listing
        return pages_ok, listings_ok


def _signatures(kb: KnowledgeBase, directory_urls: bool) -> tuple[tuple, tuple]:
    """(what any entity's page may print about others: link targets, codes,
    tier and priority names; what listings print besides: titles, summaries
    and products). The titles a page prints of the entities it names are in
    its own key (entity_key), so a new title renders only those pages again."""
    cfg = kb.config
    out: list = [directory_urls, kb.audience, cfg.today, cfg.site_url, repr(cfg.options.products),
                 tuple(sorted(kb.assets_set or kb.assets))]
    listed: list = []
    for e in kb.entities.values():
        out.append((e.id, e.type, e.page, e.url, e.audience, e.parent))
        listed.append((e.title, e.summary, tuple(e.products)))
        code = e.kind.code(e) if e.kind else None
        if code is not None:
            out.append((code, e.obj.message, e.obj.runbook, e.obj.severity))
        for attr in ("aliases", "error_codes"):
            out.append(tuple(str(x) for x in getattr(e.obj, attr, None) or ()))
        for part in ("tiers", "priorities"):
            out.append(tuple((str(x.id), x.name) for x in getattr(e.obj, part, None) or ()))
    return tuple(out), tuple(listed)


def entity_key(kb: KnowledgeBase, ent: Entity, aliases: dict) -> tuple:
    """The inputs of an entity's own page (strings kept by identity: an
    unchanged file's text is the same object, so comparing is cheap), with
    the titles it prints of the entities it names: its related pages and the
    runbooks its entries point at (kbgen.kinds: references to runbooks)."""
    md = ent.doc.md
    named = [*ent.related, *(r.value for r in ent.kind.references(ent) if r.to == "runbook")]
    titles = []
    for ident in named:
        other = kb.entities.get(ident) or aliases.get(ident)
        titles.append((ident, other.title if other is not None else None))
    return (ent.type, ent.doc.rel, ent.doc.text, md.text if md is not None else None, ent.owner,
            ent.last_reviewed, str(ent.review_every), tuple(ent.tags), ent.audience, tuple(titles))


def copy_page(page: Page) -> Page:
    # callers may change a page (a stage adds to it): the kept one stays as rendered
    return dataclasses.replace(page)
