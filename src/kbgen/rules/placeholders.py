"""Files made by `kbgen new` and `kbgen init` are filled in before they are published.

Passing:  summary: Steps when payment webhooks stop arriving.
Failing:  summary: One line on when to use this runbook.  -> KB212 (warning)
Failing:  site_url: https://your-kb.example.com/ (init's placeholder) -> KB214 (warning)
"""
from __future__ import annotations

from ..scaffold import PLACEHOLDERS, SITE_URL_PLACEHOLDER


def _strings(node, path=()):
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, path + (i,))


def _found(text: str) -> str | None:
    return next((p for p in PLACEHOLDERS if p in text), None)


def check(kb, report) -> None:
    cfg = kb.config
    if cfg.site_url and cfg.site_url.rstrip("/") == SITE_URL_PLACEHOLDER.rstrip("/"):
        file, line, column = cfg.site_url_at
        report.warning(file, (line, column), "KB214",
                       f"site_url is still the placeholder `kbgen init` wrote ({cfg.site_url}): canonical links, "
                       "the sitemap, kb.json and llms.txt would point there",
                       "set site_url in mkdocs.yml to the address the public site is published at "
                       "(GitHub Pages: https://ORG.github.io/REPO/)")
    for ent in kb.by_source.values():
        doc = ent.doc
        if doc is None or _found(doc.text) is None:
            continue  # the file's text holds none: nothing to walk (keeps validate fast)
        for path, text in _strings(doc.data):
            hit = _found(text)
            if hit:
                report.warning(doc.rel, doc.loaded.where(path), "KB212",
                               f"placeholder text from `kbgen new` is still here: '{hit}'",
                               "replace it with the real content (validate --strict fails until then)")
        if doc.fmt == "md":
            for n, line in enumerate(doc.body.split("\n")):
                hit = _found(line)
                if hit:
                    report.warning(doc.rel, (doc.body_line + n, line.index(hit) + 1), "KB212",
                                   f"placeholder text from `kbgen new` is still here: '{hit}'",
                                   "replace it with the real content (validate --strict fails until then)")
