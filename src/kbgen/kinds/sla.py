"""Service levels (`kind: sla`): priorities, channels, plans and targets."""
from __future__ import annotations

import re

from ..schema.kinds import Sla
from ..text.anchors import code_anchor, normalize_code
from ..text.plaintext import dur, joined, plain
from .base import Kind, Part
from .slamatrix import effective

HINTS = "service level agreement SLA response time resolution time targets"


_CODE_LIKE = re.compile(r"[A-Za-z]{0,4}[-_ ]?\d{1,2}")


def priority_label(pid: str, name: str) -> str:
    """A priority as readers see it: "P1 — Critical" when its id is a short
    code people quote (P1, SEV-2), its name alone when the id is a slug
    ("anya-critical": an id for links, not for readers)."""
    return f"{pid} — {name}" if _CODE_LIKE.fullmatch(str(pid)) else str(name)


def has_details(p) -> bool:
    return bool(p.definition or p.impact or p.update_every or p.communication or p.examples)


def matrix(sla) -> list[dict]:
    """Tables per plan: rows are priorities, columns channels."""
    eff = effective(sla)
    plans = [(p.id, p.name) for p in sla.plans] or [(None, None)]
    channels = [(c.id, c.name) for c in sla.channels] or [(None, "All channels")]
    tables = []
    for plan_id, plan_name in plans:
        rows = []
        for p in sla.priorities:
            cells = []
            for ch_id, _ in channels:
                hit = eff.get((ch_id, plan_id), {}).get(p.id)
                cells.append(hit[1] if hit else None)
            rows.append((p, cells))
        if any(c is not None for _, cs in rows for c in cs):
            tables.append({"plan": plan_name, "channels": channels, "rows": rows})
    return tables


class SlaKind(Kind):
    type = name = "sla"
    model = Sla
    template = "sla.md.j2"
    title = label = "Service levels"
    order = 50
    nav_group = "Support"
    data_schema = {"required": ["priorities"], "properties": {
        "priorities": {"type": "array", "items": {"type": "object"}, "minItems": 1}, "targets": {"type": "array"}}}

    def anchors(self, ent):
        return [code_anchor(p.id) for p in ent.obj.priorities] + [p.id for p in ent.obj.plans]

    def page_context(self, kb, ent, ctx):
        tables = matrix(ent.obj)
        # each priority's anchor once: on its row of the priorities table when the page has one
        # (a priority with details), else on its row of the first targets table
        listed = any(has_details(p) for p in ent.obj.priorities) or not tables
        return {"matrix": tables, "label": priority_label, "details": has_details, "priority_table": listed}

    def search_text(self, kb, ent, text):
        o = ent.obj
        text.hints.append(HINTS)
        text.body.append(plain(o.description))
        for p in o.priorities:
            text.symptoms += [p.id, p.name]  # "P1" as a code is answered by the priority's own part
            text.body += [p.definition or "", p.impact or "", *p.examples, p.communication or "", dur(p.update_every)]
        for c in o.channels:
            text.body += [c.name, c.hours or ""]
        for p in o.plans:
            text.body += [p.name, p.price or "", f"uptime {p.uptime}" if p.uptime else "", *p.features]
        for t in o.targets:
            text.body.append(f"{t.priority} response {dur(t.response)} resolution {dur(t.resolution)} {t.note or ''}")

    def parts(self, kb, ent):
        return [self._priority(ent, p) for p in ent.obj.priorities]

    @staticmethod
    def _priority(ent, p) -> Part:
        """One priority with its targets: "P1 resolution time" shows P1's targets."""
        names = {str(p.id).lower(), str(p.name).lower()}
        targets = []
        for t in ent.obj.targets:
            if str(t.priority).lower() in names:
                where = " ".join(x for x in (t.channel, t.plan) if x)
                said = [f"response {dur(t.response)}"]
                said += [f"{k.replace('update_every', 'updates every')} {dur(getattr(t, k))}"
                         for k in ("resolution", "escalation", "update_every") if getattr(t, k)]
                targets.append(f"{p.id} {(where + ': ') if where else ''}{', '.join(said)}"
                               f"{(' (' + t.note + ')') if t.note else ''}.")
        body = [*targets, p.definition or "", p.impact or "", *p.examples, p.communication or "",
                f"updates every {dur(p.update_every)}" if p.update_every else ""]
        codes = {normalize_code(p.id)} if any(ch.isdigit() for ch in p.id) else set()
        # id and name are in the title: the snippet then comes from the targets
        return Part(code_anchor(p.id), f"{ent.title}: {p.id} — {p.name}", [], body, codes, [HINTS])

    def sections(self, kb, ent):
        o = ent.obj
        out = [("", ent.title, plain(joined(ent.summary, o.description)), [])]
        for p in o.priorities:
            targets = " ".join(f"response {t.response.human()}" + (f" resolution {t.resolution.human()}" if t.resolution else "")
                               for t in o.targets if t.priority == p.id)
            out.append((code_anchor(p.id), f"{p.id} {p.name}",
                        joined(p.definition, p.impact, " ".join(p.examples), targets), []))
        return out


KIND = SlaKind()
