"""The SLA matrix: which target applies to each priority, channel and plan.

A target without `channel` (or `plan`) applies to every channel (or plan); a
more specific target wins. Pages, kb.json and the SLA rules all read targets
through this one function so they agree.
"""
from __future__ import annotations

from typing import Any


def _specificity(target, channel, plan) -> int | None:
    """How well a target matches a cell: None if it does not apply."""
    if target.channel is not None and target.channel != channel:
        return None
    if target.plan is not None and target.plan != plan:
        return None
    return (target.channel is not None) * 2 + (target.plan is not None)


def cells(sla) -> list[tuple[str | None, str | None]]:
    """(channel, plan) cells of the matrix, in declared order (None: not split)."""
    channels = [c.id for c in sla.channels] or [None]
    plans = [p.id for p in sla.plans] or [None]
    return [(c, p) for p in plans for c in channels]


def effective(sla) -> dict[tuple, dict[str, tuple[int, Any]]]:
    """{(channel, plan): {priority id: (target index, target)}} for every cell."""
    out: dict[tuple, dict] = {}
    for channel, plan in cells(sla):
        row: dict[str, tuple[int, object, int]] = {}
        for i, t in enumerate(sla.targets):
            score = _specificity(t, channel, plan)
            if score is None:
                continue
            best = row.get(t.priority)
            if best is None or score > best[2]:
                row[t.priority] = (i, t, score)
        out[(channel, plan)] = {k: (v[0], v[1]) for k, v in row.items()}
    return out
