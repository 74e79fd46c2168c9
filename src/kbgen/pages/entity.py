"""The page of one entity, as Markdown: its kind's template over its data
(kbgen.kinds; templates in kbgen/templates, overridable in overrides/kbgen),
or the writer's own Markdown with its links mapped to pages, and the front
matter Material reads. MkDocs is not imported here."""
from __future__ import annotations

import re

import jinja2

from ..model.entities import Entity, KnowledgeBase
from ..model.links import markdown_fields, reading_of_text
from ..text import escape
from ..text.anchors import code_anchor, slugify
from .linker import Linker, rewrite_links
from .page import Page, front_matter, tidy


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


# What a page may read of other entities (Linker.read): each answer is plain
# values, so the page cache can compare it with the answer of a later kb.


def _field(kb: KnowledgeBase, ent: Entity, text: str | None, directory_urls: bool, linker: Linker) -> str:
    """A Markdown field of a YAML entity with its links mapped to pages."""
    if not text:
        return ""
    reading = reading_of_text(ent.doc, kb.config, text)
    return rewrite_links(kb, ent.doc.rel, ent.page, reading, directory_urls, linker) if reading is not None else text


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
    internal = _banner(kb, ent)
    if ent.doc.fmt == "md":
        body = rewrite_links(kb, ent.doc.rel, ent.page, ent.doc.md, directory_urls, linker)
        if kind.facts_template:
            # the facts table goes under the title: the template gets the body up to
            # its first H1 line and is tidied; the writer's text after it is kept as is
            head, rest = _split_at_h1(body)
            ctx = _context(kb, ent, linker, o=ent.obj, body=head)
            head = env.get_template(kind.facts_template).render(**ctx)
            fm = front_matter(ent.title, ent.summary, ent.tags, boost=kind.page_boost)
            body = tidy(fm + head) + "\n" + rest
        else:
            body = _passthroughfront_matter(ent) + (_internal_banner() if internal else "") + body
        return Page(ent.page, body, ent.title, ent.id, ent.source, verbatim=True)
    ctx = _context(kb, ent, linker, o=_with_page_links(kb, ent, directory_urls, linker),
                   description=_field(kb, ent, getattr(ent.obj, "description", None), directory_urls, linker))
    if kind.template is None:  # the registry refuses a YAML kind without one
        raise ValueError(f"{kind!r} has no page template")
    body = env.get_template(kind.template).render(**ctx)
    return Page(ent.page, front_matter(ent.title, ent.summary, ent.tags, kind.page_boost) + body, ent.title, ent.id,
                ent.source)


def _context(kb: KnowledgeBase, ent: Entity, linker: Linker, **own) -> dict:
    """A template's variables: the common ones (e, link, internal, meta, kb),
    the caller's (o, and body or description), then the kind's own."""
    ctx = dict(e=ent, link=linker, internal=_banner(kb, ent), meta=_meta_rows(ent, linker), kb=kb, **own)
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


def _banner(kb: KnowledgeBase, ent: Entity) -> bool:
    """An internal page says so only where the KB also publishes something:
    when every page is internal (an adopted repository nobody marked yet)
    the banner would be on every page and tell no one anything."""
    if ent.audience != "internal":
        return False
    some_public = getattr(kb, "_some_public", None)
    if some_public is None:
        some_public = any(e.audience == "public" for e in kb.entities.values())
        try:
            kb._some_public = some_public  # type: ignore[attr-defined]  # a cache on the view
        except AttributeError:
            pass
    return some_public


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


def _passthroughfront_matter(ent: Entity) -> str:
    extra = {}
    for key in _PASS:
        if key in ent.doc.data:
            value = _passthrough(key, ent.doc.data[key])
            if value is not None:
                extra[key] = value
    # no title on the home page: Material then titles it with the site name alone, not "Home - Site"
    title = None if ent.page == "index.md" else ent.title
    if ent.page == "index.md" and ent.tags:
        # the home page's tags find it in the tags index, but a chip above its title says nothing to a reader
        shown = ent.doc.data.get("hide")
        shown = shown if isinstance(shown, list) and "hide" in extra else []
        extra["hide"] = escape.yaml_str([*shown, "tags"] if "tags" not in shown else shown)
    return front_matter(title, ent.summary or ent.doc.data.get("description") or "", ent.tags, extra=extra)
