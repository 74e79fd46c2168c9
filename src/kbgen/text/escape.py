"""Escaping and formatting helpers for generated Markdown (no MkDocs here).

YAML values are untrusted text: `text` and `cell` make them inert in
Markdown and HTML; only fields documented as Markdown go through `md`.
"""
from __future__ import annotations

import html
import json
import re
from urllib.parse import quote

from .durations import Duration, humanize


def _escape(s: str) -> str:
    s = html.escape(s, quote=False)  # & < > first: the result has no raw tags
    return re.sub(r"([\\`*_\[\]{}#|!])", r"\\\1", s)


def text(value) -> str:
    """Plain text, safe inside Markdown: HTML-escaped, Markdown markup
    neutralised, except `code spans`, which writers use in step titles and
    notes and which Markdown renders inert (as <code>, escaped)."""
    if value is None:
        return ""
    s = str(value).replace("\n", " ").strip()
    if "`" not in s:
        return _escape(s)
    out, pos = [], 0
    for start, end in code_spans(s):
        out.append(_escape(s[pos:start]))
        out.append(s[start:end])
        pos = end
    out.append(_escape(s[pos:]))
    return "".join(out)


def code_spans(s: str):
    """(start, end) of each code span: a run of n backticks up to the next
    run of exactly n (CommonMark); an unmatched run is plain text."""
    runs: dict[int, list[int]] = {}
    i, n = 0, len(s)
    found = []
    while i < n:
        if s[i] != "`":
            i += 1
            continue
        j = i
        while j < n and s[j] == "`":
            j += 1
        runs.setdefault(j - i, []).append(i)
        found.append((i, j - i))
        i = j
    spans, used_until = [], -1
    for k, (start, length) in enumerate(found):
        if start < used_until:
            continue
        close = next(((p, ln) for p, ln in found[k + 1:] if ln == length), None)
        if close is not None and s[start + length:close[0]].strip():
            spans.append((start, close[0] + length))
            used_until = close[0] + length
    return spans


def inline(value) -> str:
    """Text inside one line of generated Markdown (a link's text, a list
    item): every character that could start markup (a link, emphasis, code,
    a tag, a heading, a table cell) escaped with a backslash."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", str(value))


def link_target(url: str) -> str:
    """A URL as a Markdown link target: whatever could end the target or start
    another (spaces, parentheses, angle brackets) percent-encoded."""
    return quote(str(url), safe=":/?#@!$&'*+,;=%~")


def cell(value) -> str:
    """Text for a Markdown table cell: one line, no bare pipes."""
    return text(value) or " "


def md(value) -> str:
    """A field documented as Markdown (validated by the safety rules)."""
    return "" if value is None else str(value).strip()


def code_span(value) -> str:
    """One line of inline code, whatever the value holds: newlines folded
    (a blank line would end the paragraph and let the rest be read as
    Markdown), backtick runs inside outnumbered by the delimiters."""
    s = " ".join(str(value or "").split())
    if not s:
        return ""
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{ticks}{pad}{s}{pad}{ticks}"


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


def theme_text(value) -> str:
    """A front-matter value the theme prints into HTML unescaped (title,
    description, subtitle, tags: MkDocs templates do not autoescape), as a YAML
    scalar whose text is already HTML-escaped, quotes included."""
    return yaml_str(html.escape(" ".join(str(value).split()), quote=True))


def attr(value) -> str:
    return html.escape(str(value), quote=True)


FILTERS = {"text": text, "cell": cell, "md": md, "fence": fence, "indent": indent, "dur": dur,
           "yaml": yaml_str, "html_attr": attr, "theme_text": theme_text,
           "code": code_span}
