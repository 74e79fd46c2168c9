"""FAQ (`kind: faq`): questions with Markdown answers, each at its own anchor."""
from __future__ import annotations

from ..schema.kinds import Faq
from ..text.anchors import slugify
from ..text.plaintext import plain
from .base import Kind, Part


def question_anchor(q) -> str:
    return q.id or slugify(q.q)


class FaqKind(Kind):
    type = name = "faq"
    model = Faq
    template = "faq.md.j2"
    title = label = "FAQ"
    order = 30
    search_weight = 1.1
    data_schema = {"required": ["questions"],
                   "properties": {"questions": {"type": "array", "items": {"type": "object"}, "minItems": 1}}}

    def anchors(self, ent):
        return [question_anchor(q) for q in ent.obj.questions]

    def search_text(self, kb, ent, text):
        for q in ent.obj.questions:
            text.symptoms.append(q.q)
            text.body.append(plain(q.a))

    def parts(self, kb, ent):
        return [Part(question_anchor(q), q.q, [q.q], [plain(q.a)]) for q in ent.obj.questions]

    def sections(self, kb, ent):
        return [(question_anchor(q), q.q, plain(q.a), []) for q in ent.obj.questions]


KIND = FaqKind()
