"""Export for search engines that scale past one machine: one record per
page section, as JSON Lines or OpenSearch/Elasticsearch bulk NDJSON."""
from __future__ import annotations

import json
import re

from ..model import code_anchor
from ..search.documents import plain


def _steps(steps) -> str:
    # titles and notes may carry Markdown; a command is kept exactly as written
    return " ".join(" ".join(x for x in (plain(s.title), s.run, plain(s.expect), plain(s.note)) if x)
                    for s in steps or [])


def _md_sections(title: str, body: str) -> list[tuple[str, str, str]]:
    """(anchor, section title, text) per H2 of a Markdown body; the intro first."""
    from ..source import scan_markdown
    info = scan_markdown(body)
    lines = body.split("\n")
    h2 = [h for h in info.headings if h.level == 2]
    out = []
    start_intro = 0
    end_intro = h2[0].line - 1 if h2 else len(lines)
    intro = "\n".join(lines[start_intro:end_intro])
    if plain(intro) != plain(f"# {title}") or not h2:  # an intro that is only the H1 is no section
        out.append(("", title, plain(intro)))
    for i, h in enumerate(h2):
        end = h2[i + 1].line - 1 if i + 1 < len(h2) else len(lines)
        out.append((h.anchor, h.text, plain("\n".join(lines[h.line:end]))))
    return out


def _escalation(tiers_index: dict, esc) -> str:
    tiers = tiers_index.get(esc.to)  # a tier this audience cannot see stays unnamed
    parts = [f"Escalate to {tiers[0][1].name}" if tiers else "Escalate",
             f"after {esc.after.human()}" if esc.after else "", *esc.when, esc.contact or ""]
    return " ".join(x for x in parts if x)


def sections(kb, ent, tiers_index: dict | None = None) -> list[tuple[str, str, str, list[str]]]:
    """(anchor, section title, text, error codes) of an entity's page."""
    o = ent.obj
    if ent.type == "error-code":
        res = o.resolution if isinstance(o.resolution, str) else _steps(o.resolution)
        text = " ".join(x for x in (o.message, o.description, " ".join(o.causes), res) if x)
        return [(code_anchor(o.code), f"{o.code}: {o.message}", plain(text), [str(o.code)])]
    if ent.type == "article" or (ent.type == "runbook" and ent.doc.fmt == "md"):
        codes = sorted({str(c.obj.code) for ref in o.error_codes for c in kb.resolve_code(str(ref))}
                       if ent.type == "runbook" else [])
        return [(a, t, x, codes) for a, t, x in _md_sections(ent.title, ent.doc.body)]
    if ent.type == "runbook":
        codes = sorted({str(c.obj.code) for ref in o.error_codes for c in kb.resolve_code(str(ref))})
        out = [("", ent.title, plain(" ".join(x for x in (ent.summary, o.description) if x)), codes)]
        if o.prerequisites or o.tools:
            out[0] = (*out[0][:2], " ".join([out[0][2], *o.prerequisites, *o.tools]).strip(), codes)
        if o.symptoms:
            out.append(("symptoms", "Symptoms", " ".join(o.symptoms), codes))
        if o.diagnostics:
            out.append(("diagnostics", "Diagnostics", _steps(o.diagnostics), codes))
        for c in o.causes:
            out.append((c.id, c.title, " ".join(x for x in (plain(c.description), _steps(c.resolution)) if x), codes))
        if o.resolution:
            out.append(("resolution", "Resolution", _steps(o.resolution), codes))
        if o.escalation:
            tiers_index = kb.tiers_index() if tiers_index is None else tiers_index
            out.append(("escalation", "Escalation", _escalation(tiers_index, o.escalation), codes))
        if o.verification:
            out.append(("verification", "Verification", _steps(o.verification), codes))
        if o.rollback:
            out.append(("rollback", "Rollback", _steps(o.rollback), codes))
        return out
    if ent.type == "error-table":
        return [("", ent.title, plain(" ".join([ent.summary, o.description or ""])), [])]
    if ent.type == "faq":
        from ..source import slugify
        return [(q.id or slugify(q.q), q.q, plain(q.a), []) for q in o.questions]
    if ent.type == "templates":
        return [(t.id, t.title, " ".join(x for x in (t.use_when, t.subject, t.body) if x), []) for t in o.templates]
    if ent.type == "sla":
        out = [("", ent.title, plain(" ".join([ent.summary, o.description or ""])), [])]
        for p in o.priorities:
            targets = " ".join(f"response {t.response.human()}" + (f" resolution {t.resolution.human()}" if t.resolution else "")
                               for t in o.targets if t.priority == p.id)
            out.append((code_anchor(p.id), f"{p.id} {p.name}",
                        " ".join(x for x in (p.definition, p.impact, " ".join(p.examples), targets) if x), []))
        return out
    if ent.type == "tiers":
        return [(t.id, t.name, " ".join([t.description or "", *t.capabilities, *t.escalate_when]), []) for t in o.tiers]
    if ent.type == "alerts":
        return [(code_anchor(a.name), a.name, " ".join(x for x in (a.condition, a.description) if x), []) for a in o.alerts]
    if ent.type == "contacts":
        parts = [" ".join(x for x in (c.name, c.email, c.phone, getattr(c, "url", None), c.hours) if x)
                 for c in [*o.channels, *o.people]]
        return [("", ent.title, " ".join(parts), [])]
    return [("", ent.title, ent.summary, [])]


def records(kb) -> list[dict]:
    out = []
    tiers_index = kb.tiers_index()  # once: per runbook it was a scan of the whole KB each
    for ent in kb.entities.values():
        severity = getattr(ent.obj, "severity", None)
        base = ent.url.split("#", 1)[0]
        for anchor, title, text, codes in sections(kb, ent, tiers_index):
            hierarchy = [ent.title] if title == ent.title else [ent.title, title]
            if ent.type == "error-code":
                hierarchy = [kb.entities[ent.parent].title, title]
            rid = ent.id if not anchor or ent.type == "error-code" else f"{ent.id}#{anchor}"
            out.append({
                "id": rid,
                "url": kb.site_url(base + (f"#{anchor}" if anchor else "")) or "./",  # the home page, relative
                "anchor": anchor or None,
                "hierarchy": hierarchy,
                "type": ent.type,
                "products": list(ent.products),
                "audience": ent.audience,
                "severity": severity,
                "tags": list(ent.tags),
                "error_codes": codes,
                "text": re.sub(r"\s+", " ", text or "").strip(),
            })
    return out


def export(kb, fmt: str = "jsonl", index: str = "kb") -> str:
    lines = []
    for rec in records(kb):
        if fmt == "opensearch":
            lines.append(json.dumps({"index": {"_index": index, "_id": rec["id"]}}, sort_keys=True))
        lines.append(json.dumps(rec, sort_keys=True, ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")
