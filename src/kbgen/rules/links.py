"""Markdown links must reach a page, and their #anchor must exist on it.

Links point at source files, as on a git host: `../runbooks/x.yaml`,
`reference/errors.yaml#qt-001`; kbgen maps them to page URLs.

Passing:  [Gateway](../runbooks/quantum-gateway.yaml#diagnostics)
Failing:  [Gateway](../runbooks/quantum-gatway.yaml) -> KB308 link target does not exist
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote

from ..schema.errors import did_you_mean

_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")


@dataclass
class Resolved:
    entity: object = None      # the Entity the link reaches, if any
    asset: str | None = None   # or a static file under the docs folder
    anchor: str = ""
    missing: str | None = None  # the path that was looked for, when nothing matched


def is_external(target: str) -> bool:
    return bool(_EXTERNAL.match(target))


def resolve_link(kb, from_rel: str, target: str) -> Resolved:
    path, _, anchor = target.partition("#")
    path = unquote(path.split("?", 1)[0])
    if not path:
        return Resolved(entity=kb.by_source.get(from_rel), anchor=anchor)
    if path.startswith("/"):
        joined = posixpath.normpath(kb.config.docs_dir + path)
    else:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(from_rel), path))
    candidates = [joined]
    if path.endswith("/") or not posixpath.splitext(joined)[1]:
        candidates += [joined + "/index.md", joined + "/README.md", joined + ".md"]
    for cand in candidates:
        ent = kb.by_source.get(cand)
        if ent is not None:
            return Resolved(entity=ent, anchor=anchor)
    if joined in kb.assets_set:
        return Resolved(asset=joined, anchor=anchor)
    return Resolved(anchor=anchor, missing=joined)


def markdown_fields(obj, path=()):
    """(path, text) of every Markdown-valued field of a YAML object: descriptions,
    FAQ answers, error-code resolutions written as text."""
    if isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from markdown_fields(item, path + (i,))
        return
    fields = getattr(type(obj), "model_fields", None)
    if not fields:
        return
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, str) and name in MARKDOWN_FIELDS:
            yield path + (name,), value
        elif isinstance(value, (list, tuple)) or hasattr(type(value), "model_fields"):
            yield from markdown_fields(value, path + (name,))


MARKDOWN_FIELDS = {"description", "a", "resolution", "notes"}


def links_of(ent):
    """Every Markdown link of an entity's source with its position: the body of
    a Markdown file, or the Markdown fields of a YAML file."""
    from ..source import scan_markdown
    doc = ent.doc
    if doc.md is not None:
        return list(doc.md.links)
    if "](" not in doc.text and "]:" not in doc.text:
        return []
    found = []
    lines = doc.text.split("\n")
    for path, text in markdown_fields(doc.obj):
        start = doc.loaded.where(path)
        for link in scan_markdown(text).links:
            found.append(_locate(lines, link, start))
    return found


def _locate(lines, link, start):
    from ..source import Link
    needle = "](" + link.target
    for n in range(start[0] - 1, len(lines)):
        col = lines[n].find(needle)
        if col >= 0:  # report at the link's '[' as for Markdown files
            bracket = lines[n].rfind("[", 0, col)
            return Link(link.target, n + 1, (bracket if bracket >= 0 else col) + 1, link.image)
    return Link(link.target, start[0], start[1], link.image)


def check(kb, report) -> None:
    kb.assets_set = set(kb.assets)
    sources = list(kb.by_source.keys())
    for ent in list(kb.by_source.values()):
        doc = ent.doc
        if doc.obj is None:
            continue
        for link in links_of(ent):
            t = link.target
            if not t or is_external(t):
                continue
            res = resolve_link(kb, doc.rel, t)
            pos = (link.line, link.column)
            if res.missing:
                near = did_you_mean(posixpath.basename(res.missing), [posixpath.basename(x) for x in sources])
                hint = None
                if near:
                    name = near.split("'")[1]
                    match = next(x for x in sources if posixpath.basename(x) == name)
                    hint = f"did you mean {posixpath.relpath(match, posixpath.dirname(doc.rel))}?"
                if (kb.config.root / res.missing).exists():
                    hint = "the file is outside the docs and runbooks folders, so it is not published"
                report.error(doc.rel, pos, "KB308", f"link target '{t}' does not exist", hint)
                continue
            if res.anchor and res.entity is not None and res.anchor not in res.entity.anchors:
                report.error(doc.rel, pos, "KB309",
                             f"anchor '#{res.anchor}' does not exist on {res.entity.source}",
                             did_you_mean(res.anchor, sorted(res.entity.anchors)))
