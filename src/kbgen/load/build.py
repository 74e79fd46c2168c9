"""The model built from the loaded sources (kbgen.load.sources): each
source's identity (id), page and URL under the conventions in force, its
kind's entities inside it (a table's codes), its defaults, owners and
summary; duplicate ids and pages are reported here (KB301, KB312).

Page paths are docs-relative Markdown paths (what MkDocs calls src_uri);
URLs are site-relative with directory URLs ("runbooks/x/")."""
from __future__ import annotations

import hashlib
import html
import posixpath
import re
from urllib.parse import quote

from ..config import Config
from ..diagnostics.problems import Report
from ..markdown import first_h1, scan_markdown
from ..model.doc import Doc, Sources
from ..model.entities import AlertEntry, Entity, KnowledgeBase
from ..read.conventions import catalogue, summary
from ..read.conventions.owners import Owners
from ..text.anchors import name_id, normalize_code, page_url
from ..text.escape import inline
from ..text.globs import matches


def _default_title(doc: Doc, ident: str, nav_title: str | None = None) -> str:
    """A page's title as its own site shows it when front matter gives none:
    its title in the site's nav, its first heading, else its file name in
    words (`whos_oncall.md` -> "Whos oncall"), never the id."""
    if nav_title:
        return nav_title
    if doc.md is not None:
        h1 = first_h1(doc.md)
        if h1:
            return h1
    stem = posixpath.splitext(posixpath.basename(doc.rel))[0]
    if stem.lower() in ("index", "readme", "_index") and "/" in doc.rel:
        stem = posixpath.basename(posixpath.dirname(doc.rel))
    words = " ".join(re.sub(r"[_\-]+", " ", stem).split()) or ident
    return words[:1].upper() + words[1:]


def nav_titles(nav, out: dict[str, str] | None = None) -> dict[str, str]:
    """docs-relative page path -> its title in mkdocs.yml's nav (`- Who's
    On-Call?: oncall/whos_oncall.md`), markup and entities as text."""
    out = {} if out is None else out
    for item in nav if isinstance(nav, list) else []:
        if isinstance(item, dict):
            for title, value in item.items():
                if isinstance(value, str) and isinstance(title, str):
                    text = " ".join(html.unescape(re.sub(r"<[^>]*>", " ", title.replace("&nbsp", " "))).split())
                    if text:
                        out.setdefault(value.strip().lstrip("/"), text)
                elif isinstance(value, list):
                    nav_titles(value, out)
    return out


def _md_page(rel_in_docs: str) -> str:
    return rel_in_docs[: rel_in_docs.rfind(".")] + ".md"


def _folder_page(rel_docs: str, names: set[str]) -> bool:
    return posixpath.basename(rel_docs).lower() in names


def _path_id(path: str) -> str:
    """A folder-qualified id: runbooks/node/NodeDown.md -> runbooks-node-nodedown;
    a folder's page is the folder's id (so `readme` can never clash). Each
    part is name_id's: `a_b/` and `a-b/` stay apart."""
    return "-".join(p for p in (name_id(part) for part in path.split("/")) if p) or "index"


def _stem_id(rel: str) -> str:
    return name_id(posixpath.splitext(posixpath.basename(rel))[0]) or "page"


def _identity(cfg: Config, doc: Doc, obj, docs_prefix: str, names: set[str]) -> tuple[str, str]:
    """(id, page path) of a source file under the conventions in force."""
    opts = cfg.options
    if doc.area == "runbooks":
        rb_prefix = opts.runbooks_dir.strip("/") + "/"
        inner = doc.rel[len(rb_prefix):] if doc.rel.startswith(rb_prefix) else doc.rel
        stem_path = "runbooks/" + inner[: inner.rfind(".")]
        folder = _folder_page(inner, names)
        if folder:
            stem_path = posixpath.dirname(stem_path)
        if obj.id:
            ident = obj.id
        elif opts.ids == "path" or folder:
            ident = _path_id(stem_path)
        else:
            ident = _stem_id(doc.rel)
        if opts.ids == "path":
            return ident, (stem_path + "/index.md" if folder else stem_path + ".md")
        return ident, f"runbooks/{ident}.md"
    rel_docs = doc.rel[len(docs_prefix):] if doc.rel.startswith(docs_prefix) else doc.rel
    page = _md_page(rel_docs)
    folder = doc.fmt == "md" and _folder_page(rel_docs, names)
    if folder and posixpath.basename(page).lower() not in ("index.md", "readme.md"):
        page = posixpath.join(posixpath.dirname(page), "index.md")  # Hugo's _index.md
    if obj.id:
        return obj.id, page
    if folder:
        d = posixpath.dirname(rel_docs)
        return (_path_id(d) if d else name_id(posixpath.splitext(posixpath.basename(rel_docs))[0].strip("_"))
                or "index"), page
    if opts.ids == "path":
        return _path_id(rel_docs[: rel_docs.rfind(".")]), page
    return _stem_id(doc.rel), page


def build_model(cfg: Config, sources: Sources, report: Report) -> KnowledgeBase:
    kb = KnowledgeBase(cfg, assets=list(sources.assets), assets_set=set(sources.assets))
    opts = cfg.options
    docs_prefix = "" if cfg.docs_dir.strip("/") in ("", ".") else cfg.docs_dir.strip("/") + "/"
    names = {n.lower() for n in opts.folder_pages}
    owners = Owners(cfg.root, opts.owners_from) if opts.owners_from else None
    pages: dict[str, str] = {}  # page path -> source, to catch two sources on one page
    in_nav = nav_titles(cfg.raw.get("nav")) if isinstance(cfg.raw, dict) else {}
    for doc in sources.docs:
        obj = doc.obj
        if obj is None:
            continue  # its schema problems are reported; nothing typed to build
        ident, page = _identity(cfg, doc, obj, docs_prefix, names)
        if ident in kb.entities and not obj.id and _made_from_other_name(kb.entities[ident], doc, opts.ids):
            # two different names that make the same id (`a b.md`, `a-b.md`): the one that
            # is not written as its id gets a suffix from its path, stable as long as it is
            ident = f"{ident}-{hashlib.sha1(doc.rel.encode()).hexdigest()[:6]}"
        title = obj.title or _default_title(doc, ident, in_nav.get(doc.rel[len(docs_prefix):]) if doc.fmt == "md"
                                            and doc.rel.startswith(docs_prefix) else None)
        kind = cfg.kinds.for_doc(doc)
        defaults = _defaults_for(doc.rel, opts.defaults)
        ent = Entity(
            id=ident, type=kind.type, kind=kind, title=title, doc=doc, page=page, url=page_url(page),
            summary=obj.summary or "",
            audience=obj.audience or defaults.get("audience") or opts.default_audience,
            products=list(obj.products) or list(defaults.get("products", [])),
            tags=[str(t) for t in obj.tags] or list(defaults.get("tags", [])),
            owner=obj.owner or defaults.get("owner") or (owners.owner_of(doc.rel) if owners else None),
            last_reviewed=obj.last_reviewed,
            review_every=obj.review_every or defaults.get("review_every") or opts.review_every,
            related=[str(r) for r in obj.related], obj=obj,
        )
        if doc.md is not None:
            ent.anchors = set(doc.md.anchors)
            if not ent.summary and opts.summary_from_body:
                ent.summary = summary.first_paragraph(doc.md)
        kind.prepare(ent, kb)
        if ident in kb.entities:
            other = kb.entities[ident]
            for a, b in ((doc, other.doc), (other.doc, doc)):
                pos = a.loaded.where(("id",)) if "id" in a.data else (1, 1)
                hint = "ids are unique across the whole knowledge base; rename one"
                if opts.ids == "stem" and "id" not in a.data:
                    hint += ", or use folder-qualified ids (kbgen plugin option `ids: path`)"
                report.error(a.rel, pos, "KB301", f"duplicate id '{ident}': {b.rel} has it too", hint)
            kb.by_source[doc.rel] = ent  # links to it still resolve: no follow-on errors
            continue
        if page in pages:
            report.error(doc.rel, (1, 1), "KB312",
                         f"two sources make the same page {page}: {pages[page]} and {doc.rel}",
                         "rename one of them")
            continue
        pages[page] = doc.rel
        kb.entities[ident] = ent
        kb.by_source[doc.rel] = ent
        _add_children(kb, ent, report)
        if doc.catalogue:
            for entry in catalogue.entries(doc):
                kb.alert_entries.setdefault(entry["name"], []).append(AlertEntry(entity=ent, **entry))
    _asset_clashes(kb, pages, docs_prefix, report)
    _section_listings(kb, names)
    return kb


def _made_from_other_name(other: Entity, doc: Doc, ids: str) -> bool:
    """Whether an id clash between a generated id and `other` comes from two
    different names (not the same file name twice: KB301 and `ids: path`)."""
    if other.doc is None or "id" in other.doc.data or other.doc.fmt != doc.fmt and ids == "stem":
        return False
    if ids == "path":
        return posixpath.splitext(other.doc.rel)[0] != posixpath.splitext(doc.rel)[0]
    return posixpath.splitext(posixpath.basename(other.doc.rel))[0] != posixpath.splitext(posixpath.basename(doc.rel))[0]


def _section_listings(kb: KnowledgeBase, names: set[str]) -> None:
    """An empty folder page (Hugo's _index.md with front matter only) lists its
    folder, as Hugo's section pages do: the pages beside it and the folder
    pages of its subfolders, by title, linked by source path (the page writer
    maps them). Only pages its readers may see: nothing internal on a public list."""
    sections = [e for e in kb.by_source.values() if e.doc is not None and e.doc.section and kb.entities.get(e.id) is e]
    if not sections:
        return
    md = [e for e in kb.entities.values() if e.doc is not None and e.doc.fmt == "md" and not e.parent]
    has_page = {posixpath.dirname(e.source) for e in md if posixpath.basename(e.source).lower() in names}
    by_folder: dict[str, list[Entity]] = {}
    for e in md:
        folder = posixpath.dirname(e.source)
        if posixpath.basename(e.source).lower() in names:
            if not folder:
                continue
            folder = posixpath.dirname(folder)  # a subfolder's page is listed one up
        # as in Hugo, a folder without its own page belongs to the nearest one above it
        while folder and folder not in has_page:
            folder = posixpath.dirname(folder)
        by_folder.setdefault(folder, []).append(e)
    for sec in sections:
        here = posixpath.dirname(sec.source)
        items = [e for e in by_folder.get(here, []) if e is not sec and (e.public or not sec.public)]
        lines = [f"# {inline(sec.title)}", ""]
        for e in sorted(items, key=lambda x: (x.title.lower(), x.id)):
            # percent-encoded: a file name with `>`, `(`, `)`, `%` or spaces stays one link target
            target = quote(posixpath.relpath(e.source, here), safe="/")
            lines.append(f"- [{inline(e.title)}]({target})")
        sec.doc.body = "\n".join(lines) + "\n"
        sec.doc.md = scan_markdown(sec.doc.body, sec.doc.body_line)  # the page writer reads this reading
        sec.anchors = set(sec.doc.md.anchors)


def _asset_clashes(kb: KnowledgeBase, pages: dict[str, str], docs_prefix: str, report: Report) -> None:
    """A file whose site path is a page's folder (runbooks/X beside runbooks/X.md):
    one of them would overwrite the other in the site."""
    folders = {page_url(p).rstrip("/"): src for p, src in pages.items()}
    for asset in kb.assets:
        inner = asset[len(docs_prefix):] if asset.startswith(docs_prefix) else asset
        if inner in folders:
            report.error(asset, (1, 1), "KB312",
                         f"this file and the page of {folders[inner]} would have the same address ({inner}/)",
                         "rename or remove the file, or list it in the kbgen option `ignore`")


def _defaults_for(rel: str, entries) -> dict:
    """The option `defaults` for one file: every matching entry, later ones winning."""
    out: dict = {}
    for d in entries:
        if matches(rel, [d.path]):
            out.update({k: v for k, v in d.model_dump(exclude={"path"}).items() if v not in (None, [])})
            if d.review_every is not None:
                out["review_every"] = d.review_every
    return out


def _add_children(kb: KnowledgeBase, ent: Entity, report: Report) -> None:
    """The anchors its kind gives its page, and the entities inside it (a table's codes)."""
    ent.anchors.update(ent.kind.anchors(ent))
    for child in ent.kind.children(ent, report):
        kb.entities[child.id] = child
        code = child.kind.code(child)
        if code is not None:
            kb.codes.setdefault(normalize_code(code), []).append(child)
