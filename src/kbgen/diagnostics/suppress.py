"""Inline suppression comments, for a false positive that a writer wants to
silence where it is (docs/rules.md, "Levels and suppressions"):

    <!-- kbgen-disable KB510 -->             Markdown: the whole file
    <!-- kbgen-disable-next-line KB510 -->   Markdown: the next line
    # kbgen-disable KB111                    YAML (and front matter): the whole file
    # kbgen-disable-next-line KB303          YAML: the next line
    code: 01000  # kbgen-disable-line KB111  YAML: this line

Several codes may be listed (`KB510, KB514`); no code means every code.
Codes the registry marks as fixed are never suppressed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .codes import CODE_RE, RULES

MARK = "kbgen-disable"
# `<!--` or a YAML `#` (at the start of a line or after a space), then the directive
_DIRECTIVE = re.compile(
    r"(?P<open><!--|(?:^|(?<=\s))#)[ \t]*kbgen-disable(?P<scope>-next-line|-line)?\b(?P<rest>[^\n]*)", re.M)


@dataclass
class Suppressions:
    file_codes: set = field(default_factory=set)    # codes off for the whole file ("*": every code)
    lines: dict = field(default_factory=dict)       # line -> codes off on that line
    problems: list = field(default_factory=list)    # (line, column, message) of bad directives

    def covers(self, code: str, line: int) -> bool:
        rule = RULES.get(code)
        if rule is not None and rule.fixed:
            return False
        if "*" in self.file_codes or code in self.file_codes:
            return True
        codes = self.lines.get(line)
        return codes is not None and ("*" in codes or code in codes)


NONE = Suppressions()


def scan(text: str, markdown: bool) -> Suppressions:
    """The kbgen-disable directives of one file. In Markdown, `#` comments
    count only inside the front matter (elsewhere `#` starts a heading)."""
    if MARK not in text:
        return NONE
    out = Suppressions()
    fm_end = _front_matter_end(text) if markdown else len(text)
    code = _code_lines(text) if markdown else set()
    for m in _DIRECTIVE.finditer(text):
        html = m.group("open") == "<!--"
        if not html and m.start() >= fm_end:
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        if markdown and (text.count("\n", 0, m.start()) + 1 in code
                         or text.count("`", line_start, m.start()) % 2):
            continue  # shown as an example in code, not a directive
        rest = m.group("rest")
        if html:
            rest = rest.split("-->", 1)[0]
        else:
            rest = rest.split("#", 1)[0]  # a comment after the codes
        line = text.count("\n", 0, m.start()) + 1
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        codes = set()
        for word in re.split(r"[\s,]+", rest.strip()):
            if not word:
                continue
            if not CODE_RE.fullmatch(word) or word not in RULES:
                out.problems.append((line, column, f"'{word}' in a {MARK} comment is not a kbgen rule code"))
            elif RULES[word].fixed:
                out.problems.append((line, column, f"{word} cannot be suppressed: {RULES[word].summary}"))
            else:
                codes.add(word)
        if not codes and not rest.strip():
            codes = {"*"}
        if not codes:
            continue
        scope = m.group("scope")
        if scope is None:
            out.file_codes |= codes
        else:
            target = line + 1 if scope == "-next-line" else line
            out.lines.setdefault(target, set()).update(codes)
    return out


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _code_lines(text: str) -> set[int]:
    """Line numbers inside fenced code blocks (fences included)."""
    out, fence = set(), None
    for n, line in enumerate(text.split("\n"), 1):
        m = _FENCE.match(line)
        if fence is None:
            if m:
                fence = m.group(1)
                out.add(n)
        else:
            out.add(n)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line.strip().strip(fence[0]):
                fence = None
    return out


def _front_matter_end(text: str) -> int:
    if not text.startswith("---"):
        return 0
    m = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M).search(text, 3)
    return m.start() if m else 0


class Texts:
    """The text of each source file, for Report.apply: from the loaded KB,
    or read again for a file that failed to load (only files with problems)."""

    def __init__(self, kb):
        self.root = kb.config.root
        self.limit = kb.config.options.max_file_size
        self.texts = {rel: ent.doc.text for rel, ent in kb.by_source.items() if ent.doc is not None}

    def files(self) -> list[str]:
        """Files that hold a directive: their bad directives are reported even when clean."""
        return [rel for rel, text in self.texts.items() if MARK in text]

    def __call__(self, rel: str) -> str | None:
        if rel in self.texts:
            return self.texts[rel]
        path = self.root / rel
        try:
            if not path.resolve().is_relative_to(self.root.resolve()) or not path.is_file() or path.stat().st_size > self.limit:
                return None
            return path.read_text(encoding="utf-8-sig", errors="replace").replace("\r\n", "\n")
        except OSError:
            return None
