"""Articles: the writers' own Markdown pages (content/**/*.md)."""
from __future__ import annotations

from ..text.plaintext import plain
from .base import Kind, markdown_sections


class ArticleKind(Kind):
    type = "article"
    title = "Articles"
    label = "Article"
    order = 40
    browse = False     # the writers' folders are their listing, in the navigation
    in_folders = True
    data_schema = {"required": ["type", "headings"],
                   "properties": {"type": {"type": "string"}, "headings": {"type": "array", "items": {"type": "string"}}}}

    def search_text(self, kb, ent, text):
        text.body.append(plain(ent.doc.body))

    def sections(self, kb, ent):
        return [(a, t, x, []) for a, t, x in markdown_sections(ent.title, ent.doc.body)]

    def data(self, kb, ent, data, refs):
        data.setdefault("type", ent.obj.type)
        data["headings"] = [h.text for h in ent.doc.md.headings if h.level == 2]
        return data


KIND = ArticleKind()
