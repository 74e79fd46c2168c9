"""The documentation keeps up with the code."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_problem_code_is_documented():
    used = set()
    for path in (ROOT / "src" / "kbgen").rglob("*.py"):
        used |= set(re.findall(r'"(KB\d{3})"', path.read_text()))
    documented = set(re.findall(r"\| (KB\d{3}) \|", (ROOT / "docs" / "rules.md").read_text()))
    assert used - {"KB000"} <= documented, f"undocumented codes: {sorted(used - documented)}"
    assert documented <= used, f"documented but never raised: {sorted(documented - used)}"
