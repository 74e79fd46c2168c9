"""Pages that list other pages: each kind's listings (Kind.listings: runbooks/,
browse/<type>/, every error code in error-codes/), a page per product. A listing longer than
INDEX_CHUNK entries is a page of parts, so no page grows with the KB."""
from __future__ import annotations

from ..kinds.base import CodeTable
from ..model.entities import Entity, KnowledgeBase
from ..text import escape
from ..text.anchors import normalize_code
from .chunks import INDEX_CHUNK, chunked
from .linker import Linker
from .page import Page, front_matter


def _entry(linker: Linker, e: Entity) -> str:
    line = f"- [{escape.text(e.title)}]({linker.entity(e)})"
    if e.summary:
        line += f" — {escape.text(e.summary)}"
    if e.audience == "internal":
        line += " *(internal)*"
    return line


def listing_page(title: str, path: str, intro: str, groups: list[tuple[str, list[Entity]]], kb) -> Page:
    """One listing page: its entities under their group headings."""
    linker = Linker(kb, path)
    out = [front_matter(title, intro), f"# {escape.text(title)}\n", intro + "\n" if intro else ""]
    for heading, ents in groups:
        if not ents:
            continue
        if heading:
            out.append(f"## {escape.text(heading)}\n")
        out += [_entry(linker, e) for e in ents]
        out.append("")
    return Page(path, "\n".join(out) + "\n", title)


def _by_title(e: Entity) -> tuple:
    return (e.title.lower(), e.id)


PARTS = "browse/parts/"


def parts_stem(path: str) -> str:
    """Where the parts of a long listing go: browse/parts/<listing>-<n>.md
    (not beside it: under runbooks/ a part would look like a runbook)."""
    stem = path[:-3].removesuffix("/index")
    return PARTS + stem.replace("/", "-")


def listing_pages(kb, title: str, path: str, intro: str, groups: list[tuple[str, list[Entity]]]) -> dict[str, Page]:
    """A listing of entities (sorted by title within each group): one page,
    or, past INDEX_CHUNK entries, a page of parts, each part at most
    INDEX_CHUNK entries, so no page grows with the KB and every entry is two
    clicks from the listing."""
    groups = [(h, sorted(ents, key=_by_title)) for h, ents in groups if ents]
    if sum(len(ents) for _, ents in groups) <= INDEX_CHUNK:
        return {path: listing_page(title, path, intro, groups, kb)}
    pages: dict[str, Page] = {}
    stem = parts_stem(path)
    linker = Linker(kb, path)
    out = [front_matter(title, intro), f"# {escape.text(title)}\n", intro + "\n" if intro else ""]
    n = 0
    for heading, ents in groups:
        if heading:
            out.append(f"## {escape.text(heading)}\n")
        chunks = chunked(ents, key=lambda e: e.id)
        for chunk in chunks:
            n += 1
            first, last = chunk[0].title, chunk[-1].title
            span = f"{first[:40]} – {last[:40]}" if len(chunks) > 1 else f"{len(chunk)} pages"
            ptitle = f"{title}: {heading + ', ' if heading else ''}{span}"
            ppath = f"{stem}-{n}.md"
            pages[ppath] = listing_page(ptitle, ppath, "", [(heading, chunk)], kb)
            out.append(f"- [{escape.text(span)}]({linker.to_page(ppath)}) ({len(chunk)})")
        out.append("")
    pages[path] = Page(path, "\n".join(out) + "\n", title)
    return pages


def code_table_pages(kb: KnowledgeBase) -> dict[str, Page]:
    """error-codes/: every error code in one table, in parts past INDEX_CHUNK codes."""
    path = "error-codes/index.md"
    codes = sorted((c for cs in kb.codes.values() for c in cs), key=lambda c: (normalize_code(c.obj.code), c.id))
    intro = "Every error code, with its meaning and runbook."

    def table(page: str, title: str, rows: list[Entity]) -> Page:
        linker = Linker(kb, page)
        lines = [front_matter(title, intro, boost=2), f"# {escape.text(title)}\n",
                 "| Code | Message | Table | Runbook |", "|---|---|---|---|"]
        for c in rows:
            tbl = kb.entities[str(c.parent)]  # a code always has its table
            target = kb.entities.get(c.obj.runbook) if c.obj.runbook else None  # titles, not ids, for readers
            rb = f"[{escape.cell(target.title)}]({linker.entity(target)})" if target and linker.entity(target) else ""
            lines.append(f"| [{escape.cell(c.obj.code)}]({linker.entity(c)}) | {escape.cell(c.obj.message)} | "
                         f"[{escape.cell(tbl.title)}]({linker.entity(tbl)}) | {rb or ' '} |")
        return Page(page, "\n".join(lines) + "\n", title)

    if len(codes) <= INDEX_CHUNK:
        return {path: table(path, "Error codes", codes)}
    pages: dict[str, Page] = {}
    linker = Linker(kb, path)
    out = [front_matter("Error codes", intro, boost=2), "# Error codes\n", intro + "\n"]
    for n, chunk in enumerate(chunked(codes, key=lambda c: c.id), 1):
        span = f"{chunk[0].obj.code} – {chunk[-1].obj.code}"
        ppath = f"{parts_stem(path)}-{n}.md"
        pages[ppath] = table(ppath, f"Error codes {span}", chunk)
        out.append(f"- [{escape.text(span)}]({linker.to_page(ppath)}) ({len(chunk)})")
    pages[path] = Page(path, "\n".join(out) + "\n", "Error codes")
    return pages


def index_pages(kb: KnowledgeBase) -> dict[str, Page]:
    """The listings: each kind's own (runbooks/, error-codes/, browse/<type>/),
    and a page per product listing its pages by kind."""
    pages: dict[str, Page] = {}
    listed = [k for k in kb.config.kinds if k.listed]
    by_type: dict[str, list[Entity]] = {k.type: [] for k in kb.config.kinds}
    for e in kb.entities.values():
        by_type.setdefault(e.type, []).append(e)
    for kind in kb.config.kinds:
        for listing in kind.listings(kb, by_type[kind.type]):
            if isinstance(listing, CodeTable):
                pages.update(code_table_pages(kb))
            else:
                pages.update(listing_pages(kb, listing.title, listing.path, listing.intro, listing.groups))
    products = kb.config.options.products
    for p in products:
        groups = [(k.title, [e for e in by_type[k.type] if p.id in e.products]) for k in listed]
        pages.update(listing_pages(kb, p.name, f"products/{p.id}.md", escape.text(p.summary or ""), groups))
    plist = [f"- [{escape.text(p.name)}]({p.id}.md)" + (f" — {escape.text(p.summary)}" if p.summary else "")
             for p in products]
    pages["products/index.md"] = Page("products/index.md", front_matter("Products") + "# Products\n\n"
                                      + "\n".join(plist) + "\n", "Products")
    return pages
