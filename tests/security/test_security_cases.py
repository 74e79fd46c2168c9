"""Issue 9's acceptance: every hostile case, built as a public site with the
real CLI and opened in headless Chromium, is either reported by `kbgen
validate` at its file:line:column or comes out inert (see runner.py)."""
from __future__ import annotations

import pytest
from cases import CASES
from known_failures import KNOWN_FAILURES

pytestmark = pytest.mark.browser


def _param(case):
    marks = []
    if case.id in KNOWN_FAILURES:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[case.id]))
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_hostile_case(case, batch_results):
    verdict = batch_results(case.batch)[case.id]
    assert not verdict["problems"], "\n".join(verdict["problems"])
    assert verdict["how"] == "inert" or verdict["how"].startswith("reported "), verdict


def test_known_failures_name_real_cases():
    assert set(KNOWN_FAILURES) <= {c.id for c in CASES}


def test_the_suite_is_big_enough():
    assert len(CASES) >= 150
    kinds = {c.sink.split(".")[0] for c in CASES if c.sink}
    assert {"runbook", "error-codes", "sla", "tiers", "contacts", "templates", "faq", "alerts", "article"} <= kinds
