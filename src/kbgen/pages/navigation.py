"""The site's navigation, for any renderer: every page the site builds is
in it, once. kbgen.site.stage writes it into the staged mkdocs.yml;
kbgen.pages.render adds the index pages of folders too big for it
... nothing: every page is in it.

Its shape, from the top:

- Home;
- the writers' articles, by folder (`content/getting-help/` -> "Getting help");
- Products: each product (the order of the option `products`) with its
  overview page and the pages in its folder (`content/products/<id>/`);
- a section per kind of content (Runbooks, Error codes, FAQ, ...), opened by
  the kind's listing and holding every page of the kind, wherever its file
  is: error tables are under Error codes whatever folder they sit in, SLAs
  under Service levels. Kinds with a `nav_group` share one section (Support:
  service levels, support tiers, contacts, templates);
- Tags.

No section holds more than `nav_limit` entries: a longer one is split into
parts (content-defined, kbgen.pages.chunks, so an edit moves one part), as
deep as needed. Material's navigation.prune (turned on for big sites by
kbgen.site.stage) prints only the open branch, so a page carries the top
level and at most `nav_limit` links per level of its own branch.
"""
from __future__ import annotations

import html
import posixpath
from dataclasses import dataclass, field

from ..model.entities import KnowledgeBase
from .chunks import chunked
from .listings import PARTS, parts_stem

GENERATED = ("runbooks/", "products/", "error-codes/", "browse/")  # the core's own sections

ACRONYMS = {"faq": "FAQ", "sla": "SLA", "slas": "SLAs", "api": "API", "kb": "KB", "it": "IT"}


def folder_title(folder: str) -> str:
    """A navigation title for a folder: "getting-help" -> "Getting help", "sla" -> "SLA"."""
    words = posixpath.basename(folder).replace("_", "-").split("-")
    out = [ACRONYMS.get(w.lower(), w) for w in words]
    if out and out[0] == words[0]:
        out[0] = out[0].capitalize()
    return " ".join(out)


@dataclass
class _Section:
    name: str                                   # folder path ("" for the top)
    pages: list[str] = field(default_factory=list)
    subs: dict[str, "_Section"] = field(default_factory=dict)


def _tree(paths, base: str = "") -> _Section:
    """The folders of `paths` below `base` (a folder path, "" for the top)."""
    root = _Section(base)
    cut = len(base) + 1 if base else 0
    for p in paths:
        node = root
        parts = p[cut:].split("/")[:-1]
        for i in range(len(parts)):
            name = posixpath.join(base, *parts[: i + 1])
            node = node.subs.setdefault(name, _Section(name))
        node.pages.append(p)
    return root


class _Nav:
    """The navigation of one view's pages ({path: kbgen.pages.page.Page})."""

    def __init__(self, kb: KnowledgeBase, pages: dict):
        self.kb, self.pages = kb, pages
        self.limit = max(2, kb.config.options.nav_limit)
        self.title_of = {p: pg.title for p, pg in pages.items()}
        self.parts = sorted(p for p in pages if p.startswith(PARTS))

    def title(self, p: str) -> str:
        return self.title_of[p]

    def entry(self, p: str, title: str | None = None) -> dict:
        return {title or self.title_of[p]: p}

    def by_title(self, paths) -> list[str]:
        return sorted(paths, key=lambda p: (self.title_of[p].lower(), p))

    def fit(self, items: list) -> list:
        """items (navigation entries, in order) in parts of at most nav_limit,
        nested as deep as needed; each part is titled by its first and last page."""
        while len(items) > self.limit:
            parts = chunked(items, key=lambda item: _first(item)[1], limit=self.limit)
            items = [{f"{_first(part[0])[0][:30]} – {_last(part)[:30]}": part} for part in parts]
        return items

    def listing(self, index: str) -> list:
        """A listing page's entry and, for a listing in parts, its parts."""
        stem = parts_stem(index)
        mine = [p for p in self.parts if p.rsplit("-", 1)[0] == stem]
        out: list = [index]
        if mine:
            out.append({f"{self.title_of[index]}, in parts": self.fit([self.entry(p) for p in mine])})
        return out

    def folder(self, sec: _Section, skip=()) -> list:
        """A writers' folder: its own page (Material's navigation.indexes), its
        pages by title, then its subfolders."""
        own = f"{sec.name}/index.md" if sec.name else "index.md"
        head = [own] if own in sec.pages and own not in skip else []
        pages = [self.entry(p) for p in self.by_title(p for p in sec.pages if p != own and p not in skip)]
        subs = [{folder_title(name): self.folder(sub, skip)} for name, sub in sorted(sec.subs.items())]
        return head + self.fit(pages + [s for s in subs if next(iter(s.values()))])


def nav(kb: KnowledgeBase, pages: dict) -> tuple[list, dict[str, tuple[str, str]]]:
    """The navigation of `pages` ({path: kbgen.pages.page.Page}), every page in
    it, and the pages it needs that `pages` does not have ({path: (title,
    markdown)}; none today: kept for the stage's interface)."""
    n = _Nav(kb, pages)
    kinds = kb.config.kinds
    by_kind: dict[str, list[str]] = {}
    for p, pg in pages.items():
        ent = kb.entities.get(pg.entity_id) if pg.entity_id else None
        if ent is not None and ent.kind is not None and not ent.kind.in_folders and p != "index.md":
            by_kind.setdefault(ent.kind.type, []).append(p)
    placed = {p for ps in by_kind.values() for p in ps}
    listings = {k.index_path for k in kinds}
    writers = [p for p in pages if p not in placed and p not in listings and not p.startswith(GENERATED)
               and p not in ("index.md", "tags.md")]
    top: dict[str, list] = {}
    order: list = []
    if "index.md" in pages:
        order.append({"Home": "index.md"})
    tree = _tree(writers)
    loose = [n.entry(p) for p in n.by_title(tree.pages)]
    folders = [{folder_title(name): n.folder(sub)} for name, sub in sorted(tree.subs.items())]
    if len(loose) > n.limit:
        loose = [{"Pages": n.fit(loose)}]
    for item in loose + (n.fit(folders) if len(loose) + len(folders) > n.limit else folders):
        _add(top, order, item)
    products = _products(n, kb, pages, placed)
    if products:
        _add(top, order, {"Products": products})
    for kind in kinds:
        own = by_kind.get(kind.type, [])
        index = kind.index_path if kind.index_path in pages else None
        if not own and index is None:
            continue
        entries = (n.listing(index) if index else []) + n.fit([n.entry(p) for p in n.by_title(own)])
        section = {kind.title: entries}
        _add(top, order, {kind.nav_group: [section]} if kind.nav_group else section)
    if "tags.md" in pages:
        order.append({"Tags": "tags.md"})
    return escape_titles(order), {}


def _add(top: dict[str, list], order: list, item) -> None:
    """Add a top-level entry; a section whose title is taken joins the one
    there (a writers' folder "Support" and kbgen's Support section are one)."""
    if isinstance(item, dict):
        (title, value), = item.items()
        if isinstance(value, list):
            if title in top:
                top[title].extend(value)
                return
            top[title] = value
    order.append(item)


def _products(n: _Nav, kb: KnowledgeBase, pages: dict, placed: set[str]) -> list:
    """Products: its listing, then each product's overview page and its folder."""
    if "products/index.md" not in pages:
        return []
    mine = [p for p in pages if p.startswith("products/") and p not in placed and p != "products/index.md"]
    out: list = n.listing("products/index.md")
    taken: set[str] = set()
    for product in kb.config.options.products:
        overview = f"products/{product.id}.md"
        folder = f"products/{product.id}"
        inside = [p for p in mine if p.startswith(folder + "/")]
        taken |= set(inside) | {overview}
        entries = (n.listing(overview) if overview in pages else []) + n.folder(_tree(inside, folder))
        if not entries:
            continue
        if len(entries) == 1 and isinstance(entries[0], str):
            out.append({product.name: entries[0]})
        else:
            if isinstance(entries[0], str) and entries[0] == overview:
                entries[0] = {"Overview": overview}
            out.append({product.name: entries})
    rest = [p for p in mine if p not in taken]
    return out + n.fit([n.entry(p) for p in n.by_title(rest)])


def _first(item) -> tuple[str, str]:
    """(title, path) of the first page of a navigation entry."""
    if isinstance(item, str):
        return item, item
    (title, value), = item.items()
    if isinstance(value, list):
        return _first(value[0])
    return title, value


def _last(items: list) -> str:
    item = items[-1]
    while isinstance(item, dict):
        (title, value), = item.items()
        if not isinstance(value, list):
            return title
        item = value[-1]
    return item


def escape_titles(nav_list):
    """Navigation titles HTML-escaped: the theme prints them into every page
    as they are (a page title is writers' text)."""
    if isinstance(nav_list, list):
        return [escape_titles(item) for item in nav_list]
    if isinstance(nav_list, dict):
        return {html.escape(" ".join(str(k).split()), quote=True): escape_titles(v) for k, v in nav_list.items()}
    return nav_list


def count_links(nav_list) -> int:
    if isinstance(nav_list, dict):
        return sum(count_links(v) for v in nav_list.values())
    if isinstance(nav_list, list):
        return sum(count_links(v) for v in nav_list)
    return 1


def filter_nav(nav_list, allowed: set[str], hidden: set[str], rename: dict[str, str]):
    """A writer's own `nav:`, keeping only what this build may name: entries
    for pages of the view (sources mapped to their pages), external links,
    and names of files that do not exist (MkDocs then warns, as it would).
    Entries for files that exist but are not in this view are dropped, their
    titles with them; sections left empty are dropped too."""
    def walk(item):
        if isinstance(item, list):
            out = [x for x in (walk(i) for i in item) if x is not None]
            return out or None
        if isinstance(item, dict):
            out = {}
            for k, v in item.items():
                w = walk(v)
                if w is not None:
                    out[k] = w
            return out or None
        if not isinstance(item, str):
            return None
        if "://" in item or item.startswith(("/", "#", "mailto:")):
            return item
        target = rename.get(posixpath.normpath(item), posixpath.normpath(item))
        if target in allowed:
            return target
        if posixpath.normpath(item) in hidden or target in hidden:
            return None
        return item
    return escape_titles(walk(nav_list) or [])
