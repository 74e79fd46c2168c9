"""Long listings in parts: no generated page grows with the knowledge
base, and a part's bounds depend on its own entries (content-defined), so
an edit changes one or two parts, not all of them."""
from __future__ import annotations

import zlib

INDEX_CHUNK = 150     # links on one generated index page


CHUNK_MIN = 40        # a part of a long listing is cut at a boundary only past this many entries


CHUNK_ODDS = 50       # about one entry in this many is a boundary...


CHUNK_LONG = 110      # ...and, past this many entries in a part, one in CHUNK_ODDS_LONG


CHUNK_ODDS_LONG = 8


def chunked(items: list, key, limit: int = INDEX_CHUNK) -> list[list]:
    """A sorted listing in parts of at most `limit` (INDEX_CHUNK) entries, cut after an
    entry whose key hashes to a boundary: about one entry in CHUNK_ODDS once
    the part has CHUNK_MIN entries, one in CHUNK_ODDS_LONG once it has
    CHUNK_LONG (so a part seldom reaches INDEX_CHUNK, the hard limit). Where a
    part ends depends on its own entries, not on how many came before: an
    entry added, removed or renamed changes the part it is in (and the one it
    moves to), not every part after it, so kbgen serve renders two pages
    again, not thirty. Another limit (a navigation section's) scales the
    thresholds with it."""
    if len(items) <= limit:
        return [items]
    least, long_ = max(1, limit * CHUNK_MIN // INDEX_CHUNK), max(1, limit * CHUNK_LONG // INDEX_CHUNK)
    out: list[list] = []
    part: list = []
    for item in items:
        part.append(item)
        n = len(part)
        if n < least:
            continue
        h = zlib.crc32(key(item).encode("utf-8", "surrogatepass"))
        if h % CHUNK_ODDS == 0 or (n >= long_ and h % CHUNK_ODDS_LONG == 0) or n >= limit:
            out.append(part)
            part = []
    if part:
        out.append(part)
    return out
