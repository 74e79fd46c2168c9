"""Durations as support people write them: "15m", "4h", "1 hour", "immediate", "n/a"."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

ACCEPTED = "15m, 4h, 2d, 1w, 30s, '15 minutes', '1 hour', '5 days', '2 weeks', 'immediate' (zero) or 'n/a' (no target)"

_UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "wk": 604800, "wks": 604800, "week": 604800, "weeks": 604800,
}
_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$")
_NONE_WORDS = {"n/a", "na", "none"}
_ZERO_WORDS = {"immediate", "immediately", "0"}


@functools.total_ordering
@dataclass(frozen=True)
class Duration:
    """seconds is None for "n/a": no target at all, which sorts after any time."""
    seconds: float | None
    text: str

    @property
    def is_target(self) -> bool:
        return self.seconds is not None

    def sort_key(self) -> float:
        return float("inf") if self.seconds is None else self.seconds

    def __lt__(self, other) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return (self.sort_key(), self.text) < (other.sort_key(), other.text)

    def human(self) -> str:
        return humanize(self.seconds)

    def __str__(self) -> str:
        return self.text


def parse_duration(value) -> Duration:
    """Parse a duration; raise ValueError with the accepted forms otherwise."""
    if isinstance(value, Duration):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError(f"expected a duration such as {ACCEPTED}")
    if isinstance(value, (int, float)):
        if value == 0:
            return Duration(0, "immediate")
        raise ValueError(f"a bare number has no unit; write e.g. '{value}m' or '{value}h' (accepted: {ACCEPTED})")
    text = str(value).strip()
    low = text.lower()
    if low in _NONE_WORDS:
        return Duration(None, text)
    if low in _ZERO_WORDS:
        return Duration(0, text)
    m = _RE.match(text)
    if m and m.group(2).lower() in _UNITS:
        seconds = float(m.group(1)) * _UNITS[m.group(2).lower()]
        return Duration(int(seconds) if seconds.is_integer() else seconds, text)
    raise ValueError(f"'{text}' is not a duration; accepted forms: {ACCEPTED}")


def humanize(seconds: float | None) -> str:
    """Show a duration the way people write it: "15 minutes", "4 hours", "Immediate"."""
    if seconds is None:
        return "n/a"
    if seconds == 0:
        return "Immediate"
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds >= size and seconds % size == 0:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds:g} seconds"
