"""Audience filtering: done once, on the model, before any output is made,
so every output (pages, nav, search, kb.json, llms.txt) sees only what it may
publish. An internal build sees everything; a public build sees only public
entities, and inside them only public entries (a contact's phone, say)."""
from __future__ import annotations

import copy

from .entities import Entity, KnowledgeBase
from .links import is_external, link_targets, resolve_link

AUDIENCES = ("public", "internal")


def visible(audience: str, item_audience: str | None, default: str = "public") -> bool:
    """May an item of item_audience appear in a build for audience?"""
    if audience == "internal":
        return True
    return (item_audience or default) == "public"


def for_audience(kb: KnowledgeBase, audience: str) -> KnowledgeBase:
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    out = KnowledgeBase(kb.config, audience=audience)
    keep = {eid: e for eid, e in kb.entities.items() if visible(audience, e.audience, "internal")}
    for eid, ent in keep.items():
        if ent.parent and ent.parent not in keep:
            continue
        out.entities[eid] = _filtered(ent, audience)
    for rel, ent in kb.by_source.items():
        if ent.id in out.entities:
            out.by_source[rel] = out.entities[ent.id]
    for code, ents in kb.codes.items():
        kept = [out.entities[e.id] for e in ents if e.id in out.entities]
        if kept:
            out.codes[code] = kept
    for name, entries in kb.alert_entries.items():  # catalogue entries on the pages this audience sees
        seen = [e for e in entries if e.entity.id in out.entities]
        if seen:
            out.alert_entries[name] = seen
    out.assets = assets_for(kb, out)
    out.assets_set = set(out.assets)
    return out


def _filtered(ent: Entity, audience: str) -> Entity:
    """The entity as this audience sees it: its kind may drop entries inside
    it (a person's phone marked internal in a public contacts file)."""
    obj = ent.kind.for_audience(ent, audience) if ent.kind else None
    if obj is None:
        return ent
    clone = copy.copy(ent)
    clone.obj = obj
    return clone


def assets_for(kb: KnowledgeBase, view: KnowledgeBase) -> list[str]:
    """Assets (images, files) a build may copy: in a public build, only those
    linked from a page of the view; an internal build copies all but the
    Prometheus rule files that alerts files check (sources, not content)."""
    rules = {f for e in kb.entities.values() if e.kind for f in e.kind.checked_files(e)}
    if view.audience == "internal":
        return [a for a in kb.assets if a not in rules]
    kb.assets_set = set(kb.assets)
    used = set()
    for ent in view.by_source.values():
        if ent.doc.obj is None:
            continue
        # the view's entity: a public contacts file without its internal entries
        for target in link_targets(ent, kb.config):
            if target and not is_external(target):
                res = resolve_link(kb, ent.doc.rel, target)
                if res.asset:
                    used.add(res.asset)
    return [a for a in kb.assets if a in used and a not in rules]
