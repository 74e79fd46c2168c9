"""Markup of other site generators, read as the plain Markdown kbgen knows,
when a body is loaded. Every rewrite stays inside its line, so positions
in problems still point at the writer's file. As in Hugo itself, shortcodes
are replaced in code blocks too.

- Hugo: {{< ref "x.md" >}} and {{< relref "x.md" >}} become the link target x.md;
  {{< param NAME >}} becomes the value the plugin option hugo_params gives.
- GitLab: a [[_TOC_]] line becomes the toc extension's [TOC] marker.
"""
from __future__ import annotations

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
        if has_toc and "[[_TOC_]]" in line:
            line = _TOC.sub(r"\1[TOC]\2", line)
        lines[i] = line
    return "\n".join(lines)


_SHORTCODE = re.compile(r"\{\{[<%]\s*/?\s*([A-Za-z][\w-]*)")


def unknown_shortcodes(body: str) -> set[str]:
    """Names of Hugo shortcodes kbgen does not map (for `kbgen adopt`'s report)."""
    return {m.group(1) for m in _SHORTCODE.finditer(body)} - {"ref", "relref", "param"}
