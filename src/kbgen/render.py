"""Escaping and formatting helpers for generated Markdown (no MkDocs here).

YAML values are untrusted text: `text` and `cell` make them inert in
Markdown and HTML; only fields documented as Markdown go through `md`.
"""
from __future__ import annotations

import html
import json
import re

from .durations import Duration, humanize

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|!])")


def text(value) -> str:
    """Plain text, safe inside Markdown: HTML-escaped, Markdown markup neutralised."""
    if value is None:
        return ""
    s = str(value)
    s = html.escape(s, quote=False)  # & < > first: the result has no raw tags
    s = re.sub(r"([\\`*_\[\]{}#|!])", r"\\\1", s)
    return s.replace("\n", " ").strip()


def cell(value) -> str:
    """Text for a Markdown table cell: one line, no bare pipes."""
    return text(value) or " "


def md(value) -> str:
    """A field documented as Markdown (validated by the safety rules)."""
    return "" if value is None else str(value).strip()


def fence(code: str, lang: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run inside."""
    code = str(code).rstrip("\n")
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{code}\n{ticks}"


def indent(value: str, n: int = 4) -> str:
    pad = " " * n
    return "\n".join(pad + line if line.strip() else "" for line in str(value).split("\n"))


def dur(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Duration):
        return humanize(value.seconds)
    return str(value)


def yaml_str(value) -> str:
    """A YAML scalar for front matter: JSON strings are valid YAML and never inject keys."""
    return json.dumps(value, ensure_ascii=False)


def attr(value) -> str:
    return html.escape(str(value), quote=True)


FILTERS = {"text": text, "cell": cell, "md": md, "fence": fence, "indent": indent, "dur": dur,
           "yaml": yaml_str, "html_attr": attr}
