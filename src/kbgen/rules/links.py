"""Markdown links must reach a page, and their #anchor must exist on it.

Links point at source files, as on a git host: `../runbooks/x.yaml`,
`reference/errors.yaml#qt-001`; kbgen maps them to page URLs. Every link
form counts (inline, reference, wrapped over lines, raw HTML `<a href>`,
images), as Python-Markdown reads it (kbgen.markdown), and nothing in code.

Passing:  [Gateway](../runbooks/quantum-gateway.yaml#diagnostics)
Failing:  [Gateway](../runbooks/quantum-gatway.yaml) -> KB308 link target does not exist
"""
from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from ..markdown import Link, read_fragment, settings_for
from ..markdown.sanitize import unsafe_url
from ..schema.errors import did_you_mean

_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")


@dataclass
class Resolved:
    entity: Any = None         # the Entity the link reaches, if any
    asset: str | None = None   # or a static file
    anchor: str = ""
    missing: str | None = None  # the path that was looked for, when nothing matched


def is_external(target: str) -> bool:
    return bool(_EXTERNAL.match(target))


# Folders kbgen makes an index page for, whatever the writer's folders hold.
GENERATED_FOLDERS = {"runbooks": "runbooks/index.md"}


def resolve_link(kb, from_rel: str, target: str) -> Resolved:
    path, _, anchor = target.partition("#")
    path = unquote(path.split("?", 1)[0])
    if not path:
        return Resolved(entity=kb.by_source.get(from_rel), anchor=anchor)
    if path.startswith("/"):
        joined = posixpath.normpath(kb.config.docs_dir.rstrip("/") + path)
    else:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(from_rel), path))
    candidates = [joined]
    if path.endswith("/") or not posixpath.splitext(joined)[1]:
        candidates += [joined + "/index.md", joined + "/README.md", joined + "/readme.md", joined + "/_index.md",
                       joined + ".md"]
    for cand in candidates:
        ent = kb.by_source.get(cand)
        if ent is not None:
            return Resolved(entity=ent, anchor=anchor)
    assets = kb.assets_set or set(kb.assets)
    if joined in assets:
        return Resolved(asset=joined, anchor=anchor)
    return Resolved(anchor=anchor, missing=joined)


def markdown_fields(obj, names=None, path=()):
    """(path, text) of every Markdown-valued field of a YAML object: the fields
    its kind names (kbgen.kinds.Kind.markdown_fields: descriptions, FAQ
    answers, error-code resolutions written as text...)."""
    if names is None:
        from ..kinds import Kind
        names = Kind.markdown_fields
    if isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from markdown_fields(item, names, path + (i,))
        return
    fields = getattr(type(obj), "model_fields", None)
    if not fields:
        return
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, str) and name in names:
            yield path + (name,), value
        elif isinstance(value, (list, tuple)) or hasattr(type(value), "model_fields"):
            yield from markdown_fields(value, names, path + (name,))


def _markdown_names(doc, cfg):
    """The Markdown fields of a YAML document's kind."""
    kind = cfg.kinds.named(doc.kind) if cfg is not None and doc.fmt == "yaml" else None
    return kind.markdown_fields if kind is not None else None


def field_readings(doc, cfg=None) -> dict[tuple, Any]:
    """Each Markdown field of a YAML document, read once (kbgen.markdown) and
    kept on the document: links, checks and the page writer share it."""
    cached = getattr(doc, "_field_readings", None)
    if cached is None:
        cached = {}
        # only fields with a link, tag or entity need reading: skip the walk when the file has none
        if doc.obj is not None and ("[" in doc.text or "<" in doc.text or "&" in doc.text):
            settings = settings_for(cfg) if cfg is not None else None
            for path, text in markdown_fields(doc.obj, _markdown_names(doc, cfg)):
                if "[" in text or "<" in text or "&" in text:
                    cached[path] = read_fragment(text, settings)
        doc._field_readings = cached
    return cached


def reading_of_text(doc, cfg, text: str):
    """The reading of one Markdown field's text (None: nothing in it to read).
    Keyed by text, so a filtered copy of the object (a public contacts file
    without its internal entries) finds its fields' readings too."""
    by_text = getattr(doc, "_readings_by_text", None)
    if by_text is None:
        by_text = doc._readings_by_text = {r.text: r for r in field_readings(doc, cfg).values()}
    return by_text.get(text)


def link_targets(ent, cfg=None) -> list[str]:
    """The link targets of what this entity publishes: for YAML, only the
    fields its (audience-filtered) object still has."""
    if ent.doc.md is not None:
        return [link.target for link in ent.doc.md.links]
    out: list[str] = []
    for _, text in markdown_fields(ent.obj, ent.kind.markdown_fields if ent.kind else None):
        reading = reading_of_text(ent.doc, cfg, text)
        if reading is not None:
            out.extend(link.target for link in reading.links)
    return out


def links_of(ent, cfg=None):
    """Every link of an entity's source with its position in the file: the
    body of a Markdown file, or the Markdown fields of a YAML file."""
    doc = ent.doc
    if doc.md is not None:
        return list(doc.md.links)
    found = []
    lines = None
    for path, reading in field_readings(doc, cfg).items():
        if not reading.links:
            continue
        lines = lines or doc.text.split("\n")
        start = doc.loaded.where(path)
        found.extend(locate_in_file(lines, link, start) for link in reading.links)
    return found


def locate_in_file(lines: list[str], link: Link, start: tuple[int, int]) -> Link:
    """A link read from a YAML field, placed in the file: the field starts at
    `start`; the link stands on the field's n-th line, where its target is."""
    needle = link.target
    first = start[0] - 1 + (link.line - 1)
    for n in range(max(first, start[0] - 1), min(len(lines), first + 200)):
        col = lines[n].find(needle) if needle else -1
        if col >= 0:
            bracket = lines[n].rfind("[", 0, col)
            lt = lines[n].rfind("<", 0, col)
            at = bracket if link.kind != "html" else lt
            return Link(link.target, n + 1, (at if at >= 0 else col) + 1, link.image, link.kind,
                        target_at=(n + 1, col + 1))
    return Link(link.target, start[0], start[1], link.image, link.kind)


def github_slug(text: str) -> str:
    """The anchor GitHub gives a heading (for hints on links written for it)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchor_hint(entity, anchor: str) -> str | None:
    md = getattr(entity.doc, "md", None) if entity.doc is not None else None
    if md is not None:
        seen: dict[str, int] = {}
        for h in md.headings:
            slug = github_slug(h.text)
            n = seen.get(slug, -1) + 1
            seen[slug] = n
            gh = slug if n == 0 else f"{slug}-{n}"
            if gh == anchor and h.anchor:
                return f"this site gives that heading the anchor '#{h.anchor}' (GitHub's would be '#{gh}')"
    return did_you_mean(anchor, sorted(entity.anchors))


def check(kb, report) -> None:
    kb.assets_set = set(kb.assets)
    sources = list(kb.by_source.keys())
    linked: set[str] = set()
    for ent in list(kb.by_source.values()):
        doc = ent.doc
        if doc.obj is None:
            continue
        md = doc.md
        if md is not None and md.too_complex:
            report.error(doc.rel, md.too_complex, "KB519",
                         f"this Markdown would stall the renderer: {md.complex_reason}",
                         "close the brackets, put the text in a code block, or split the block")
        if md is None and "8<-" in doc.text and settings_for(kb.config).snippets:
            _field_includes(doc, report, kb.config)
        if md is not None:
            for inc in md.includes:
                if inc.error:
                    report.error(doc.rel, (inc.line, inc.column), "KB320", f"cannot include '{inc.target}': {inc.error}",
                                 "include files inside the knowledge base, by their path from its root")
        for link in links_of(ent, kb.config):
            t = link.target
            pos = (link.line, link.column)
            scheme = unsafe_url(t)
            if scheme:
                if link.kind == "html":
                    continue  # the sanitizer's audit reports raw HTML (kbgen.rules.safety)
                report.error(doc.rel, link.target_at or pos, "KB513", f"{scheme}: URL in a link",
                             "links go to pages or http(s)/mailto/tel addresses; this one would be removed")
                continue
            if not t or is_external(t) or t.startswith("#") and md is None:
                continue
            res = resolve_link(kb, doc.rel, t)
            if res.asset:
                linked.add(res.asset)
            if res.missing:
                _missing(kb, doc, pos, t, res.missing, sources, report)
                continue
            if res.anchor and res.entity is not None and res.anchor not in res.entity.anchors:
                report.error(doc.rel, pos, "KB309",
                             f"anchor '#{res.anchor}' does not exist on {res.entity.source}",
                             _anchor_hint(res.entity, res.anchor))


    runbooks = kb.config.options.runbooks_dir.strip("/") + "/"
    for asset in kb.assets:
        if asset.startswith(runbooks) and asset not in linked:
            report.warning(asset, (1, 1), "KB110", "file in the runbooks folder that no page links to; it is not published",
                           "link it from a runbook (an image, a script), or move it out of the runbooks folder")


def field_position(doc, start: tuple[int, int], n: int, column: int = 1) -> tuple[int, int]:
    """Where the n-th line (1-based) of a YAML field's text stands in the file,
    the field's value starting at `start`: a block scalar (| or >) starts on
    the line after its indicator."""
    lines = doc.text.split("\n")
    here = lines[start[0] - 1] if 0 < start[0] <= len(lines) else ""
    first = here[start[1] - 1:start[1]]
    if first in ('"', "'") and _closes_on_line(here, start[1], first):
        return start  # a one-line quoted scalar: its \n escapes are not lines of the file
    block = first in ("|", ">")
    line = start[0] + (n - 1) + (1 if block else 0)
    line = min(line, len(lines))
    if line == start[0]:
        return line, start[1] + column - 1
    indent = len(lines[line - 1]) - len(lines[line - 1].lstrip()) if line <= len(lines) else 0
    return line, indent + column


def _closes_on_line(line: str, col: int, quote: str) -> bool:
    i = col  # just after the opening quote (col is 1-based)
    while i < len(line):
        ch = line[i]
        if quote == '"' and ch == "\\":
            i += 2
            continue
        if ch == quote:
            if quote == "'" and i + 1 < len(line) and line[i + 1] == "'":
                i += 2  # '' is an escaped quote in a single-quoted scalar
                continue
            return True
        i += 1
    return False


def _field_includes(doc, report, cfg) -> None:
    """`--8<--` in a YAML Markdown field: kbgen expands includes in Markdown
    pages only; left in a field, the renderer's snippets would read files
    nothing checked (or fail the build)."""
    from ..markdown.includes import directives
    for path, text in markdown_fields(doc.obj, _markdown_names(doc, cfg)):
        found = directives(text) if "8<-" in text else []
        if found:
            report.error(doc.rel, field_position(doc, doc.loaded.where(path), found[0] + 1), "KB320",
                         "an include (--8<--) in a YAML field",
                         "includes work in Markdown pages only; put the text in the field, or link to a page")


def _missing(kb, doc, pos, target, missing, sources, report) -> None:
    root = kb.config.root
    hint = None
    near = did_you_mean(posixpath.basename(missing), [posixpath.basename(x) for x in sources])
    if near:
        name = near.split("'")[1]
        match = next(x for x in sources if posixpath.basename(x) == name)
        hint = f"did you mean {posixpath.relpath(match, posixpath.dirname(doc.rel))}?"
    where = root / missing
    if where.is_dir():
        if missing in GENERATED_FOLDERS or missing == kb.config.options.runbooks_dir.strip("/"):
            return  # kbgen writes that folder's index page
        hint = "the folder has no index.md or README.md page; link to a page inside it"
    elif where.exists():
        hint = "the file is not part of the published site (only the docs and runbooks folders are)"
    report.error(doc.rel, pos, "KB308", f"link target '{target}' does not exist", hint)
