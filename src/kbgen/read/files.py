"""Reading a source file: size limit, encoding (UTF-8, BOM, CRLF), NUL
bytes, each refusal a located problem; and its YAML front matter, split from
the body with the body's first line (kbgen.markdown reads the body)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics.problems import Report
from .yamlload import Loaded, YamlError, load

MAX_FILE_BYTES = 1024 * 1024  # a KB page larger than this is a mistake, not content


def read_text(path: Path, rel: str, report: Report, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """The file's text with BOM and CRLF normalised, or None with a located problem."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            report.error(rel, (1, 1), "KB109", f"file is {size:,} bytes, over the {max_bytes:,}-byte limit",
                         "split it into smaller files; a knowledge-base page should never be this large")
            return None
        raw = path.read_bytes()
    except OSError as exc:
        report.error(rel, (1, 1), "KB100", f"cannot read file: {exc.strerror or exc}")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        report.error(rel, (line, col), "KB101", f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                     "save the file as UTF-8")
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        i = text.index("\x00")
        report.error(rel, (text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1), "KB101",
                     "file contains a NUL byte (binary file?)")
        return None
    return text


@dataclass
class FrontMatter:
    meta: Loaded | None   # None when the file has no front matter
    body: str
    body_line: int        # 1-based line of the first body line


_FM_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$", re.MULTILINE)
# what may hide before a first line, invisible in an editor: blank lines, byte-order
# marks after the first, zero-width and no-break spaces
_INVISIBLE = " \t\n\ufeff\u200b\u200c\u200d\u2060\u00a0\u3000"


def split_front_matter(text: str) -> FrontMatter:
    """The YAML front matter (between '---' lines, from the first line) and
    the body. Front matter kbgen cannot read as it reads it is never taken
    for body text: a block that starts after blank lines or invisible
    characters, TOML (+++) or JSON ({) front matter is a problem (KB112),
    and the page has no front matter kbgen could trust (docs/security.md)."""
    first_nl = text.find("\n")
    first = text[:first_nl] if first_nl >= 0 else text
    if first.strip() != "---":
        return _unreadable(text) or FrontMatter(None, text, 1)
    m = _FM_CLOSE.search(text, first_nl + 1)
    if not m:
        loaded = Loaded()
        loaded.errors.append(YamlError(1, 1, "KB108", "front matter opened with '---' is never closed",
                                       "end the front matter with a line of '---'"))
        return FrontMatter(loaded, text, 1)
    yaml_text = text[first_nl + 1:m.start()]
    loaded = load(yaml_text, line_offset=1)
    body_start = m.end() + 1
    body_line = text.count("\n", 0, min(body_start, len(text))) + 1
    return FrontMatter(loaded, text[body_start:] if body_start <= len(text) else "", body_line)


def _unreadable(text: str) -> FrontMatter | None:
    """Front matter in a form kbgen does not read, or not where it reads it."""
    rest = text.lstrip(_INVISIBLE)
    line = text.count("\n", 0, len(text) - len(rest)) + 1
    nl = rest.find("\n")
    first = (rest[:nl] if nl >= 0 else rest).strip()
    if first == "+++":
        why, hint = "TOML front matter (+++), which kbgen does not read", "write it as YAML between '---' lines"
    elif first == "{":
        why, hint = "JSON front matter ({ ... }), which kbgen does not read", "write it as YAML between '---' lines"
    elif first == "---" and len(rest) != len(text):
        close = _FM_CLOSE.search(rest, nl + 1) if nl >= 0 else None
        block = load(rest[nl + 1:close.start()]) if close else None
        only_blank = not text[:len(text) - len(rest)].strip(" \t\n")
        if only_blank and (block is None or not (isinstance(block.data, dict) or block.errors)):
            return None  # a horizontal rule after blank lines, not a block of keys
        why = "front matter that does not start on the first line (blank lines or invisible characters before it)"
        hint = "start the file with the '---' line: kbgen reads front matter only there"
    else:
        return None
    loaded = Loaded()
    loaded.errors.append(YamlError(line, 1, "KB112", f"{why}; the page is not published", hint))
    return FrontMatter(loaded, text, 1)
