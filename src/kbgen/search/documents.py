"""Search documents from an audience-filtered knowledge base: one per entity,
with the fields the ranking uses. Engine-neutral (plain dicts)."""
from __future__ import annotations

import re

from ..durations import Duration
from ..model import code_anchor, normalize_code
from ..source import slugify

_FENCE = re.compile(r"^\s*(`{3,}|~{3,}).*$", re.M)           # fence lines go, the code stays
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", re.M)
_ADMONITION = re.compile(r'^\s*(!!!|\?\?\?\+?)\s*[\w-]+(\s+"([^"]*)")?.*$', re.M)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")                # [text](url) -> text
_EMPHASIS = re.compile(r"(?<![\w*])(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_LIST = re.compile(r"^\s*([-*+]|\d+[.)])\s+", re.M)
_MARKS = re.compile(r"<[^>]+>|\{[:#][^}]*\}|^\s*#{1,6}\s+|^\s*>\s?|[`|]", re.M)


def plain(text: str | None) -> str:
    """Markdown to plain text for search and export: markup goes, words and
    commands stay (code blocks too: agents search for the command they saw)."""
    if not text:
        return ""
    text = _FENCE.sub(" ", str(text))
    text = _TABLE_RULE.sub(" ", text)
    text = _ADMONITION.sub(lambda m: " " + (m.group(3) or "") + " ", text)
    text = _LINK.sub(r" \1 ", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _LIST.sub(" ", text)
    text = _MARKS.sub(" ", text)
    return " ".join(text.split())


def _steps(steps) -> list[str]:
    out = []
    for s in steps or []:
        out += [s.title, s.run or "", s.expect or "", s.note or ""]
    return out


def _dur(d: Duration | None) -> str:
    return d.human() if d else ""


def _runbook_codes(kb) -> dict[str, set[str]]:
    """Runbook id -> the normalised codes it answers: those it lists and those whose entry names it."""
    out: dict[str, set[str]] = {}
    aliases = {a: r.id for a, r in kb.runbook_by_alias().items()}
    for rb in kb.of_type("runbook"):
        for ref in rb.obj.error_codes:
            out.setdefault(rb.id, set()).update(normalize_code(c.obj.code) for c in kb.resolve_code(str(ref)))
    for c in kb.of_type("error-code"):
        if c.obj.runbook:
            out.setdefault(aliases.get(c.obj.runbook, c.obj.runbook), set()).add(normalize_code(c.obj.code))
    return out


def document(kb, ent, runbook_codes: dict[str, set[str]] | None = None) -> dict:
    o = ent.obj
    codes: set[str] = set()
    symptoms: list[str] = []
    body: list[str] = [ent.summary]
    hints: list[str] = []  # words readers use for this kind of page: searched, never shown in a snippet
    if ent.type == "runbook":
        codes |= (runbook_codes if runbook_codes is not None else _runbook_codes(kb)).get(ent.id, set())
        symptoms = list(o.symptoms) + list(o.alerts) + [c.title for c in getattr(o, "causes", [])]
        if ent.doc.fmt == "md":
            body.append(plain(ent.doc.body))
            symptoms += [h.text for h in ent.doc.md.headings if h.level == 1]
        else:
            body += [plain(o.description)] + _steps(o.diagnostics) + _steps(o.resolution) + _steps(o.verification)
            for c in o.causes:
                body += [plain(c.description)] + _steps(c.resolution)
        if o.escalation:
            hints.append("escalate escalation")
            body += o.escalation.when
    elif ent.type == "error-code":
        codes.add(normalize_code(o.code))
        symptoms = [o.message, *o.causes]
        res = o.resolution if isinstance(o.resolution, str) else " ".join(_steps(o.resolution))
        body += [plain(o.description), plain(res), o.category or ""]
    elif ent.type == "error-table":
        body += [f"{c.code} {c.message}" for c in o.codes]
    elif ent.type == "article":
        body.append(plain(ent.doc.body))
    elif ent.type == "sla":
        hints.append("service level agreement SLA response time resolution time targets")
        body.append(plain(o.description))
        for p in o.priorities:
            symptoms += [p.id, p.name]  # "P1" as a code is answered by the priority's own part (parts())
            body += [p.definition or "", p.impact or "", *p.examples, p.communication or "", _dur(p.update_every)]
        for c in o.channels:
            body += [c.name, c.hours or ""]
        for p in o.plans:
            body += [p.name, p.price or "", f"uptime {p.uptime}" if p.uptime else "", *p.features]
        for t in o.targets:
            body += [f"{t.priority} response {_dur(t.response)} resolution {_dur(t.resolution)} {t.note or ''}"]
    elif ent.type == "tiers":
        hints.append("escalation path escalate support tiers levels")
        body += [plain(o.description), *o.management_chain,
                 *o.management_triggers]
        for t in o.tiers:
            symptoms.append(t.name)
            body += [t.description or "", *t.capabilities, *t.tools, *t.escalate_when, t.process or "",
                     f"handoff {_dur(t.handoff)}" if t.handoff else ""]
    elif ent.type == "contacts":
        hints.append("contact support email phone hours")
        for c in [*o.channels, *o.people]:
            body += [c.name, getattr(c, "role", "") or "", c.email or "", c.phone or "", c.hours or "", c.notes or ""]
    elif ent.type == "templates":
        body += [plain(o.description)]
        for t in o.templates:
            symptoms.append(t.title)
            body += [t.use_when or "", t.body]
    elif ent.type == "faq":
        for q in o.questions:
            symptoms.append(q.q)
            body.append(plain(q.a))
    elif ent.type == "alerts":
        for a in o.alerts:
            symptoms.append(a.name)
            body += [a.condition, a.description or ""]
    return _doc(kb, ent, ent.url, ent.title, symptoms, body, codes, hints)


def _unique(items) -> list[str]:
    """Each text once (a symptom that is also a cause's title would show twice in a snippet)."""
    seen: dict[str, str] = {}
    for s in items:
        s = " ".join(str(s or "").split())
        if s and s.lower() not in seen:
            seen[s.lower()] = s
    return list(seen.values())


def _doc(kb, ent, url: str, title: str, symptoms: list[str], body: list[str], codes=(), hints=()) -> dict:
    return {
        "key": ent.id + ("#" + url.split("#", 1)[1] if "#" in url and ent.type != "error-code" else ""),
        "id": ent.id,
        "type": ent.type,
        "title": title,
        "codes": sorted(codes),
        "symptoms": " \n".join(_unique(symptoms)),
        "body": " ".join(_unique(body)),
        "tags": " ".join(ent.tags),
        "hints": " ".join(hints),
        "products": list(ent.products),
        "url": kb.site_url(url) or "./",
    }


def parts(kb, ent) -> list[dict]:
    """Documents for the parts of a page that answer a question on their own
    (an FAQ question, a template, an alert of a catalogue, a priority of an
    SLA): short documents rank better than the whole page, and their URL goes
    straight to the part's anchor. Results show one hit per id."""
    base = ent.url.split("#", 1)[0]
    o = ent.obj
    if ent.type == "faq":
        return [_doc(kb, ent, f"{base}#{q.id or slugify(q.q)}", q.q, [q.q], [plain(q.a)]) for q in o.questions]
    if ent.type == "templates":
        return [_doc(kb, ent, f"{base}#{t.id}", t.title, [t.title, t.use_when or ""], [t.subject or "", t.body])
                for t in o.templates]
    if ent.type == "alerts":
        return [_doc(kb, ent, f"{base}#{code_anchor(a.name)}", a.name, [],
                     [a.condition, plain(a.description), f"severity {a.severity}" if a.severity else ""])
                for a in o.alerts]
    if ent.type == "sla":
        return [_priority(kb, ent, base, p) for p in o.priorities]
    return []


def _priority(kb, ent, base: str, p) -> dict:
    """One priority of an SLA with its targets: "P1 resolution time" shows P1's targets."""
    names = {str(p.id).lower(), str(p.name).lower()}
    targets = []
    for t in ent.obj.targets:
        if str(t.priority).lower() in names:
            where = " ".join(x for x in (t.channel, t.plan) if x)
            said = [f"response {_dur(t.response)}"]
            said += [f"{k} {_dur(getattr(t, k))}" for k in ("resolution", "escalation", "update_every")
                     if getattr(t, k)]
            targets.append(f"{p.id} {(where + ': ') if where else ''}{', '.join(said).replace('update_every', 'updates every')}"
                           f"{(' (' + t.note + ')') if t.note else ''}.")
    body = [*targets, p.definition or "", p.impact or "", *p.examples, p.communication or "",
            f"updates every {_dur(p.update_every)}" if p.update_every else ""]
    codes = {normalize_code(p.id)} if any(ch.isdigit() for ch in p.id) else set()
    # id and name are in the title: the snippet then comes from the targets
    return _doc(kb, ent, f"{base}#{code_anchor(p.id)}", f"{ent.title}: {p.id} — {p.name}", [],
                body, codes, ["service level agreement SLA response time resolution time targets"])


def catalogue_entries(kb, entries: dict | None) -> list[dict]:
    """Alerts described in a Markdown catalogue page (`alert_catalogues`): one
    document per entry, linked to its heading's anchor. `entries` comes from
    the unfiltered model; only entries on pages this audience sees are kept."""
    out = []
    for name, items in (entries or {}).items():
        for e in items:
            ent = kb.entities.get(e.entity.id)
            if ent is None:
                continue
            base = ent.url.split("#", 1)[0]
            out.append(_doc(kb, ent, f"{base}#{e.anchor}", name, [],
                            [plain(e.description), f"severity {e.severity}" if e.severity else ""]))
    return out


def documents(kb, alert_entries: dict | None = None) -> list[dict]:
    runbook_codes = _runbook_codes(kb)
    out = []
    for e in kb.entities.values():
        out.append(document(kb, e, runbook_codes))
        out += parts(kb, e)
    out += catalogue_entries(kb, alert_entries if alert_entries is not None else getattr(kb, "alert_entries", None))
    return out
