"""Pages are reviewed on schedule: last_reviewed + review_every >= today.

Passing:  last_reviewed: 2026-09-01, review_every: 90d, today 2026-11-01
Failing:  last_reviewed: 2025-01-01, review_every: 90d -> KB601 review overdue
"""
from __future__ import annotations

import datetime as dt


def due_date(ent) -> dt.date | None:
    if ent.last_reviewed is None or ent.review_every is None or ent.review_every.seconds is None:
        return None
    return ent.last_reviewed + dt.timedelta(seconds=ent.review_every.seconds)


def check(kb, report) -> None:
    today = kb.config.today
    for ent in kb.by_source.values():
        doc = ent.doc
        if ent.last_reviewed and ent.last_reviewed > today:
            report.warning(doc.rel, doc.loaded.where(("last_reviewed",)), "KB602",
                           f"last_reviewed {ent.last_reviewed.isoformat()} is in the future")
            continue
        due = due_date(ent)
        if due is not None and due < today:
            days = (today - due).days
            report.warning(doc.rel, doc.loaded.where(("last_reviewed",)), "KB601",
                           f"review overdue: due {due.isoformat()} ({days} day{'s' if days != 1 else ''} ago; "
                           f"last reviewed {ent.last_reviewed.isoformat()}, every {ent.review_every.text})",
                           f"review the page{' (owner: ' + ent.owner + ')' if ent.owner else ''} and update last_reviewed")
