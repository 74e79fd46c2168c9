"""What a docs lead reviews weekly: stale pages by owner, what is due soon,
error codes without a runbook, runbooks nothing points to, untested
runbooks, and pages per product and audience. Core: no MkDocs."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ..rules.freshness import due_date

DUE_SOON_DAYS = 30


def build_review(kb, today: dt.date | None = None) -> dict:
    today = today or kb.config.today
    top = [e for e in kb.by_source.values() if e.id in kb.entities]
    stale, due_soon, never = defaultdict(list), [], []
    for e in top:
        due = due_date(e)
        item = {"id": e.id, "title": e.title, "source": e.source, "owner": e.owner,
                "last_reviewed": e.last_reviewed.isoformat() if e.last_reviewed else None,
                "due": due.isoformat() if due else None}
        if e.last_reviewed is None:
            never.append(item)
        elif due and due < today:
            stale[e.owner or "(no owner)"].append({**item, "days_overdue": (today - due).days})
        elif due and (due - today).days <= DUE_SOON_DAYS:
            due_soon.append({**item, "days_left": (due - today).days})
    runbooks = kb.of_type("runbook")
    linked_by_code = {c.obj.runbook for cs in kb.codes.values() for c in cs if c.obj.runbook}
    code_has_runbook = {c.id for cs in kb.codes.values() for c in cs if c.obj.runbook in kb.entities}
    alert_runbooks = {a.runbook for e in kb.of_type("alerts") for a in e.obj.alerts if a.runbook}
    for rb in runbooks:
        for ref in rb.obj.error_codes:
            for c in kb.resolve_code(str(ref)):
                code_has_runbook.add(c.id)
    codes_without = [{"id": c.id, "code": str(c.obj.code), "message": c.obj.message, "source": c.source}
                     for cs in kb.codes.values() for c in cs if c.id not in code_has_runbook]
    unlinked = [{"id": r.id, "title": r.title, "source": r.source, "owner": r.owner} for r in runbooks
                if r.id not in linked_by_code and r.id not in alert_runbooks and not r.obj.error_codes
                and not r.obj.alerts]
    untested = [{"id": r.id, "title": r.title, "source": r.source, "owner": r.owner} for r in runbooks
                if not getattr(r.obj, "last_tested", None)]
    per_product: dict = defaultdict(lambda: {"public": 0, "internal": 0})
    for e in top:
        for p in e.products or ["(none)"]:
            per_product[p][e.audience] += 1
    key = lambda x: (x["source"], x["id"])  # noqa: E731
    return {
        "today": today.isoformat(),
        "stale_by_owner": {o: sorted(v, key=lambda x: (-x["days_overdue"], x["id"])) for o, v in sorted(stale.items())},
        "due_soon": sorted(due_soon, key=lambda x: (x["days_left"], x["id"])),
        "never_reviewed": sorted(never, key=key),
        "codes_without_runbook": sorted(codes_without, key=key),
        "runbooks_not_linked": sorted(unlinked, key=key),
        "runbooks_never_tested": sorted(untested, key=key),
        "pages_per_product": {p: dict(v) for p, v in sorted(per_product.items())},
        "totals": {"pages": len(top), "runbooks": len(runbooks), "error_codes": sum(len(v) for v in kb.codes.values())},
    }


def format_review(r: dict) -> str:
    out = [f"Knowledge base report ({r['today']}): {r['totals']['pages']} pages, "
           f"{r['totals']['runbooks']} runbooks, {r['totals']['error_codes']} error codes", ""]
    n_stale = sum(len(v) for v in r["stale_by_owner"].values())
    out.append(f"Stale pages (review overdue): {n_stale}")
    for owner, items in r["stale_by_owner"].items():
        out.append(f"  {owner}:")
        out += [f"    {i['source']}  due {i['due']} ({i['days_overdue']} days overdue)" for i in items]
    sections = [("Due within 30 days", "due_soon", lambda i: f"{i['source']}  due {i['due']} ({i['owner'] or 'no owner'})"),
                ("Never reviewed", "never_reviewed", lambda i: i["source"]),
                ("Error codes without a runbook", "codes_without_runbook", lambda i: f"{i['code']}  {i['message']}  ({i['source']})"),
                ("Runbooks not linked from any error code or alert", "runbooks_not_linked", lambda i: i["source"]),
                ("Runbooks never tested (no last_tested)", "runbooks_never_tested", lambda i: i["source"])]
    for title, key, fmt in sections:
        out += ["", f"{title}: {len(r[key])}"] + [f"  {fmt(i)}" for i in r[key]]
    out += ["", "Pages per product (public / internal):"]
    out += [f"  {p}: {c['public']} / {c['internal']}" for p, c in r["pages_per_product"].items()]
    return "\n".join(out) + "\n"
