"""Markdown links must reach a page, and their #anchor must exist on it
(what a link reaches is the model's: kbgen.model.links).

Links point at source files, as on a git host: `../runbooks/x.yaml`,
`reference/errors.yaml#qt-001`; kbgen maps them to page URLs. Every link
form counts (inline, reference, wrapped over lines, raw HTML `<a href>`,
images), as Python-Markdown reads it (kbgen.markdown), and nothing in code.

Passing:  [Gateway](../runbooks/quantum-gateway.yaml#diagnostics)
Failing:  [Gateway](../runbooks/quantum-gatway.yaml) -> KB308 link target does not exist
"""
from __future__ import annotations

import os
import posixpath
import re

from ..markdown import settings_for
from ..markdown.includes import directives
from ..markdown.sanitize import SCRIPT_SCHEMES, unsafe_url
from ..model.links import field_position, is_external, links_of, markdown_fields, markdown_names, resolve_link
from ..schema.errors import did_you_mean
from .causes import cause_of, follows

# Folders kbgen makes an index page for, whatever the writer's folders hold.
GENERATED_FOLDERS = {"runbooks": "runbooks/index.md"}


def _anchor_hint(entity, anchor: str) -> str | None:
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
        if md is not None and md.failed:
            report.error(doc.rel, (doc.body_line or 1, 1), "KB520",
                         f"a Markdown extension fails on this page: {md.failed}",
                         "the renderer would stop on it too; fix the text it names, or the extension's settings")
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
                if link.kind != "html":  # (the sanitizer's audit reports raw HTML: kbgen.rules.safety)
                    _scheme(doc.rel, link.target_at or pos, t, scheme, report)
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


def _scheme(rel: str, pos, target: str, scheme: str, report) -> None:
    """A link whose scheme the sanitizer removes: an error for one that runs
    script (javascript:, data: ...); a browser's or an app's own address
    (about:config, chrome://settings, zoommtg://) is a warning, shown as
    text; `link:https://...` is no address at all (a broken link)."""
    rest = target.split(":", 1)[1].strip() if ":" in target else ""
    if re.match(r"(?:https?|mailto|tel):", rest, re.I):
        report.error(rel, pos, "KB308", f"'{scheme}:' is not a URL scheme: '{target}' goes nowhere",
                     f"write the address alone: {rest}")
    elif scheme in SCRIPT_SCHEMES:
        report.error(rel, pos, "KB513", f"{scheme}: URL in a link: it can run script or carry a document",
                     "links go to pages or http(s)/mailto/tel addresses; this one would be removed")
    else:
        report.warning(rel, pos, "KB513", f"'{target}' is a browser's or an app's own address: the site shows "
                       "its text, not a link (browsers do not open it from a web page)",
                       f"write it as code (`{target}`) to show it as an address to type")


def _field_includes(doc, report, cfg) -> None:
    """`--8<--` in a YAML Markdown field: kbgen expands includes in Markdown
    pages only; left in a field, the renderer's snippets would read files
    nothing checked (or fail the build)."""
    for path, text in markdown_fields(doc.obj, markdown_names(doc, cfg)):
        found = directives(text) if "8<-" in text else []
        if found:
            report.error(doc.rel, field_position(doc, doc.loaded.where(path), found[0] + 1), "KB320",
                         "an include (--8<--) in a YAML field",
                         "includes work in Markdown pages only; put the text in the field, or link to a page")


def _missing(kb, doc, pos, target, missing, sources, report) -> None:
    cause = cause_of(kb, report, target, path=missing)
    if cause:
        report.error(doc.rel, pos, "KB308", f"link target '{target}' did not load (its own error comes first)",
                     follows(cause), cause=cause)
        return
    root = kb.config.root
    hint = None
    near = did_you_mean(posixpath.basename(missing), [posixpath.basename(x) for x in sources])
    if near:
        name = near.split("'")[1]
        match = next(x for x in sources if posixpath.basename(x) == name)
        hint = f"did you mean {posixpath.relpath(match, posixpath.dirname(doc.rel))}?"
    where = root / missing
    # (os.path: a target too long to be a file name is simply not there, never an OSError)
    if os.path.isdir(where):
        if missing in GENERATED_FOLDERS or missing == kb.config.options.runbooks_dir.strip("/"):
            return  # kbgen writes that folder's index page
        hint = "the folder has no index.md or README.md page; link to a page inside it"
    elif os.path.exists(where):
        hint = "the file is not part of the published site (only the docs and runbooks folders are)"
    report.error(doc.rel, pos, "KB308", f"link target '{target}' does not exist", hint)
