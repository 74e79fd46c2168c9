"""The site's navigation, for any renderer, and the index pages of the
folders it has no room for. kbgen.site.stage writes the navigation into the
staged mkdocs.yml; kbgen.pages.render adds the index pages of folders too
big for the navigation (folder_indexes) to the content pages.

Navigation has a budget for the whole tree (NAV_BUDGET links), not per
section: a renderer that prints the navigation into every page (Material
does, even with navigation.prune it prints the top level) then prints a
bounded amount whatever the folder shape. A section that does not fit shows
only its index page, and every index page lists all pages below it (in
chunks of at most INDEX_CHUNK links), so every page is at most three clicks
from home: home -> section index -> chunk -> page.
"""
from __future__ import annotations

import html
import posixpath
from dataclasses import dataclass, field

from ..model.entities import KnowledgeBase
from ..text import escape
from ..text.anchors import relative
from .chunks import INDEX_CHUNK, chunked
from .listings import listing_page

NAV_BUDGET = 100      # links in the whole navigation

GENERATED = ("runbooks/", "products/", "error-codes/", "browse/")  # the core's own sections

ACRONYMS = {"faq": "FAQ", "sla": "SLA", "slas": "SLAs", "api": "API", "kb": "KB", "it": "IT"}


def folder_title(folder: str) -> str:
    """A navigation title for a folder: "getting-help" -> "Getting help", "sla" -> "SLA"."""
    words = posixpath.basename(folder).replace("_", "-").split("-")
    out = [ACRONYMS.get(w.lower(), w) for w in words]
    if out and out[0] == words[0]:
        out[0] = out[0].capitalize()
    return " ".join(out)


# -- section index pages ----------------------------------------------------

def _listing(title: str, path: str, links: list[tuple[str, str]], intro: str = "") -> str:
    lines = ["---", f"title: {escape.theme_text(title)}", "---", "", f"# {escape.text(title)}", ""]
    if intro:
        lines += [intro, ""]
    here = posixpath.dirname(path)
    for target, label in links:
        lines.append(f"- [{escape.text(label)}]({relative(target, here)})")
    return "\n".join(lines) + "\n"


def index_pages_for(folder: str, title: str, pages: list[tuple[str, str]], taken) -> dict[str, tuple[str, str]]:
    """Index pages listing `pages` ((path, title), sorted) under `folder`:
    one page, or a page of chunks when they are more than INDEX_CHUNK.
    Returns {path: (title, markdown)}; the first key is the section's index."""
    prefix = f"{folder}/" if folder else ""
    base = f"{prefix}index.md" if folder and f"{prefix}index.md" not in taken else f"{prefix}all-pages.md"
    if len(pages) <= INDEX_CHUNK:
        return {base: (title, _listing(title, base, pages))}
    out: dict[str, tuple[str, str]] = {}
    chunks = chunked(pages, key=lambda p: p[0])
    entries = []
    stem = base[:-3]
    for n, chunk in enumerate(chunks, 1):
        first, last = chunk[0][1], chunk[-1][1]
        ctitle = f"{title}: {first[:30]} – {last[:30]}"
        cpath = f"{stem}-{n}.md"
        out[cpath] = (ctitle, _listing(ctitle, cpath, chunk))
        entries.append((cpath, ctitle))
    return {base: (title, _listing(title, base, entries, f"{len(pages)} pages, in {len(chunks)} parts.")), **out}


# -- navigation -------------------------------------------------------------

@dataclass
class _Section:
    name: str                                   # folder path ("" for the writers' top level)
    pages: list[str] = field(default_factory=list)
    subs: dict[str, "_Section"] = field(default_factory=dict)

    def all_pages(self) -> list[str]:
        out = list(self.pages)
        for s in self.subs.values():
            out += s.all_pages()
        return out


def _tree(paths) -> _Section:
    root = _Section("")
    for p in paths:
        node = root
        parts = p.split("/")[:-1]
        for i in range(len(parts)):
            name = "/".join(parts[: i + 1])
            node = node.subs.setdefault(name, _Section(name))
        node.pages.append(p)
    return root


def nav(kb: KnowledgeBase, pages: dict) -> tuple[list, dict[str, tuple[str, str]]]:
    """The navigation for `pages` ({path: kbgen.pages.page.Page}) within NAV_BUDGET links,
    and the index pages it needs ({path: (title, markdown)}) that `pages`
    does not have yet. Sections are expanded breadth-first while the budget
    lasts; one that does not fit (or has more than nav_limit entries) is its
    index page alone."""
    limit = kb.config.options.nav_limit
    title_of = {p: pg.title for p, pg in pages.items()}
    extra: dict[str, tuple[str, str]] = {}
    writers = sorted(p for p in pages if not p.startswith(GENERATED) and p not in ("index.md", "tags.md"))
    tree = _tree(writers)

    def by_title(p: str):
        return (title_of[p].lower(), p)

    def collapsed(sec: _Section) -> list:
        """A section shown as its index page: one that lists every page below
        it (the core's folder index, or one made here), after the writers' own."""
        own = f"{sec.name}/index.md"
        if own in pages and pages[own].entity_id is None:
            return [own]  # generated: it lists the folder
        listed = sorted((p for p in sec.all_pages() if p != own), key=by_title)
        made = index_pages_for(sec.name, folder_title(sec.name), [(p, title_of[p]) for p in listed],
                               set(title_of) | set(extra))
        for path, (t, md) in made.items():
            title_of[path] = t
            extra[path] = (t, md)
        first = next(iter(made))
        return [own, {"All pages": first}] if first != own else [own]

    budget = NAV_BUDGET
    # top level: home, the writers' sections and pages, then the core's sections
    top: list = []
    if "index.md" in pages:
        top.append({"Home": "index.md"})
    core = ["runbooks/index.md", "error-codes/index.md", "products/index.md", "browse/"]
    budget -= len(top) + len(tree.subs) + len(tree.pages) + len(core)
    slots: list[tuple[_Section, list]] = []   # sections whose entries wait for budget, breadth first
    loose = sorted(tree.pages, key=by_title)
    if len(loose) <= limit and budget >= 0:
        top.extend({title_of[p]: p} for p in loose)
    elif loose:
        # too many pages at the top: one entry, an index that lists them (in chunks)
        budget += len(loose) - 1
        made = index_pages_for("", "All pages", [(p, title_of[p]) for p in loose], set(title_of))
        for path, (t, md) in made.items():
            title_of[path] = t
            extra[path] = (t, md)
        top.append({"All pages": next(iter(made))})
    for name in sorted(tree.subs):
        entry: list = []
        top.append({folder_title(name): entry})
        slots.append((tree.subs[name], entry))
    while slots:
        sec, entry = slots.pop(0)
        own = f"{sec.name}/index.md"
        children = [p for p in sec.pages if p != own]
        cost = len(children) + len(sec.subs)
        if cost <= limit and cost <= budget:
            budget -= cost
            if own in title_of:
                entry.append(own)  # Material's navigation.indexes: the section's own page
            for p in sorted(children, key=by_title):
                entry.append({title_of[p]: p})
            for name in sorted(sec.subs):
                sub: list = []
                entry.append({folder_title(name): sub})
                slots.append((sec.subs[name], sub))
        else:
            entry.extend(collapsed(sec))
    top += _core_nav(pages, title_of, limit, budget)
    if "tags.md" in pages:
        top.append({"Tags": "tags.md"})
    return escape_titles(top), extra


def escape_titles(nav_list):
    """Navigation titles HTML-escaped: the theme prints them into every page
    as they are (a page title is writers' text)."""
    if isinstance(nav_list, list):
        return [escape_titles(item) for item in nav_list]
    if isinstance(nav_list, dict):
        return {html.escape(" ".join(str(k).split()), quote=True): escape_titles(v) for k, v in nav_list.items()}
    return nav_list


def _core_nav(pages, title_of, limit: int, budget: int) -> list:
    out: list = []
    rb = sorted((p for p in pages if p.startswith("runbooks/") and p != "runbooks/index.md"),
                key=lambda p: (title_of[p].lower(), p))
    listed = rb if len(rb) <= min(limit, max(budget, 0)) else []
    budget -= len(listed)
    out.append({"Runbooks": ["runbooks/index.md"] + [{title_of[p]: p} for p in listed]})
    out.append({"Error codes": "error-codes/index.md"})
    prods = sorted(p for p in pages if p.startswith("products/") and p != "products/index.md")
    if "products/index.md" in pages:
        shown = prods if len(prods) <= min(limit, max(budget, 0)) else []
        budget -= len(shown)
        out.append({"Products": ["products/index.md"] + [{title_of[p]: p} for p in shown]})
    browse = sorted(p for p in pages if p.startswith("browse/") and not p.startswith("browse/parts/"))  # parts: from their listing
    if browse:
        out.append({"Browse": [{title_of[p]: p} for p in browse]})
    return out


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


def folder_indexes(kb: KnowledgeBase, pages: dict) -> dict:
    """An index page for each writers' top folder too big for nav_limit (kept
    for kbgen.pages.render.render_pages; kbgen.site.stage makes the rest with nav())."""
    limit = kb.config.options.nav_limit
    folders: dict[str, list] = {}
    for path, page in pages.items():
        if "/" in path and not path.startswith(GENERATED):
            folders.setdefault(path.split("/", 1)[0], []).append(page)
    out = {}
    for folder, items in folders.items():
        index = f"{folder}/index.md"
        if len(items) > limit and index not in pages and len(items) <= INDEX_CHUNK:
            ents = sorted((kb.entities[p.entity_id] for p in items if p.entity_id in kb.entities),
                          key=lambda e: (e.title.lower(), e.id))
            out[index] = listing_page(folder_title(folder), index, "", [("", ents)], kb)
    return out
