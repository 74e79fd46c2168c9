"""Support tiers (`kind: tiers`): the escalation path, drawn from the data."""
from __future__ import annotations

import html
import re

from ..schema.errors import did_you_mean
from ..schema.kinds import Tiers
from ..text import escape
from ..text.plaintext import dur, plain
from .base import Kind, index


def _node(ident: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", ident)


def _mlabel(value: str) -> str:
    # Mermaid labels in quotes: escape quotes and markup as entities
    return html.escape(str(value), quote=True).replace("#", "&num;")


def mermaid(tiers) -> str:
    """The escalation path as a Mermaid flowchart, generated from the data."""
    lines = ["flowchart TD"]
    for t in tiers.tiers:
        lines.append(f'    {_node(t.id)}["{_mlabel(t.name)}"]')
    for t in tiers.tiers:
        if t.escalates_to:
            label = f"after {escape.dur(t.handoff)}" if t.handoff else "escalate"
            lines.append(f'    {_node(t.id)} -->|"{_mlabel(label)}"| {_node(t.escalates_to)}')
    if tiers.management_chain:
        prev = None
        for i, name in enumerate(tiers.management_chain):
            node = f"m_{i}"
            lines.append(f'    {node}(["{_mlabel(name)}"])')
            if prev:
                lines.append(f"    {prev} --> {node}")
            prev = node
    return "\n".join(lines)


class TiersKind(Kind):
    type = name = "tiers"
    model = Tiers
    template = "tiers.md.j2"
    title = label = "Support tiers"
    order = 60
    nav_group = "Support"
    data_schema = {"required": ["tiers"],
                   "properties": {"tiers": {"type": "array", "items": {"type": "object"}, "minItems": 1}}}

    def anchors(self, ent):
        return [t.id for t in ent.obj.tiers]

    def check(self, kb, ent, report):
        tiers = index(kb, "tiers_index")
        local = {t.id for t in ent.obj.tiers}
        for i, t in enumerate(ent.obj.tiers):
            if t.escalates_to and t.escalates_to not in local and t.escalates_to not in tiers:
                report.error(ent.source, ent.doc.loaded.where(("tiers", i, "escalates_to")), "KB306",
                             f"tier '{t.escalates_to}' does not exist", did_you_mean(t.escalates_to, local))
        for i, t in enumerate(ent.obj.tiers):
            first = tiers[t.id][0][0]
            if first is not ent:  # the same tier id in two tiers files: references become ambiguous
                report.error(ent.source, ent.doc.loaded.where(("tiers", i, "id")), "KB304",
                             f"tier id '{t.id}' is also defined in {first.source}",
                             "give tiers unique ids across the knowledge base")

    def page_context(self, kb, ent, ctx):
        return {"mermaid": mermaid(ent.obj)}

    def search_text(self, kb, ent, text):
        o = ent.obj
        text.hints.append("escalation path escalate support tiers levels")
        text.body += [plain(o.description), *o.management_chain, *o.management_triggers]
        for t in o.tiers:
            text.symptoms.append(t.name)
            text.body += [t.description or "", *t.capabilities, *t.tools, *t.escalate_when, t.process or "",
                          f"handoff {dur(t.handoff)}" if t.handoff else ""]

    def sections(self, kb, ent):
        return [(t.id, t.name, " ".join([t.description or "", *t.capabilities, *t.escalate_when]), [])
                for t in ent.obj.tiers]


KIND = TiersKind()
