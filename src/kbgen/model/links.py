"""Links between entities, a fact of the model: what a link written in a
source reaches (resolve_link: an entity and its anchor, an asset, or
nothing), and every link an entity's source makes, where it stands in the
file (links_of). The link rule (kbgen.rules.links), the audience filter and
the page writer all ask here.

Links point at source files, as on a git host: `../runbooks/x.yaml`,
`reference/errors.yaml#qt-001`. In a YAML file, the fields whose text is
Markdown (descriptions, FAQ answers: MARKDOWN_FIELDS, and what a kind adds)
are read once and kept on the document."""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from ..markdown import Link, read_fragment, settings_for
from ..text.anchors import github_anchors

# The fields of a YAML object whose text is Markdown, unless its kind says
# otherwise (kbgen.kinds.Kind.markdown_fields): read, checked, rendered as Markdown.
MARKDOWN_FIELDS = frozenset({"description", "a", "resolution", "notes"})


_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")


@dataclass
class Resolved:
    entity: Any = None         # the Entity the link reaches, if any
    asset: str | None = None   # or a static file
    anchor: str = ""
    missing: str | None = None  # the path that was looked for, when nothing matched


def is_external(target: str) -> bool:
    return bool(_EXTERNAL.match(target))


def site_anchor(entity, anchor: str) -> str:
    """The anchor as this site has it: one written for GitHub's renderer
    (`#setup-1`, the second "Setup") becomes the site's (`#setup_1`)."""
    if not anchor or entity is None or anchor in entity.anchors:
        return anchor
    md = getattr(entity.doc, "md", None) if entity.doc is not None else None
    if md is None or not md.headings:
        return anchor
    return github_anchors(md.headings).get(anchor, anchor)


def resolve_link(kb, from_rel: str, target: str) -> Resolved:
    res = _resolve(kb, from_rel, target)
    if res.entity is not None and res.anchor:
        res.anchor = site_anchor(res.entity, res.anchor)
    return res


def _resolve(kb, from_rel: str, target: str) -> Resolved:
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
    if not posixpath.splitext(joined)[1]:
        # a site address, not a file (`/runbooks/node/nodedown/`): Hugo lower-cases the
        # URLs it makes from file names, so the address may differ from the file in case
        lower = _lower_sources(kb)
        for cand in candidates:
            ent = lower.get(cand.lower())
            if ent is not None:
                return Resolved(entity=ent, anchor=anchor)
    assets = kb.assets_set or set(kb.assets)
    if joined in assets:
        return Resolved(asset=joined, anchor=anchor)
    return Resolved(anchor=anchor, missing=joined)


def _lower_sources(kb) -> dict:
    """Sources by lower-cased path (built once per model; the first of two
    that differ only in case wins)."""
    cached = getattr(kb, "_lower_sources", None)
    if cached is None or cached[0] != len(kb.by_source):
        table: dict = {}
        for rel, ent in kb.by_source.items():
            table.setdefault(rel.lower(), ent)
        cached = (len(kb.by_source), table)
        try:
            kb._lower_sources = cached
        except AttributeError:
            return table
    return cached[1]


def markdown_fields(obj, names=None, path=()):
    """(path, text) of every Markdown-valued field of a YAML object: the fields
    its kind names (kbgen.kinds.Kind.markdown_fields: descriptions, FAQ
    answers, error-code resolutions written as text...)."""
    if names is None:
        names = MARKDOWN_FIELDS
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


def markdown_names(doc, cfg):
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
            for path, text in markdown_fields(doc.obj, markdown_names(doc, cfg)):
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
