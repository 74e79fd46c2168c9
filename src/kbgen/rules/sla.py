"""SLA matrices must be coherent.

Priorities are listed fastest first. Within one channel and plan, a more
urgent priority may not have a slower target than a less urgent one, and a
response may not come after the resolution.

Passing:  P1 response 15m, P2 response 1h (same channel and plan)
Failing:  P1 response 2h,  P2 response 1h -> KB402
"""
from __future__ import annotations

from ..kinds.slamatrix import effective


def check(kb, report) -> None:
    for ent in kb.of_type("sla"):
        _check_one(ent, report)


def _check_one(ent, report) -> None:
    sla, doc = ent.obj, ent.doc
    where = doc.loaded.where
    rank = {p.id: i for i, p in enumerate(sla.priorities)}
    channels = {c.id for c in sla.channels}
    plans = {p.id for p in sla.plans}
    for kind, items in (("priority", sla.priorities), ("channel", sla.channels), ("plan", sla.plans)):
        seen = set()
        for i, item in enumerate(items):
            if item.id in seen:
                report.error(doc.rel, where((kind if kind == "priority" else kind + "s", i, "id")) if kind != "priority"
                             else where(("priorities", i, "id")), "KB404", f"{kind} '{item.id}' is defined twice")
            seen.add(item.id)
    seen_targets: dict[tuple, int] = {}
    ok_all = True
    for i, t in enumerate(sla.targets):
        ok = True
        for field, known, label in (("priority", rank, "priority"), ("channel", channels, "channel"), ("plan", plans, "plan")):
            value = getattr(t, field)
            if value is not None and value not in known:
                ok = False
                report.error(doc.rel, where(("targets", i, field)), "KB403",
                             f"target uses undefined {label} '{value}'",
                             f"defined {label}s: {', '.join(sorted(known)) or 'none'}")
        if not ok:
            ok_all = False
            continue
        key = (t.priority, t.channel, t.plan)
        if key in seen_targets:
            report.error(doc.rel, where(("targets", i)), "KB404",
                         f"a second target for priority {t.priority}"
                         f"{', channel ' + t.channel if t.channel else ''}{', plan ' + t.plan if t.plan else ''}",
                         f"the first is entry {seen_targets[key] + 1} of targets")
            continue
        seen_targets[key] = i
        if t.resolution is not None and t.response.is_target and t.resolution.is_target \
                and t.response.seconds > t.resolution.seconds:
            report.error(doc.rel, where(("targets", i, "response")), "KB401",
                         f"response target {t.response.text} is later than resolution target {t.resolution.text}",
                         "a ticket cannot be resolved before it is answered")
    if not ok_all:
        return
    reported: set[tuple] = set()
    for (channel, plan), row in effective(sla).items():
        ordered = sorted(row.values(), key=lambda it: rank[it[1].priority])
        for metric in ("response", "resolution"):
            timed = [(i, t, getattr(t, metric)) for i, t in ordered
                     if getattr(t, metric) is not None and getattr(t, metric).is_target]
            for a in range(len(timed)):
                for b in range(a + 1, len(timed)):
                    ia, ta, da = timed[a]
                    ib, tb, db = timed[b]
                    if rank[ta.priority] < rank[tb.priority] and da.seconds > db.seconds \
                            and (ia, ib, metric) not in reported:
                        reported.add((ia, ib, metric))
                        scope = " and ".join(x for x in (f"channel {channel}" if channel else "",
                                                         f"plan {plan}" if plan else "") if x) or "all channels and plans"
                        report.error(doc.rel, where(("targets", ia, metric)), "KB402",
                                     f"{ta.priority} {metric} target {da.text} is slower than "
                                     f"{tb.priority}'s {db.text} ({scope})",
                                     "priorities are listed fastest first; a more urgent priority needs a target at least as fast")
