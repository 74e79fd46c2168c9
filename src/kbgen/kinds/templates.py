"""Reply templates (`kind: templates`): canned answers with placeholders."""
from __future__ import annotations

import re

from ..schema.kinds import Templates
from ..text.plaintext import joined, plain
from .base import Kind, Part

# [Name] not followed by "(": a link's text is no placeholder
PLACEHOLDER = re.compile(r"\[([^\[\]\n]+)\](?!\()")


class TemplatesKind(Kind):
    type = name = "templates"
    model = Templates
    template = "templates.md.j2"
    title = "Templates"
    label = "Reply templates"
    order = 80
    nav_group = "Support"
    search_weight = 0.8
    data_schema = {"required": ["templates"],
                   "properties": {"templates": {"type": "array", "items": {"type": "object"}, "minItems": 1}}}

    def anchors(self, ent):
        return [t.id for t in ent.obj.templates]

    def check(self, kb, ent, report):
        check_placeholders(ent, report)

    def search_text(self, kb, ent, text):
        text.body.append(plain(ent.obj.description))
        for t in ent.obj.templates:
            text.symptoms.append(t.title)
            text.body += [t.use_when or "", t.body]

    def parts(self, kb, ent):
        return [Part(t.id, t.title, [t.title, t.use_when or ""], [t.subject or "", t.body]) for t in ent.obj.templates]

    def sections(self, kb, ent):
        return [(t.id, t.title, joined(t.use_when, t.subject, t.body), []) for t in ent.obj.templates]


def check_placeholders(ent, report) -> None:
    """KB515: a [Placeholder] used in a subject or body and not declared; KB516: declared, never used."""
    doc = ent.doc
    lines = doc.text.split("\n")
    for i, t in enumerate(ent.obj.templates):
        declared = set(t.placeholders)
        used = []
        for field in ("subject", "body"):
            value = getattr(t, field) or ""
            for m in PLACEHOLDER.finditer(value):
                name = m.group(1).strip()
                if name.lower() in ("x", "") or not name.strip():
                    continue  # Markdown task-list boxes
                used.append(name)
                if name not in declared:
                    start = doc.loaded.where(("templates", i, field))
                    pos = _find(lines, f"[{m.group(1)}]", start)
                    report.error(doc.rel, pos, "KB515", f"placeholder [{name}] in template '{t.id}' is not declared",
                                 f"add '{name}' to the template's placeholders")
        for j, name in enumerate(t.placeholders):
            if name not in used:
                report.warning(doc.rel, doc.loaded.where(("templates", i, "placeholders", j)), "KB516",
                               f"placeholder '{name}' is declared but not used in template '{t.id}'")


def _find(lines, needle, start):
    for n in range(start[0] - 1, len(lines)):
        col = lines[n].find(needle)
        if col >= 0:
            return (n + 1, col + 1)
    return start


KIND = TemplatesKind()
