"""Reply templates (`kind: templates`): canned answers with placeholders."""
from __future__ import annotations

from ..plaintext import joined, plain
from ..schema.kinds import Templates
from .base import Kind, Part


class TemplatesKind(Kind):
    type = name = "templates"
    model = Templates
    template = "templates.md.j2"
    title = "Templates"
    label = "Reply templates"
    order = 80
    search_weight = 0.8
    data_schema = {"required": ["templates"],
                   "properties": {"templates": {"type": "array", "items": {"type": "object"}, "minItems": 1}}}

    def anchors(self, ent):
        return [t.id for t in ent.obj.templates]

    def search_text(self, kb, ent, text):
        text.body.append(plain(ent.obj.description))
        for t in ent.obj.templates:
            text.symptoms.append(t.title)
            text.body += [t.use_when or "", t.body]

    def parts(self, kb, ent):
        return [Part(t.id, t.title, [t.title, t.use_when or ""], [t.subject or "", t.body]) for t in ent.obj.templates]

    def sections(self, kb, ent):
        return [(t.id, t.title, joined(t.use_when, t.subject, t.body), []) for t in ent.obj.templates]


KIND = TemplatesKind()
