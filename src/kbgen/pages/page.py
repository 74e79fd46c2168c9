"""A page of the site as Markdown, and what every page writer shares: its
front matter (escaped: the theme prints it into HTML as it is) and tidy()."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import escape


@dataclass
class Page:
    path: str                      # docs-relative .md path
    markdown: str                  # full Markdown, front matter included
    title: str
    entity_id: str | None = None
    source: str | None = None      # source file relative to the KB root (edit links)
    verbatim: bool = False         # holds a writer's Markdown: never re-flowed by tidy()


def front_matter(title: str | None, description: str = "", tags=(), boost: float | None = None, extra=None) -> str:
    # title, description and tags are printed into HTML by the theme without
    # escaping: they go in escaped (escape.theme_text)
    lines = ["---"] + ([f"title: {escape.theme_text(title)}"] if title is not None else [])
    if description:
        lines.append(f"description: {escape.theme_text(description)}")
    if tags:
        lines.append("tags: [" + ", ".join(escape.theme_text(t) for t in tags) + "]")
    if boost:
        lines.append(f"search:\n  boost: {boost}")
    for k, v in (extra or {}).items():
        lines.append(f"{k}: {v}")
    lines.append("---")
    return "\n".join(lines) + "\n\n"


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")  # the fences kbgen's own templates write


def tidy(markdown: str) -> str:
    """A blank line before every heading and at most one blank line in a row,
    outside code fences: templates stay readable, output stays regular."""
    out: list[str] = []
    fence = None
    for line in markdown.split("\n"):
        m = _FENCE.match(line.lstrip())
        if fence:
            out.append(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
        if not line.strip():
            if out and not out[-1].strip():
                continue
            out.append("")
            continue
        if line.startswith("#") and out and out[-1].strip() and out[-1] != "---":
            out.append("")
        elif line.startswith("|") and out and out[-1].strip() and not out[-1].startswith("|"):
            out.append("")  # a table needs a blank line before it
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"
