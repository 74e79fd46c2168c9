"""The site's shape, for any renderer: navigation, section index pages and
redirect pages. Renderer-side: kbgen.stage writes what these return into the
staged site project; the core (kbgen.pages) only makes the content pages.

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
import re
import zlib
from dataclasses import dataclass, field

from .model.entities import KnowledgeBase
from .text.anchors import code_anchor, page_url, relative

NAV_BUDGET = 100      # links in the whole navigation
INDEX_CHUNK = 150     # links on one generated index page
CHUNK_MIN = 40        # a part of a long listing is cut at a boundary only past this many entries
CHUNK_ODDS = 50       # about one entry in this many is a boundary...
CHUNK_LONG = 110      # ...and, past this many entries in a part, one in CHUNK_ODDS_LONG
CHUNK_ODDS_LONG = 8

GENERATED = ("runbooks/", "products/", "error-codes/", "browse/")  # the core's own sections

ACRONYMS = {"faq": "FAQ", "sla": "SLA", "slas": "SLAs", "api": "API", "kb": "KB", "it": "IT"}


def chunked(items: list, key) -> list[list]:
    """A sorted listing in parts of at most INDEX_CHUNK entries, cut after an
    entry whose key hashes to a boundary: about one entry in CHUNK_ODDS once
    the part has CHUNK_MIN entries, one in CHUNK_ODDS_LONG once it has
    CHUNK_LONG (so a part seldom reaches INDEX_CHUNK, the hard limit). Where a
    part ends depends on its own entries, not on how many came before: an
    entry added, removed or renamed changes the part it is in (and the one it
    moves to), not every part after it, so kbgen serve renders two pages
    again, not thirty."""
    if len(items) <= INDEX_CHUNK:
        return [items]
    out: list[list] = []
    part: list = []
    for item in items:
        part.append(item)
        n = len(part)
        if n < CHUNK_MIN:
            continue
        h = zlib.crc32(key(item).encode("utf-8", "surrogatepass"))
        if h % CHUNK_ODDS == 0 or (n >= CHUNK_LONG and h % CHUNK_ODDS_LONG == 0) or n >= INDEX_CHUNK:
            out.append(part)
            part = []
    if part:
        out.append(part)
    return out


def folder_title(folder: str) -> str:
    """A navigation title for a folder: "getting-help" -> "Getting help", "sla" -> "SLA"."""
    words = posixpath.basename(folder).replace("_", "-").split("-")
    out = [ACRONYMS.get(w.lower(), w) for w in words]
    if out and out[0] == words[0]:
        out[0] = out[0].capitalize()
    return " ".join(out)


# -- section index pages ----------------------------------------------------

def _listing(title: str, path: str, links: list[tuple[str, str]], intro: str = "") -> str:
    from .text import escape
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
    """The navigation for `pages` ({path: kbgen.pages.Page}) within NAV_BUDGET links,
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


# -- redirects --------------------------------------------------------------

def redirect_html(target: str, title: str) -> str:
    t = html.escape(target, quote=True)
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n"
            f'<meta http-equiv="refresh" content="0; url={t}">\n<link rel="canonical" href="{t}">\n'
            f'<meta name="robots" content="noindex">\n</head>\n<body>\n'
            f'<p>Moved to <a href="{t}">{html.escape(title)}</a>.</p>\n</body>\n</html>\n')


def _chooser_html(code: str, targets: list[tuple[str, str]]) -> str:
    items = "\n".join(f'<li><a href="{html.escape(h, quote=True)}">{html.escape(t)}</a></li>' for h, t in targets)
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(code)}</title>\n'
            f'<meta name="robots" content="noindex">\n</head>\n<body>\n<h1>{html.escape(code)}</h1>\n'
            f"<p>This code appears in several tables:</p>\n<ul>\n{items}\n</ul>\n</body>\n</html>\n")


def _safe_segment(name: str) -> str | None:
    # Defence in depth: the schema already restricts these names.
    return name if re.fullmatch(r"[A-Za-z0-9_:.-]+", name) and name not in (".", "..") else None


def redirects(kb: KnowledgeBase, directory_urls: bool = True) -> dict[str, str]:
    """Static redirect pages: e/<code>/ for every error code, runbook aliases,
    and alert names -> their runbook. Targets are relative, so they work under
    any site_url and from file://. No two paths differ only by case (they
    would collide on macOS and Windows checkouts and some buckets): the first
    one made wins (codes, then aliases, then alert names as written), and a
    redirect never shadows a page whatever its case."""
    out: dict[str, str] = {}
    folded: set[str] = set()

    def url_of(page: str, anchor: str = "") -> str:
        u = page_url(page) if directory_urls else page[:-3] + ".html"
        return u + (f"#{anchor}" if anchor else "")

    def add(dir_path: str, target_url: str, title: str, html_text: str | None = None) -> None:
        key = f"{dir_path}/index.html" if directory_urls else f"{dir_path}.html"
        if key.casefold() in folded:
            return
        folded.add(key.casefold())
        depth = dir_path.count("/") + 1 if directory_urls else dir_path.count("/")
        rel = "../" * depth + target_url
        out[key] = html_text if html_text is not None else redirect_html(rel, title)

    for _norm, ents in sorted(kb.codes.items()):
        anchor = code_anchor(ents[0].obj.code)
        if len(ents) == 1:
            c = ents[0]
            add(f"e/{anchor}", url_of(c.page, anchor), c.title)
        else:
            depth = 2 if directory_urls else 1
            targets = [("../" * depth + url_of(c.page, code_anchor(c.obj.code)), f"{c.title} ({kb.entities[str(c.parent)].title})")
                       for c in ents]
            add(f"e/{anchor}", "", ents[0].obj.code, _chooser_html(ents[0].obj.code, targets))
    taken = {e.page[:-3].casefold() for e in kb.entities.values() if e.page}
    for rb in sorted(kb.of_type("runbook"), key=lambda e: e.id):
        names = list(rb.obj.aliases)
        for alert in rb.obj.alerts:
            names += [alert, alert.lower()]
        for name in names:
            seg = _safe_segment(name)
            if seg and f"runbooks/{seg}".casefold() not in taken:
                add(f"runbooks/{seg}", url_of(rb.page), rb.title)
    for al in sorted(kb.of_type("alerts"), key=lambda e: e.id):
        for a in al.obj.alerts:
            target = kb.entities.get(a.runbook) if a.runbook else None
            if target is None or target.type != "runbook":
                continue
            for name in (a.name, a.name.lower()):
                seg = _safe_segment(name)
                if seg and f"runbooks/{seg}".casefold() not in taken:
                    add(f"runbooks/{seg}", url_of(target.page), target.title)
    return dict(sorted(out.items()))


def _folder_indexes(kb: KnowledgeBase, pages: dict) -> dict:
    """An index page for each writers' top folder too big for nav_limit (kept
    for kbgen.pages.render_pages; kbgen.stage makes the rest with nav())."""
    from .listings import _index
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
            out[index] = _index(folder_title(folder), index, "", [("", ents)], kb)
    return out
