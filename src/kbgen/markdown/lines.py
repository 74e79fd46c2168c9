"""Offsets in a text to 1-based (line, column): one implementation for the
reader, the sanitizer's audit and the safety rules."""
from __future__ import annotations

from bisect import bisect_right


def line_starts(text: str) -> list[int]:
    """The offset where each line of text starts."""
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


class Lines:
    """Offsets to (line, column). Lines are shifted by first_line; with a
    line_map (includes expanded), text lines map back to source lines, and a
    line from an included file (-(directive line + 1)) to its directive."""

    def __init__(self, text: str, first_line: int = 1, line_map: list[int] | None = None):
        self.starts = line_starts(text)
        self.first = first_line
        self.map = line_map

    def at(self, offset: int) -> tuple[int, int]:
        i = bisect_right(self.starts, max(offset, 0)) - 1
        col = offset - self.starts[i] + 1
        if self.map is not None and i < len(self.map):
            src = self.map[i]
            if src < 0:           # a line from an included file: the directive's line, column 1
                return self.first + (-src - 1), 1
            return self.first + src, col
        return self.first + i, col
