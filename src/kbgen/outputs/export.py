"""Export for search engines that scale past one machine: one record per
page section, as JSON Lines or OpenSearch/Elasticsearch bulk NDJSON."""
from __future__ import annotations

import json
import re


def sections(kb, ent) -> list[tuple[str, str, str, list[str]]]:
    """(anchor, section title, text, error codes) of an entity's page: its kind says."""
    return ent.kind.sections(kb, ent)


def records(kb) -> list[dict]:
    out = []
    for ent in kb.entities.values():
        severity = getattr(ent.obj, "severity", None)
        base = ent.url.split("#", 1)[0]
        for anchor, title, text, codes in sections(kb, ent):
            hierarchy = [ent.title] if title == ent.title else [ent.title, title]
            if ent.parent:  # an entry of a table: under its table, with an id of its own
                hierarchy = [kb.entities[ent.parent].title, title]
            rid = ent.id if not anchor or ent.parent else f"{ent.id}#{anchor}"
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
