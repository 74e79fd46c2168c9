"""A Python-Markdown extension that sanitizes the HTML of every page it
converts: `markdown_extensions: [kbgen.markdown.safe]`.

kbgen adds it to every site it stages, so whichever renderer converts the
pages (MkDocs, ProperDocs, Zensical: all run Python-Markdown), raw HTML from
content passes the allowlist of kbgen.markdown.sanitize. It runs last, after
the raw HTML a page carried has been put back into it.
"""
from __future__ import annotations

from markdown import Extension
from markdown.postprocessors import Postprocessor

from .sanitize import clean


class _Sanitize(Postprocessor):
    def run(self, text: str) -> str:
        return clean(text)


class SafeExtension(Extension):
    def extendMarkdown(self, md):
        md.postprocessors.register(_Sanitize(md), "kbgen_sanitize", -100)


def makeExtension(**kwargs):
    return SafeExtension(**kwargs)
