"""References between entities must resolve.

Passing:  escalation: {to: tier3}     with a tiers file that defines tier3
Failing:  escalation: {to: tier9}     -> KB306 unknown tier 'tier9'
"""
from __future__ import annotations

import re

from ..schema.errors import did_you_mean
from ..source import read_text
from ..yamlload import load


def _where(ent, path, key=False):
    return ent.doc.loaded.where(path, key=key)


def check(kb, report) -> None:
    ids = kb.entities
    tiers = kb.tiers_index()
    prios = kb.priorities_index()
    products = kb.config.product_ids()
    aliases = kb.runbook_by_alias()
    top = [e for e in ids.values() if e.type != "error-code"]

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
            if r not in ids and r not in aliases:
                report.error(rel, _where(ent, ("related", i)), "KB302", f"related id '{r}' does not exist",
                             did_you_mean(r, [k for k in ids if ":" not in k]))
        obj = ent.obj
        if ent.type == "runbook":
            for i, ref in enumerate(obj.error_codes):
                _code_ref(kb, ent, ("error_codes", i), ref, report)
            if obj.escalation:
                _tier_ref(tiers, ent, ("escalation", "to"), obj.escalation.to, report)
            if obj.severity:
                _prio_ref(prios, ent, ("severity",), obj.severity, report)
            for i, alias in enumerate(obj.aliases):
                if alias in ids and ids[alias] is not ent:
                    report.error(rel, _where(ent, ("aliases", i)), "KB312",
                                 f"alias '{alias}' is the id of {ids[alias].source}", "an alias is a former id; it must not be in use")
                elif aliases.get(alias) is not ent:
                    report.error(rel, _where(ent, ("aliases", i)), "KB312",
                                 f"alias '{alias}' is claimed by another runbook too ({aliases[alias].source})")
        elif ent.type == "error-table":
            for i, c in enumerate(obj.codes):
                if c.runbook:
                    _runbook_ref(kb, ent, ("codes", i, "runbook"), c.runbook, report, aliases)
                if c.severity:
                    _prio_ref(prios, ent, ("codes", i, "severity"), c.severity, report)
        elif ent.type == "tiers":
            local = {t.id for t in obj.tiers}
            for i, t in enumerate(obj.tiers):
                if t.escalates_to and t.escalates_to not in local and t.escalates_to not in tiers:
                    report.error(rel, _where(ent, ("tiers", i, "escalates_to")), "KB306",
                                 f"tier '{t.escalates_to}' does not exist", did_you_mean(t.escalates_to, local))
            for i, t in enumerate(obj.tiers):
                first = tiers[t.id][0][0]
                if first is not ent:  # the same tier id in two tiers files: references become ambiguous
                    report.error(rel, _where(ent, ("tiers", i, "id")), "KB304",
                                 f"tier id '{t.id}' is also defined in {first.source}",
                                 "give tiers unique ids across the knowledge base")
        elif ent.type == "alerts":
            for i, a in enumerate(obj.alerts):
                if a.runbook:
                    _runbook_ref(kb, ent, ("alerts", i, "runbook"), a.runbook, report, aliases)
                if a.severity:
                    _prio_ref(prios, ent, ("alerts", i, "severity"), a.severity, report)
            for i, path in enumerate(obj.prometheus_rules):
                _prometheus(kb, ent, i, path, report, aliases)


def _code_ref(kb, ent, path, ref, report):
    found = kb.resolve_code(str(ref))
    if not found:
        codes = sorted({c.obj.code for cs in kb.codes.values() for c in cs})
        tables = sorted(e.id for e in kb.of_type("error-table"))
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
                     did_you_mean(pid, prios) or (f"priorities: {', '.join(sorted(prios))}" if prios else "define priorities in a kind: sla file"))


def _runbook_ref(kb, ent, path, rid, report, aliases):
    target = kb.entities.get(rid)
    if target is None or target.type != "runbook":
        if rid in aliases:
            report.warning(ent.source, _where(ent, path), "KB313",
                           f"'{rid}' is a former id of runbook '{aliases[rid].id}'", f"use '{aliases[rid].id}'")
            return
        runbooks = [e.id for e in kb.of_type("runbook")]
        report.error(ent.source, _where(ent, path), "KB305", f"runbook '{rid}' does not exist",
                     did_you_mean(rid, runbooks))


_RUNBOOK_URL = re.compile(r"(?:^|/)runbooks/([^/#?]+)/?(?:[#?].*)?$")


def _prometheus(kb, ent, i, path, report, aliases):
    import posixpath
    base = posixpath.dirname(ent.source)
    rel = posixpath.normpath(posixpath.join(base, path))
    full = kb.config.root / rel
    pos = _where(ent, ("prometheus_rules", i))
    root = kb.config.root.resolve()
    # confined to the KB: no absolute path, no '..' out of it, no symlink leading out
    if posixpath.isabs(path) or rel.startswith("../") or rel == ".." or not full.resolve().is_relative_to(root):
        report.error(ent.source, pos, "KB310", f"Prometheus rule file '{path}' is outside the knowledge base",
                     "keep rule files inside the KB folder and give a path relative to this file")
        return
    if not full.is_file():
        report.error(ent.source, pos, "KB310", f"Prometheus rule file '{path}' does not exist")
        return
    text = read_text(full, rel, report, kb.config.options.max_file_size)  # the size limit of every source
    if text is None:
        return
    loaded = load(text)
    for e in loaded.errors:
        report.error(rel, (e.line, e.column), e.code, e.message, e.hint)
    data = loaded.data if isinstance(loaded.data, dict) else {}
    runbooks = {e.id for e in kb.of_type("runbook")}
    # runbooks/<AlertName>/ is a redirect kbgen generates for alerts mapped to a runbook
    alert_names = {a.lower() for e in kb.of_type("runbook") for a in e.obj.alerts}
    alert_names |= {a.name.lower() for e in kb.of_type("alerts") for a in e.obj.alerts if a.runbook}
    for gi, group in enumerate(data.get("groups") or []):
        if not isinstance(group, dict):
            continue
        for ri, rule in enumerate(group.get("rules") or []):
            if not isinstance(rule, dict):
                continue
            ann = rule.get("annotations") or {}
            url = ann.get("runbook_url") if isinstance(ann, dict) else None
            if not url:
                continue
            where = loaded.where(("groups", gi, "rules", ri, "annotations", "runbook_url"))
            m = _RUNBOOK_URL.search(str(url))
            rid = m.group(1).lower() if m else None
            if rid is None:
                report.error(rel, where, "KB310", f"runbook_url '{url}' does not point to a runbook page",
                             "use https://<site>/runbooks/<runbook-id>/")
            elif rid not in runbooks and rid not in aliases and rid not in alert_names:
                report.error(rel, where, "KB310", f"runbook_url '{url}' points to runbook '{rid}', which does not exist",
                             did_you_mean(rid, runbooks))
