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


def overdue_notice(kb, ent) -> str | None:
    """The admonition internal readers see on a page whose review is overdue.
    Public readers never see it: it is about the team's process, not the answer."""
    if kb.audience != "internal":
        return None
    due = due_date(ent)
    if due is None or due >= kb.config.today:
        return None
    owner = f" Owner: {ent.owner}." if ent.owner else ""
    return ('!!! note "Review overdue"\n'
            f"    This page was due for review on {due.isoformat()} (last reviewed "
            f"{ent.last_reviewed.isoformat()}); check that it is still right.{owner}\n\n")


def with_overdue_notice(kb, ent, page):
    """The page with the overdue notice under its title (front matter and H1
    stay first), or the page unchanged."""
    notice = overdue_notice(kb, ent)
    if not notice:
        return page
    lines = page.markdown.split("\n")
    at = 0
    if lines and lines[0] == "---":
        at = next((i + 1 for i in range(1, len(lines)) if lines[i] == "---"), 0)
    for i in range(at, min(len(lines), at + 4)):
        if lines[i].startswith("# "):
            at = i + 1
            break
    page.markdown = "\n".join(lines[:at] + ["", notice] + lines[at:])
    return page
