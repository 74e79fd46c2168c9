"""Markup of other site generators, read as the plain Markdown kbgen knows,
when a body is loaded. Every rewrite stays inside its line, so positions
in problems still point at the writer's file. As in Hugo itself, shortcodes
are replaced in code blocks too.

- Hugo: {{< ref "x.md" >}} and {{< relref "x.md" >}} become the link target x.md;
  {{< param NAME >}} becomes the value the plugin option hugo_params gives.
- Hugo's common shortcodes (hugo-book's and docsy's): hint, notice, alert,
  callout, note, warning, tip, info become a box (`<div class="admonition
  TYPE" markdown>` ... `</div>`, Markdown inside still read); details and
  expand a `<details markdown>` with its summary; highlight a code fence;
  figure an image; youtube a link to the video; tabs and tab a bold label;
  the tags of any other paired shortcode are dropped, its text kept.
- GitLab: a [[_TOC_]] line becomes the toc extension's [TOC] marker.
"""
from __future__ import annotations

import html
import re

_REF = re.compile(r"""\{\{([<%])\s*(?:rel)?ref\s+(?:"([^"]*)"|'([^']*)'|([^\s"'%>]+))\s*[>%]\}\}""")
_PARAM = re.compile(r"""\{\{([<%])\s*param\s+(?:"([^"]*)"|'([^']*)'|([^\s"'%>]+))\s*[>%]\}\}""")
_TOC = re.compile(r"^(\s*)\[\[_TOC_\]\](\s*)$")


def _value(m) -> str:
    return m.group(2) if m.group(2) is not None else (m.group(3) if m.group(3) is not None else m.group(4))


def rewrite(body: str, first_line: int, hugo: bool, params: dict | None = None) -> str:
    """The body with foreign markup replaced; the same body when there is none
    (the common case costs one substring test)."""
    has_hugo = hugo and "{{" in body
    has_toc = "[[_TOC_]]" in body
    if not has_hugo and not has_toc:
        return body
    lines = body.split("\n")
    params = params or {}
    for i, line in enumerate(lines):
        if has_hugo and "{{" in line:
            line = _REF.sub(lambda m: _value(m), line)
            line = _PARAM.sub(lambda m: params.get(_value(m), m.group(0)), line)
            if "{{" in line:
                line = _CODE.sub(_shortcode, line)
        if has_toc and "[[_TOC_]]" in line:
            line = _TOC.sub(r"\1[TOC]\2", line)
        lines[i] = line
    return "\n".join(lines)


_CODE = re.compile(r"\{\{([<%])\s*(/?)\s*([A-Za-z][\w-]*)((?:\s+(?:\"[^\"]*\"|'[^']*'|[^\s%>]+))*)\s*/?\s*[>%]\}\}")
_ARG = re.compile(r"""(?:([\w-]+)=)?(?:"([^"]*)"|'([^']*)'|([^\s"']+))""")
_BOXES = {"hint", "notice", "alert", "callout", "note", "warning", "tip", "info", "admonition", "caution", "danger"}
_TYPES = {"info", "note", "tip", "warning", "danger", "success", "caution", "important", "error", "question"}


def _args(text: str) -> tuple[list[str], dict[str, str]]:
    pos, named = [], {}
    for m in _ARG.finditer(text):
        value = next((g for g in m.groups()[1:] if g is not None), "")
        if m.group(1):
            named[m.group(1)] = value
        else:
            pos.append(value)
    return pos, named


def _shortcode(m: re.Match) -> str:
    """One Hugo shortcode tag as the Markdown kbgen reads (on the same line)."""
    closing, name, (pos, named) = bool(m.group(2)), m.group(3).lower(), _args(m.group(4) or "")
    if name in _BOXES:
        if closing:
            return "</div>"
        kind = next((a.lower() for a in pos + [named.get("type", ""), named.get("color", "")]
                     if a.lower() in _TYPES), "note" if name not in _TYPES else name)
        return f'<div class="admonition {kind}" markdown>'
    if name in ("details", "expand"):
        if closing:
            return "</details>"
        title = named.get("title") or (pos[0] if pos else "Details")
        return f"<details markdown><summary>{html.escape(title)}</summary>"
    if name == "highlight":
        return "```" if closing else "```" + (pos[0] if pos else "")
    if name == "figure" and not closing:
        src = named.get("src", pos[0] if pos else "")
        alt = named.get("alt") or named.get("title") or named.get("caption") or ""
        return f"![{alt}]({src})" if src else ""
    if name == "youtube" and not closing:
        vid = named.get("id", pos[0] if pos else "")
        return f"[{named.get('title') or 'Video'}](https://www.youtube.com/watch?v={vid})" if vid else ""
    if name == "tab" and not closing:
        title = named.get("name") or named.get("header") or (pos[0] if pos else "")
        return f"**{title}**" if title else ""
    if name in ("tabs", "tab", "columns", "column", "section", "card", "cardpane"):
        return ""
    return m.group(0)  # someone's own shortcode: shown as written, and adopt lists its name


_SHORTCODE = re.compile(r"\{\{[<%]\s*/?\s*([A-Za-z][\w-]*)")

# the shortcodes `rewrite` turns into Markdown
KNOWN_SHORTCODES = {"ref", "relref", "param", "details", "expand", "highlight", "figure", "youtube", "tabs", "tab",
                    "columns", "column", "section", "card", "cardpane"} | _BOXES


def unknown_shortcodes(body: str) -> set[str]:
    """Names of Hugo shortcodes kbgen does not map (for `kbgen adopt`'s report)."""
    return {m.group(1) for m in _SHORTCODE.finditer(body)} - KNOWN_SHORTCODES
