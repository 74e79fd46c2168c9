"""Contacts (`kind: contacts`): channels and people; an entry may be internal
inside a public file (a person's phone)."""
from __future__ import annotations

from ..schema.kinds import Contacts
from ..text.plaintext import joined
from .base import Kind


class ContactsKind(Kind):
    type = name = "contacts"
    model = Contacts
    template = "contacts.md.j2"
    title = label = "Contacts"
    order = 70
    nav_group = "Support"
    search_weight = 0.8
    data_schema = {"properties": {"channels": {"type": "array"}, "people": {"type": "array"}}}

    def for_audience(self, ent, audience):
        if audience == "internal":
            return None
        # The entry's own audience wins; unmarked entries follow the file.
        obj = ent.obj
        return obj.model_copy(update={
            "channels": [c for c in obj.channels if (c.audience or ent.audience) == audience],
            "people": [p for p in obj.people if (p.audience or ent.audience) == audience],
        })

    def search_text(self, kb, ent, text):
        text.hints.append("contact support email phone hours")
        for c in [*ent.obj.channels, *ent.obj.people]:
            text.body += [c.name, getattr(c, "role", "") or "", c.email or "", c.phone or "", c.hours or "",
                          c.notes or ""]

    def sections(self, kb, ent):
        o = ent.obj
        parts = [joined(c.name, c.email, c.phone, getattr(c, "url", None), c.hours) for c in [*o.channels, *o.people]]
        return [("", ent.title, " ".join(parts), [])]


KIND = ContactsKind()
