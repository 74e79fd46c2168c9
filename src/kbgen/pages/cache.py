"""Pages kept between renders, for a process that renders again and again
(kbgen serve): kbgen.pages.render.render_pages(kb, cache=PageCache())."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model.entities import Entity, KnowledgeBase
    from .page import Page


@dataclasses.dataclass
class Kept:
    key: tuple     # the entity's own inputs (entity_key)
    reads: dict    # what its page read of other entities: (function, args) -> answer (kbgen.pages.linker.Linker)
    page: Page


class PageCache:
    """The pages of the last render, for a process that renders again and
    again (kbgen serve). An entity's page is rendered anew only when its own
    inputs changed (its source text, its reading, its facts) or when one of
    the things it read of other entities (a link's target, a title, a code,
    a tier: kbgen.pages.linker.Linker.read) answers differently now: so a page
    added to the KB renders only itself, the pages that link to it and the
    listings. Everything is rendered anew when what every page may print
    changes (the audience, the date, the site's URL, the products). Listings
    are made anew when any entity's id, page, title, summary or products
    changed. A KB with kinds of its own is always rendered whole (their
    pages may read anything)."""

    def __init__(self) -> None:
        self.signature: tuple | None = None          # what every entity page may print
        self.listing_signature: tuple | None = None  # ... and what listings print
        self.entries: dict[str, Kept] = {}           # page path -> what was rendered there
        self.listings: dict[str, Page] = {}
        self.rendered = 0   # pages rendered by the last call (the rest came from the cache)

    def start(self, kb: KnowledgeBase, directory_urls: bool) -> tuple[bool, bool]:
        """Whether kept entity pages, and kept listings, may be used for this render."""
        if any(not type(k).__module__.startswith("kbgen.") for k in kb.config.kinds):
            self.signature = self.listing_signature = None
            self.entries.clear()
            self.listings.clear()
            return False, False
        cfg = kb.config
        sig = (directory_urls, kb.audience, cfg.today, cfg.site_url, repr(cfg.options.products))
        listing = _listing_signature(kb)
        pages_ok = sig == self.signature
        listings_ok = pages_ok and listing == self.listing_signature
        if not pages_ok:
            self.entries.clear()
        if not listings_ok:
            self.listings.clear()
        self.signature, self.listing_signature = sig, listing
        return pages_ok, listings_ok

    def kept(self, kb: KnowledgeBase, ent: Entity, key: tuple) -> Page | None:
        """The page kept for ent, when it is what rendering it now would make."""
        kept = self.entries.get(ent.page)
        if kept is None or kept.key != key:
            return None
        for (fn, args), answer in kept.reads.items():
            if fn(kb, *args) != answer:
                return None
        return copy_page(kept.page)


def _listing_signature(kb: KnowledgeBase) -> tuple:
    """What listings print of the entities (and the folder index pages of the
    pages there are): ids, types, pages, audiences, titles, summaries, products."""
    out: list = [tuple(sorted(kb.assets_set or kb.assets))]
    for e in kb.entities.values():
        out.append((e.id, e.type, e.page, e.url, e.audience, e.parent, e.title, e.summary, tuple(e.products)))
    return tuple(out)


def entity_key(ent: Entity) -> tuple:
    """The inputs of an entity's own page (strings kept by identity: an
    unchanged file's text is the same object, so comparing is cheap). What
    it prints of other entities is checked by its reads (PageCache.kept)."""
    md = ent.doc.md
    return (ent.type, ent.doc.rel, ent.doc.text, md.text if md is not None else None, ent.owner,
            ent.last_reviewed, str(ent.review_every), tuple(ent.tags), ent.audience, ent.id, ent.title, ent.summary,
            tuple(ent.products), ent.url)


def copy_page(page: Page) -> Page:
    # callers may change a page (a stage adds to it): the kept one stays as rendered
    return dataclasses.replace(page)
