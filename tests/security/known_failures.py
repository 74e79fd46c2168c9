"""Cases that fail today, each with why (grouped). Remove an id when it is
fixed: a listed case that passes turns the suite red (xfail strict=True).
Regenerate the reasons from a run with `pytest tests/security -rx`."""
from __future__ import annotations

KNOWN_FAILURES: dict[str, str] = {}

# (none today)
