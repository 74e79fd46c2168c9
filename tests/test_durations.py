"""Durations as support people write them (kbgen.text.durations)."""
from __future__ import annotations

from kbgen.text.durations import parse_duration


def test_durations_sort_with_no_target_last():
    values = [parse_duration(v) for v in ("n/a", "4h", "15m", "immediate", "1d")]
    assert [d.text for d in sorted(values)] == ["immediate", "15m", "4h", "1d", "n/a"]
    assert max(values).text == "n/a" and parse_duration("1h") == parse_duration("1h")
