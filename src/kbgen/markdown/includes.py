"""`--8<--` includes (pymdownx.snippets), resolved by kbgen itself.

When a site enables snippets, kbgen expands every include before it reads
the page, so validation checks the text that will render (its links, its
HTML) and the renderer gets pages with nothing left to include. An include
must name a file inside the knowledge base; the audience rule (KB503) then
makes sure a public page includes nothing internal.

Syntax, as pymdownx.snippets reads it (line-based, like snippets itself):
    --8<-- "path/file.md"          one file (a `:start:end` line range is allowed)
    --8<--                          a block of files, one per line, closed by
    path/a.md                       another --8<-- line
    --8<--
    ;--8<-- "x"                     escaped: shown as written, minus the ';'

Unlike snippets, an included Markdown file's front matter is left out: it
declares the file's audience (a snippet is a page of the KB like any other).
Links in included text are read where they land, relative to the including
page, as the renderer reads them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..read.files import split_front_matter

_SINGLE = re.compile(r"^(?P<indent>[ \t]*)(?P<escape>;*)-+8<-+[ \t]+(?P<q>[\"'])(?P<path>.+?)(?P=q)[ \t]*$")
_BLOCK = re.compile(r"^(?P<indent>[ \t]*)(?P<escape>;*)-+8<-+[ \t]*$")
_RANGE = re.compile(r"^(?P<path>.*?)(?::(?P<start>-?\d*))?(?::(?P<end>-?\d*))?$")
MAX_DEPTH = 4
AUDIENCES = ("public", "internal")
MAX_BYTES = 1024 * 1024       # one included file
# what one page may expand to, whatever the nesting: includes read, and bytes read through them
# (20 includes of files that include 20 more each would otherwise read 20^4 files for one page)
MAX_INCLUDES = 200
MAX_EXPANDED = 1024 * 1024


@dataclass
class Budget:
    """What is left of one page's expansion."""
    includes: int = MAX_INCLUDES
    bytes: int = MAX_EXPANDED
    spent: bool = False

    def take(self, size: int) -> str | None:
        """Charge one include of size bytes; why not, when the page is over its limit."""
        if self.spent or self.includes < 1 or size > self.bytes:
            self.spent = True
            return (f"the page expands past {MAX_INCLUDES} includes or {MAX_EXPANDED:,} bytes read through them "
                    "(nested includes count too); this include and the ones after it are not expanded")
        self.includes -= 1
        self.bytes -= size
        return None


@dataclass
class Included:
    target: str               # as written
    line: int                 # in the including text (0-based)
    column: int               # 1-based
    rel: str | None = None    # KB-root-relative path of the file, when resolved
    error: str | None = None  # why it was refused
    audience: str | None = None  # what the file's own front matter says


@dataclass
class Expansion:
    text: str
    line_map: list[int] | None              # per line: 0-based source line, or -(line+1) for included lines
    includes: list[Included] = field(default_factory=list)


def has_directive(text: str) -> bool:
    return "8<-" in text


def directives(text: str) -> list[int]:
    """0-based lines of the include directives in a text (escaped ones aside)."""
    out = []
    for i, line in enumerate(text.split("\n")):
        if "8<-" in line:
            m = _SINGLE.match(line) or _BLOCK.match(line)
            if m and not m.group("escape"):
                out.append(i)
    return out


def expand(text: str, root: Path, page_rel: str, depth: int = 0, seen: frozenset = frozenset(),
           budget: Budget | None = None) -> Expansion:
    """The text with every include replaced by the file's lines, within one
    budget for the page (Budget)."""
    if not has_directive(text):
        return Expansion(text, None)
    budget = budget or Budget()
    root = root.resolve()
    out_lines: list[str] = []
    line_map: list[int] = []
    found: list[Included] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "8<-" not in line:
            out_lines.append(line)
            line_map.append(i)
            i += 1
            continue
        single = _SINGLE.match(line)
        block = None if single else _BLOCK.match(line)
        m = single or block
        if m is not None:
            if m.group("escape"):
                out_lines.append(line.replace(";", "", 1))
                line_map.append(i)
                i += 1
                continue
        if single:
            targets = [(single.group("path"), i, line.index(single.group("path")) + 1)]
            indent = single.group("indent")
            i += 1
        elif block:
            indent = block.group("indent")
            targets, j = [], i + 1
            while j < len(lines) and not _BLOCK.match(lines[j]):
                name = lines[j].strip()
                if name and not name.startswith(";"):
                    targets.append((name, j, len(lines[j]) - len(lines[j].lstrip()) + 1))
                j += 1
            i = j + 1
        else:
            out_lines.append(line)
            line_map.append(i)
            i += 1
            continue
        for target, at, col in targets:
            inc = Included(target, at, col)
            found.append(inc)
            body, nested = _resolve(inc, root, page_rel, depth, seen, budget)
            for n in nested:  # reported at the directive that brought them in
                n.line, n.column = at, col
                found.append(n)
            if body is None:
                continue
            for inc_line in body.split("\n"):
                out_lines.append(indent + inc_line if inc_line else inc_line)
                line_map.append(-(at + 1))
    return Expansion("\n".join(out_lines), line_map, found)


def _resolve(inc: Included, root: Path, page_rel: str, depth: int, seen: frozenset,
             budget: Budget) -> tuple[str | None, list[Included]]:
    m = _RANGE.match(inc.target)
    path_s = m.group("path") if m else inc.target
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", path_s):
        inc.error = "includes from URLs are not allowed; copy the text into the knowledge base"
        return None, []
    candidates = [root / path_s, root / Path(page_rel).parent / path_s]
    path = next((c for c in candidates if c.is_file()), None)
    if path is None:
        inc.error = "the included file does not exist"
        return None, []
    real = path.resolve()
    if real != root and root not in real.parents:
        inc.error = "the included file is outside the knowledge base"
        return None, []
    rel = real.relative_to(root).as_posix()
    if any(part.startswith(".") for part in rel.split("/")):
        inc.error = "hidden files and folders cannot be included"
        return None, []
    inc.rel = rel
    if rel in seen or depth >= MAX_DEPTH:
        inc.error = "includes nest too deep or include themselves"
        return None, []
    try:
        size = real.stat().st_size
        if size > MAX_BYTES:
            inc.error = "the included file is over 1 MiB"
            return None, []
        inc.error = budget.take(size)
        if inc.error:
            return None, []
        body = real.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        inc.error = f"cannot read the included file: {exc}"
        return None, []
    if real.suffix.lower() in (".md", ".markdown"):
        # a Markdown file's front matter says what it is (its audience), it is not text to show;
        # front matter kbgen cannot read is no text to show either (KB112)
        fm = split_front_matter(body)
        if fm.meta is not None and fm.meta.errors:
            inc.error = f"the included file's front matter cannot be read ({fm.meta.errors[0].message})"
            return None, []
        data = fm.meta.data if fm.meta is not None and isinstance(fm.meta.data, dict) else {}
        if any(str(k).strip().casefold() == "audience" for k in data) and data.get("audience") not in AUDIENCES:
            inc.error = "the included file's audience cannot be read (write 'audience: public' or 'audience: internal')"
            return None, []
        inc.audience = data.get("audience")
        body = fm.body
    if m and (m.group("start") or m.group("end")):
        lines = body.split("\n")
        start = int(m.group("start") or 1)
        end = int(m.group("end") or len(lines))
        body = "\n".join(lines[max(start, 1) - 1:end])
    nested: list[Included] = []
    if has_directive(body):  # nested includes: expanded, their own targets checked too
        if depth + 1 >= MAX_DEPTH:
            inc.error = "includes nest too deep"
            return None, []
        inner = expand(body, root, rel, depth + 1, seen | frozenset({rel}), budget)
        nested = inner.includes
        body = inner.text
    return body.rstrip("\n"), nested
