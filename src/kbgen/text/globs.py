"""Globs over '/'-separated paths from the KB root, as in .gitignore and
MkDocs' exclude_docs: `*` stays in one folder, `**` spans folders."""
from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def compile_glob(pattern: str) -> re.Pattern:
    pattern = pattern.strip().lstrip("/")
    if pattern.endswith("/"):
        pattern += "**"          # a folder: everything under it
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[" and "]" in pattern[i + 2:]:
            end = pattern.index("]", i + 2)
            inner = pattern[i + 1:end]
            neg = inner.startswith("!")
            inner = re.sub(r"([\\\]^])", r"\\\1", inner[1:] if neg else inner)
            out.append(f"[{'^' if neg else ''}{inner}]")
            i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    body = "".join(out)
    # a pattern without '/' matches the file name anywhere, as in .gitignore
    return re.compile(("(?:.*/)?" if "/" not in pattern else "") + body + r"\Z")


def matches(path: str, patterns) -> bool:
    """Whether path matches the patterns; a later `!pattern` takes matching
    paths out again (as in .gitignore)."""
    found = False
    for p in patterns:
        if p.startswith("!"):
            if found and compile_glob(p[1:]).match(path):
                found = False
        elif not found and compile_glob(p).match(path):
            found = True
    return found


def last_match(path: str, entries, key=lambda e: e):
    """The last entry whose glob matches path (later entries override earlier ones)."""
    found = None
    for e in entries:
        if compile_glob(key(e)).match(path):
            found = e
    return found
