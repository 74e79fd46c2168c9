"""Search documents from an audience-filtered knowledge base: one per entity,
with the fields the ranking uses. Engine-neutral (plain dicts)."""
from __future__ import annotations

from ..kinds import SearchText
from ..kinds.base import remember
from ..text.plaintext import plain


def document(kb, ent, runbook_codes: dict[str, set[str]] | None = None) -> dict:
    """The search document of an entity: its kind fills the fields.
    runbook_codes: answered_codes(kb), when the caller has it already."""
    if runbook_codes is not None:
        remember(kb, "runbook_codes", runbook_codes)
    text = SearchText(body=[ent.summary])
    ent.kind.search_text(kb, ent, text)
    return _doc(kb, ent, ent.url, ent.title, text.symptoms, text.body, text.codes, text.hints)


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
        # a part's key has its anchor; an entry of a table (a code) is an entity with its own id
        "key": ent.id + ("#" + url.split("#", 1)[1] if "#" in url and not ent.parent else ""),
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
    return [_doc(kb, ent, f"{base}#{p.anchor}", p.title, p.symptoms, p.body, p.codes, p.hints)
            for p in ent.kind.parts(kb, ent)]


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
    out = []
    for e in kb.entities.values():
        out.append(document(kb, e))
        out += parts(kb, e)
    out += catalogue_entries(kb, alert_entries if alert_entries is not None else getattr(kb, "alert_entries", None))
    return out
