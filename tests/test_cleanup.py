"""Small things found in review (issue 13): each as it should behave."""
from __future__ import annotations

import subprocess

from kbfactory import KBGEN, ROOT
from kbgen.text.durations import parse_duration


def test_durations_sort_with_no_target_last():
    values = [parse_duration(v) for v in ("n/a", "4h", "15m", "immediate", "1d")]
    assert [d.text for d in sorted(values)] == ["immediate", "15m", "4h", "1d", "n/a"]
    assert max(values).text == "n/a" and parse_duration("1h") == parse_duration("1h")


def test_a_closed_pipe_stops_quietly():
    # `kbgen export | head -1`: the reader goes away early
    proc = subprocess.run(" ".join(KBGEN) + f" export {ROOT} --format jsonl | head -1", shell=True,
                          capture_output=True, text=True)
    assert proc.stdout.count("\n") == 1
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
