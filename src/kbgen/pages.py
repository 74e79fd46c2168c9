"""The knowledge base as Markdown pages, for any renderer.

`render_pages(kb)` returns every page of the site as Markdown keyed by its
docs-relative path: generated pages for YAML data and runbooks (each kind's
template, kbgen.kinds), the listings (kbgen.listings), and the writers' own
articles with their source links mapped to page paths.
The kb must already be filtered by audience (kbgen.audience.for_audience).
MkDocs is not imported here: the site adapter hands these pages to it.
"""
from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import jinja2

from .kinds.base import index
from .model.entities import Entity, KnowledgeBase
from .model.links import is_external, markdown_fields, reading_of_text, resolve_link
from .pagecache import Kept, PageCache, copy_page, entity_key
from .text import escape
from .text.anchors import code_anchor, page_url, relative, slugify


@dataclass
class Page:
    path: str                      # docs-relative .md path
    markdown: str                  # full Markdown, front matter included
    title: str
    entity_id: str | None = None
    source: str | None = None      # source file relative to the KB root (edit links)
    verbatim: bool = False         # holds a writer's Markdown: never re-flowed by tidy()


def environment(kb: KnowledgeBase) -> jinja2.Environment:
    """Templates from the package, overridable per KB in overrides/kbgen/."""
    loaders: list[jinja2.BaseLoader] = []
    override = kb.config.root / "overrides" / "kbgen"
    if override.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(override)))
    loaders.append(jinja2.PackageLoader("kbgen", "templates"))
    # added kinds' templates, after kbgen's: they may import kbgen's macros, never replace them
    loaders += [jinja2.FileSystemLoader(str(k.template_dir)) for k in kb.config.kinds if k.template_dir]
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=False,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(escape.FILTERS)
    # attr_list ids: `## QT-001 {#qt-001}` (Jinja would read a literal "{#" as a comment)
    env.globals.update(anchor=lambda ident: "{#" + str(ident) + "}", slug=slugify, code_anchor=code_anchor)
    return env


class Linker:
    """Relative links from one page to others in the (filtered) kb.

    Everything a page shows of other entities is looked up here, through
    read(): the answers are kept with the page, and the page cache
    (kbgen.pagecache) renders the page again only when one of them would
    now be different. So a lookup a template or a kind makes must go
    through the Linker (link.id, link.title, link.read...), never kb itself."""

    def __init__(self, kb: KnowledgeBase, page: str):
        self.kb, self.page = kb, page
        self.reads: dict[tuple, object] = {}  # (function, args) -> its answer

    def read(self, fn, *args):
        """fn(kb, *args), noted for the page cache. fn is a module-level
        function of the kb returning plain values (tuples of strings), so
        the answer can be asked again of a later kb and compared."""
        key = (fn, args)
        if key not in self.reads:
            self.reads[key] = fn(self.kb, *args)
        return self.reads[key]

    def to_page(self, target_page: str, anchor: str = "") -> str:
        rel = relative(target_page, posixpath.dirname(self.page))
        return rel + (f"#{anchor}" if anchor else "")

    def _href(self, found: tuple | None, anchor: str) -> str | None:
        if found is None:
            return None
        _, page, url, _, entry = found
        if entry and not anchor and "#" in url:  # an entry of a table: its anchor on the page
            anchor = url.split("#", 1)[1]
        return self.to_page(page, anchor)

    def entity(self, ent: Entity | None, anchor: str = "") -> str | None:
        return None if ent is None else self._href(self.read(target_by_id, ent.id), anchor)

    def id(self, ident: str, anchor: str = "") -> str | None:
        return self._href(self.read(target, ident), anchor)

    def title(self, ident: str) -> str:
        """The title of the entity an id or alias names (the id itself when it is not in this build)."""
        found = self.read(target, ident)
        return found[3] if found is not None else str(ident)

    def md(self, label: str, ident: str, anchor: str = "") -> str:
        """A Markdown link, or plain text when the target is not published in this build."""
        href = self.id(ident, anchor)
        return f"[{escape.text(label)}]({href})" if href else escape.text(label)

    def code(self, ref: str) -> str:
        found = self.read(codes_of, str(ref))
        if len(found) == 1:
            return f"[{escape.text(found[0][0])}]({self._href(found[0][1], '')})"
        return escape.text(str(ref).split(":")[-1])

    def code_list(self, codes: list[Entity]) -> str:
        return ", ".join(f"[{escape.text(c.obj.code)}]({self.entity(c)})" for c in codes)

    def tier(self, tier_id: str) -> str:
        found = self.read(tier_named, tier_id)
        if found is None:
            return "the next support tier"  # its tiers file is not published in this build
        name, where, anchor = found
        return f"[{escape.text(name)}]({self._href(where, anchor)})"

    def priority(self, pid: str) -> str:
        found = self.read(priority_named, pid)
        if found is None:
            return escape.text(pid)
        name, where = found
        return f"[{escape.text(pid)} — {escape.text(name)}]({self._href(where, code_anchor(pid))})"

    def product(self, pid: str) -> str:
        name = next((p.name for p in self.kb.config.options.products if p.id == pid), pid)
        return f"[{escape.text(name)}]({self.to_page(f'products/{pid}.md')})"


# What a page may read of other entities (Linker.read): each answer is plain
# values, so the page cache can compare it with the answer of a later kb.

def _found(ent: Entity | None, kb: KnowledgeBase) -> tuple | None:
    if ent is None or ent.id not in kb.entities or not ent.page:
        return None
    return (ent.id, ent.page, ent.url, ent.title, bool(ent.parent))


def target_by_id(kb: KnowledgeBase, ident: str) -> tuple | None:
    """(id, page, url, title, is an entry of a table) of an entity in this build, or None."""
    return _found(kb.entities.get(ident), kb)


def target(kb: KnowledgeBase, ident: str) -> tuple | None:
    """target_by_id, for an id or a runbook's alias."""
    return _found(kb.entities.get(ident) or index(kb, "runbook_by_alias").get(ident), kb)


def codes_of(kb: KnowledgeBase, ref: str) -> tuple:
    """((code, target) ...) of the error codes a reference names."""
    return tuple((str(c.obj.code), _found(c, kb)) for c in kb.resolve_code(ref))


def tier_named(kb: KnowledgeBase, tier_id: str) -> tuple | None:
    for ent, t in index(kb, "tiers_index").get(tier_id, [])[:1]:
        return (t.name, _found(ent, kb), t.id)
    return None


def priority_named(kb: KnowledgeBase, pid: str) -> tuple | None:
    for ent, p in index(kb, "priorities_index").get(pid, [])[:1]:
        return (p.name, _found(ent, kb))
    return None


def link_target(kb: KnowledgeBase, from_rel: str, target: str) -> tuple | None:
    """What a writer's link to `target` in from_rel becomes in this build:
    ("page", page, anchor), ("asset", site path, anchor), ("drop",) for
    content this build does not publish (internal, in a public build: the
    filtered view does not know it) or a file that is not published at all,
    or None for a broken link (validation reported it)."""
    res = resolve_link(kb, from_rel, target)
    if res.entity is not None and res.entity.id in kb.entities and res.entity.page:
        return ("page", res.entity.page, res.anchor)
    if res.asset:
        return ("asset", asset_path(kb, res.asset), res.anchor)
    if res.entity is not None or (res.missing is not None and (kb.config.root / res.missing).is_file()):
        return ("drop",)
    return None


def asset_path(kb: KnowledgeBase, rel: str) -> str:
    """Where an asset (a KB-root-relative source path) stands in the site:
    under the docs folder, its path there; elsewhere (an image beside a
    runbook), its path from the KB root."""
    docs = kb.config.docs_dir.strip("/").removeprefix("./")
    docs = "" if docs in ("", ".") else docs + "/"
    return rel[len(docs):] if docs and rel.startswith(docs) else rel


def rewrite_links(kb: KnowledgeBase, from_rel: str, page_path: str, reading, directory_urls: bool = True,
                  linker: Linker | None = None) -> str:
    """The text of a reading (kbgen.markdown) with links written against
    source files mapped to the pages they became, in place at the offsets the
    reading found: `../runbooks/x.yaml#causes` -> `../runbooks/x.md#causes`.
    Every link form is covered (inline, reference definitions, raw HTML);
    text in code is never touched. A link to something not in this build
    (internal, in a public build) keeps its words and loses the link.
    linker: the page's, when the page is being rendered (its reads are kept)."""
    if reading is None:
        return ""
    text = reading.text
    linker = linker or Linker(kb, page_path)
    edits: dict[int, tuple[int, str]] = {}
    for link in reading.links:
        t = link.target
        if link.start < 0 or not t or is_external(t) or t.startswith("#"):
            continue
        found = linker.read(link_target, from_rel, t)
        if found is None:
            continue  # a broken link: validation reported it
        if found[0] == "drop":
            dropped = _drop_link(text, link)
            if dropped:
                edits[dropped[0]] = dropped[1:]
                continue
            new = "#"
        else:
            new = linker.to_page(found[1], found[2])
        if link.kind == "html":
            # the renderer maps Markdown links to URLs, never raw HTML: give the URL itself
            new = html.escape(_url_between(page_path, new, directory_urls), quote=True)
        else:
            new = quote(new, safe="/#%:@!$&'()*+,;=._~-")
        edits[link.start] = (link.end, new)
    if not edits:
        return text
    out, pos = [], 0
    for start in sorted(edits):
        end, new = edits[start]
        if start < pos:
            continue  # overlaps an edit already made (a dropped link's span)
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _url_between(page_path: str, rel_target: str, directory_urls: bool) -> str:
    """The URL, relative to the page page_path, of rel_target (a Markdown
    path relative to that page, as Linker.to_page gives it)."""
    path, _, anchor = rel_target.partition("#")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page_path), path)) if path else page_path

    def url(p: str) -> str:
        if not p.endswith(".md"):
            return p  # an asset
        return page_url(p) if directory_urls else p[:-3] + ".html"
    here, there = url(page_path), url(target)
    base = here if here.endswith("/") or not here else posixpath.dirname(here)
    rel = posixpath.relpath(there or ".", base or ".")
    if there.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel + (f"#{anchor}" if anchor else "")


def _drop_link(text: str, link) -> tuple[int, int, str] | None:
    """(start, end, words) replacing a whole inline link `[words](target)`,
    from the opening bracket the reading found (an image goes altogether)."""
    if link.kind != "link" or link.opening < 0:
        return None
    close = text.find(")", link.end)
    if close < 0 or close - link.end > 500:
        return None
    if text[link.opening] == "!":
        return link.opening, close + 1, ""
    return link.opening, close + 1, text[link.opening + 1:text.rfind("](", link.opening, link.start)]


def _field(kb: KnowledgeBase, ent: Entity, text: str | None, directory_urls: bool, linker: Linker) -> str:
    """A Markdown field of a YAML entity with its links mapped to pages."""
    if not text:
        return ""
    reading = reading_of_text(ent.doc, kb.config, text)
    return rewrite_links(kb, ent.doc.rel, ent.page, reading, directory_urls, linker) if reading is not None else text


def _front_matter(title: str | None, description: str = "", tags=(), boost: float | None = None, extra=None) -> str:
    # title, description and tags are printed into HTML by the theme without
    # escaping: they go in escaped (escape.theme_text)
    lines = ["---"] + ([f"title: {escape.theme_text(title)}"] if title is not None else [])
    if description:
        lines.append(f"description: {escape.theme_text(description)}")
    if tags:
        lines.append("tags: [" + ", ".join(escape.theme_text(t) for t in tags) + "]")
    if boost:
        lines.append(f"search:\n  boost: {boost}")
    for k, v in (extra or {}).items():
        lines.append(f"{k}: {v}")
    lines.append("---")
    return "\n".join(lines) + "\n\n"


def _meta_rows(ent: Entity, linker: Linker) -> list[tuple[str, str]]:
    rows = []
    if ent.products:
        rows.append(("Products", ", ".join(linker.product(p) for p in ent.products)))
    if ent.owner:
        rows.append(("Owner", escape.text(ent.owner)))
    if ent.last_reviewed:
        rows.append(("Last reviewed", ent.last_reviewed.isoformat()))
    return rows


def render_entity(kb: KnowledgeBase, ent: Entity, env: jinja2.Environment, directory_urls: bool = True,
                  linker: Linker | None = None) -> Page:
    """The page of one entity: its kind's template over its data, or the
    writer's own Markdown with links mapped (and, for a kind with a facts
    template, the facts table under its title). linker: the page's, to keep
    what it read (the page cache)."""
    kind = ent.kind
    linker = linker or Linker(kb, ent.page)
    internal = ent.audience == "internal"
    if ent.doc.fmt == "md":
        body = rewrite_links(kb, ent.doc.rel, ent.page, ent.doc.md, directory_urls, linker)
        if kind.facts_template:
            # the facts table goes under the title: the template gets the body up to
            # its first H1 line and is tidied; the writer's text after it is kept as is
            head, rest = _split_at_h1(body)
            ctx = _context(kb, ent, linker, o=ent.obj, body=head)
            head = env.get_template(kind.facts_template).render(**ctx)
            fm = _front_matter(ent.title, ent.summary, ent.tags, boost=kind.page_boost)
            body = tidy(fm + head) + "\n" + rest
        else:
            body = _passthrough_front_matter(ent) + (_internal_banner() if internal else "") + body
        return Page(ent.page, body, ent.title, ent.id, ent.source, verbatim=True)
    ctx = _context(kb, ent, linker, o=_with_page_links(kb, ent, directory_urls, linker),
                   description=_field(kb, ent, getattr(ent.obj, "description", None), directory_urls, linker))
    if kind.template is None:  # the registry refuses a YAML kind without one
        raise ValueError(f"{kind!r} has no page template")
    body = env.get_template(kind.template).render(**ctx)
    return Page(ent.page, _front_matter(ent.title, ent.summary, ent.tags, kind.page_boost) + body, ent.title, ent.id,
                ent.source)


def _context(kb: KnowledgeBase, ent: Entity, linker: Linker, **own) -> dict:
    """A template's variables: the common ones (e, link, internal, meta, kb),
    the caller's (o, and body or description), then the kind's own."""
    ctx = dict(e=ent, link=linker, internal=ent.audience == "internal", meta=_meta_rows(ent, linker), kb=kb, **own)
    ctx.update(ent.kind.page_context(kb, ent, ctx))
    return ctx


def _split_at_h1(body: str) -> tuple[str, str]:
    """(the body up to and including its first `# ` line, the rest)."""
    pos = 0
    while pos < len(body):
        end = body.find("\n", pos)
        end = len(body) if end < 0 else end
        if body.startswith("# ", pos):
            return body[:end], body[end + 1:]
        pos = end + 1
    return "", body


def _with_page_links(kb: KnowledgeBase, ent: Entity, directory_urls: bool, linker: Linker):
    """A copy of the entity's object whose Markdown fields (descriptions, FAQ
    answers...) link to pages instead of source files."""
    fields = [(path, text) for path, text in markdown_fields(ent.obj, ent.kind.markdown_fields)
              if reading_of_text(ent.doc, kb.config, text) is not None]
    if not fields:
        return ent.obj
    obj = ent.obj.model_copy(deep=True)
    for path, text in fields:
        node = obj
        for part in path[:-1]:
            node = node[part] if isinstance(part, int) else getattr(node, part)
        setattr(node, path[-1], _field(kb, ent, text, directory_urls, linker))
    return obj


def _internal_banner() -> str:
    return '!!! warning "Internal"\n    For support staff only. This page is not published on the public site.\n\n'


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
_HIDE = {"navigation", "toc", "footer", "path", "tags", "feedback", "outdated"}


def _passthrough(key: str, value) -> str | None:
    """Material's own front-matter keys, passed on only in shapes that cannot
    carry markup or reach outside the theme (status becomes a CSS class,
    icon and template name theme files)."""
    if key == "subtitle" and isinstance(value, (str, int, float)):
        return escape.theme_text(value)
    if key in ("status", "icon", "template") and isinstance(value, str) and _NAME.match(value) and ".." not in value:
        return escape.yaml_str(value)
    if key == "hide" and isinstance(value, list) and all(v in _HIDE for v in value):
        return escape.yaml_str(value)
    if key == "comments" and isinstance(value, bool):
        return escape.yaml_str(value)
    if key == "search" and isinstance(value, dict):
        clean = {k: v for k, v in value.items()
                 if (k == "exclude" and isinstance(v, bool)) or (k == "boost" and isinstance(v, (int, float)))}
        return escape.yaml_str(clean) if clean else None
    return None


_PASS = ("hide", "template", "search", "status", "icon", "subtitle", "comments")


def _passthrough_front_matter(ent: Entity) -> str:
    extra = {}
    for key in _PASS:
        if key in ent.doc.data:
            value = _passthrough(key, ent.doc.data[key])
            if value is not None:
                extra[key] = value
    # no title on the home page: Material then titles it with the site name alone, not "Home - Site"
    title = None if ent.page == "index.md" else ent.title
    return _front_matter(title, ent.summary or ent.doc.data.get("description") or "", ent.tags, extra=extra)


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")  # the fences kbgen's own templates write


def tidy(markdown: str) -> str:
    """A blank line before every heading and at most one blank line in a row,
    outside code fences: templates stay readable, output stays regular."""
    out: list[str] = []
    fence = None
    for line in markdown.split("\n"):
        m = _FENCE.match(line.lstrip())
        if fence:
            out.append(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
        if not line.strip():
            if out and not out[-1].strip():
                continue
            out.append("")
            continue
        if line.startswith("#") and out and out[-1].strip() and out[-1] != "---":
            out.append("")
        elif line.startswith("|") and out and out[-1].strip() and not out[-1].startswith("|"):
            out.append("")  # a table needs a blank line before it
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"


def render_pages(kb: KnowledgeBase, directory_urls: bool = True, cache: PageCache | None = None) -> dict[str, Page]:
    """directory_urls: the renderer's URL style (False for offline sites);
    raw HTML links are written as URLs, which the renderer does not map.
    cache: pages kept from the last render (PageCache)."""
    from .listings import index_pages
    from .rules.freshness import (
        with_overdue_notice,  # internal readers see overdue reviews
    )
    from .sitemap import (
        _folder_indexes,  # index pages of folders too big for the navigation
    )
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
        for path, page in _folder_indexes(kb, {**pages, **listings}).items():
            if path not in pages and path not in listings:
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
