"""Markdown and typed values as plain text, for search documents, the export
and kinds' search text. No markup survives; words and commands do."""
from __future__ import annotations

import re

from .durations import Duration

_FENCE = re.compile(r"^\s*(`{3,}|~{3,}).*$", re.M)           # fence lines go, the code stays
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", re.M)
_ADMONITION = re.compile(r'^\s*(!!!|\?\?\?\+?)\s*[\w-]+(\s+"([^"]*)")?.*$', re.M)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")                # [text](url) -> text
_EMPHASIS = re.compile(r"(?<![\w*])(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_LIST = re.compile(r"^\s*([-*+]|\d+[.)])\s+", re.M)
_MARKS = re.compile(r"<[^>]+>|\{[:#][^}]*\}|^\s*#{1,6}\s+|^\s*>\s?|[`|]", re.M)


def plain(text: str | None) -> str:
    """Markdown to plain text for search and export: markup goes, words and
    commands stay (code blocks too: agents search for the command they saw)."""
    if not text:
        return ""
    text = _FENCE.sub(" ", str(text))
    text = _TABLE_RULE.sub(" ", text)
    text = _ADMONITION.sub(lambda m: " " + (m.group(3) or "") + " ", text)
    text = _LINK.sub(r" \1 ", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _LIST.sub(" ", text)
    text = _MARKS.sub(" ", text)
    return " ".join(text.split())


def step_texts(steps) -> list[str]:
    """The words of runbook steps, one string per part (title, command, expectation, note)."""
    out: list[str] = []
    for s in steps or []:
        out += [s.title, s.run or "", s.expect or "", s.note or ""]
    return out


def steps_text(steps) -> str:
    """Steps as one text; titles and notes may carry Markdown, a command is kept exactly as written."""
    return " ".join(" ".join(x for x in (plain(s.title), s.run, plain(s.expect), plain(s.note)) if x)
                    for s in steps or [])


def dur(d: Duration | None) -> str:
    return d.human() if d else ""


def joined(*parts) -> str:
    """The non-empty parts, space-separated."""
    return " ".join(str(p) for p in parts if p)
