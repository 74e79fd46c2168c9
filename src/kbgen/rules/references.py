"""References between entities must resolve.

Passing:  escalation: {to: tier3}     with a tiers file that defines tier3
Failing:  escalation: {to: tier9}     -> KB306 unknown tier 'tier9'
"""
from __future__ import annotations

from ..kinds.base import index
from ..kinds.runbook import RunbookKind
from ..schema.errors import did_you_mean
from .causes import cause_of, follows

RUNBOOK = RunbookKind.type  # what codes and alerts point at


def _where(ent, path, key=False):
    return ent.doc.loaded.where(path, key=key)


def check(kb, report) -> None:
    ids = kb.entities
    tiers = index(kb, "tiers_index")
    prios = index(kb, "priorities_index")
    products = kb.config.product_ids()
    aliases = index(kb, "runbook_by_alias")
    top = [e for e in ids.values() if not e.parent]  # a table's entries are checked with their table

    for ent in top:
        rel = ent.source
        # products declared in the plugin option `products`
        for i, p in enumerate(ent.products):
            if p not in products:
                report.error(rel, _where(ent, ("products", i)), "KB209", f"unknown product '{p}'",
                             did_you_mean(p, products) or
                             (f"declared products: {', '.join(sorted(products))}" if products
                              else "declare products in mkdocs.yml under the kbgen plugin option 'products'"))
        for i, r in enumerate(ent.related):
            if r not in ids and r not in aliases and not _followed(kb, report, ent, ("related", i), "KB302",
                                                                     f"related id '{r}'", r):
                report.error(rel, _where(ent, ("related", i)), "KB302", f"related id '{r}' does not exist",
                             did_you_mean(r, [k for k in ids if ":" not in k]))
        for ref in ent.kind.references(ent):
            known = {"code": lambda v: kb.resolve_code(str(v)), "tier": tiers.get, "priority": prios.get,
                     "runbook": lambda v: _runbook(kb, aliases, v)}[ref.to](ref.value)
            if not known and _followed(kb, report, ent, ref.path, _MISSING[ref.to][0],
                                       f"{_MISSING[ref.to][1]} '{ref.value}'", str(ref.value)):
                continue
            if ref.to == "code":
                _code_ref(kb, ent, ref.path, ref.value, report)
            elif ref.to == "tier":
                _tier_ref(tiers, ent, ref.path, ref.value, report)
            elif ref.to == "priority":
                _prio_ref(prios, ent, ref.path, ref.value, report)
            elif ref.to == "runbook":
                _runbook_ref(kb, ent, ref.path, ref.value, report, aliases)
        ent.kind.check(kb, ent, report)


# what a reference that resolves to nothing is reported as: (code, what it names)
_MISSING = {"code": ("KB303", "error code"), "tier": ("KB306", "tier"), "priority": ("KB307", "severity"),
            "runbook": ("KB305", "runbook")}


def _runbook(kb, aliases, rid):
    target = kb.entities.get(rid)
    return target if target is not None and target.type == RUNBOOK else aliases.get(rid)


def _followed(kb, report, ent, path, code: str, what: str, value: str) -> bool:
    """A reference to something a file that did not load would define:
    reported as following from that file (True), or not at all here (False)."""
    cause = cause_of(kb, report, value)
    if cause is None:
        return False
    report.error(ent.source, _where(ent, path), code, f"{what} is unknown: {cause} did not load", follows(cause),
                 cause=cause)
    return True


def _code_ref(kb, ent, path, ref, report):
    found = kb.resolve_code(str(ref))
    if not found:
        codes = sorted({c.obj.code for cs in kb.codes.values() for c in cs})
        tables = sorted({c.parent for cs in kb.codes.values() for c in cs})
        where = (f"Add it to an error-code table ({_listing(tables)}) or fix the spelling." if tables
                 else "Define it in a kind: error-codes file.")
        report.error(ent.source, _where(ent, path), "KB303", f"error code '{ref}' is not in any error-code table",
                     _hint(did_you_mean(str(ref).split(":")[-1], codes), where))
    elif len(found) > 1:
        tables = ", ".join(f"{c.parent}:{c.obj.code}" for c in found)
        report.error(ent.source, _where(ent, path), "KB304", f"error code '{ref}' is in several tables",
                     f"say which one: {tables}")


def _tier_ref(tiers, ent, path, tid, report):
    if tid not in tiers:
        report.error(ent.source, _where(ent, path), "KB306", f"tier '{tid}' does not exist",
                     _hint(did_you_mean(tid, tiers), f"Tiers: {_listing(sorted(tiers))}." if tiers
                           else "no tiers file defines any tier"))
    elif len(tiers[tid]) > 1:
        report.error(ent.source, _where(ent, path), "KB304", f"tier '{tid}' is defined in several tiers files",
                     "give tiers unique ids across the knowledge base")


def _listing(names: list[str], limit: int = 20) -> str:
    return ", ".join(names[:limit]) + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def _hint(*parts: str | None) -> str | None:
    # a guess alone can mislead (anya-tier99 -> anya-tier3): the valid ids follow it
    return " ".join(p for p in parts if p) or None


def _prio_ref(prios, ent, path, pid, report):
    if pid not in prios:
        report.error(ent.source, _where(ent, path), "KB307", f"severity '{pid}' is not a priority of any SLA",
                     did_you_mean(pid, prios)
                     or (f"priorities: {', '.join(sorted(prios))}" if prios else "define priorities in a kind: sla file"))


def _runbook_ref(kb, ent, path, rid, report, aliases):
    target = kb.entities.get(rid)
    if target is None or target.type != RUNBOOK:
        if rid in aliases:
            report.warning(ent.source, _where(ent, path), "KB313",
                           f"'{rid}' is a former id of runbook '{aliases[rid].id}'", f"use '{aliases[rid].id}'")
            return
        runbooks = [e.id for e in kb.of_type(RUNBOOK)]
        report.error(ent.source, _where(ent, path), "KB305", f"runbook '{rid}' does not exist",
                     did_you_mean(rid, runbooks))
