"""Problems found in a knowledge base, and how they are printed.

A problem is a small ordered value (file, line, column first, so sorting a
list sorts it the way a reader walks the files), as in yamllint and ruff.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from enum import Enum

from .suppress import NONE, scan

# Raised by the calendar alone (KB601 review overdue): reported everywhere, but
# they never turn a --strict run red unless a team asks (--fail-on-overdue).
OVERDUE_CODES = frozenset({"KB601"})


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str
    hint: str | None = None
    # the file whose own error this one follows from (a link to a file that did not
    # load): the report lists that file first, so the cause is read before its effects
    cause: str | None = field(default=None, compare=False)

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    suppressed: int = 0  # problems a level `off` or a kbgen-disable comment silenced
    known: list[Problem] = field(default_factory=list)  # problems the baseline knows: reported, never failing

    def add(self, file: str, line: int, column: int, code: str, message: str,
            hint: str | None = None, severity: Severity = Severity.ERROR, cause: str | None = None) -> None:
        self.problems.append(Problem(file, max(line, 1), max(column, 1), code,
                                     severity, message, hint, cause))

    def error(self, file, pos, code, message, hint=None, cause=None) -> None:
        self.add(file, pos[0], pos[1], code, message, hint, Severity.ERROR, cause)

    def warning(self, file, pos, code, message, hint=None, cause=None) -> None:
        self.add(file, pos[0], pos[1], code, message, hint, Severity.WARNING, cause)

    def extend(self, other: "Report") -> None:
        self.problems.extend(other.problems)

    def apply(self, settings=None, text_of=None) -> None:
        """Levels from the config (kbgen.diagnostics.codes.RuleSettings) and the
        kbgen-disable comments of each file (kbgen.diagnostics.suppress), applied once,
        after every rule ran, so that every rule honours them.
        text_of(file) gives a file's text (None: unreadable) and
        `file.md` decides how its comments are read."""
        seen: dict[str, object] = {}

        def comments(file: str):
            if file not in seen:
                text = text_of(file) if text_of else None
                seen[file] = scan(text, file.lower().endswith((".md", ".markdown"))) if text else NONE
            return seen[file]

        files = set(text_of.files() if hasattr(text_of, "files") else ()) | {p.file for p in self.problems}
        for file in sorted(files):
            for line, column, message in comments(file).problems:
                self.warning(file, (line, column), "KB120", message,
                             "use the codes of docs/rules.md; fixed codes cannot be suppressed")
        kept = []
        for p in self.problems:
            level = settings.level(p.code, p.file) if settings else None
            if level == "off" or comments(p.file).covers(p.code, p.line):
                self.suppressed += 1
                continue
            if level is not None and level != p.severity.value:
                p = replace(p, severity=Severity(level))
            kept.append(p)
        self.problems = kept

    def sorted(self) -> list[Problem]:
        """By file, line and column; the files other problems follow from first."""
        causes = {p.cause for p in self.problems if p.cause}
        return sorted(set(self.problems), key=lambda p: (p.file not in causes, p))

    @property
    def errors(self) -> int:
        return sum(1 for p in set(self.problems) if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for p in set(self.problems) if p.severity is Severity.WARNING)

    @property
    def overdue(self) -> int:
        return sum(1 for p in set(self.problems) if p.code in OVERDUE_CODES)

    def failed(self, strict: bool = False, overdue: bool = False) -> bool:
        """Errors fail; with strict, warnings too, except those only time
        raises (a review falling due): they fail only when overdue is asked for."""
        if self.errors:
            return True
        if overdue and self.overdue:
            return True
        return strict and any(p.severity is Severity.WARNING and p.code not in OVERDUE_CODES for p in self.problems)


def summary_line(report: Report) -> str:
    # silenced and known problems are counted, so a level, a comment or the baseline never hides silently
    silenced = (f" {report.suppressed} silenced by rule levels or kbgen-disable comments."
                if report.suppressed else "")
    if report.known:
        n = len(report.known)
        silenced += (f" {n} known problem{'s' if n != 1 else ''} in the baseline (.kbgen-baseline.json; "
                     "`kbgen baseline` refreshes it, `kbgen validate --known` lists them).")
    if not report.problems:
        return f"All checks passed! ({report.files} files){silenced}"
    parts = []
    if report.errors:
        parts.append(f"{report.errors} error{'s' if report.errors != 1 else ''}")
    if report.warnings:
        parts.append(f"{report.warnings} warning{'s' if report.warnings != 1 else ''}")
    nfiles = len({p.file for p in report.problems})
    return f"Found {', '.join(parts)} in {nfiles} file{'s' if nfiles != 1 else ''} ({report.files} files checked).{silenced}"


def format_text(report: Report, color: bool = False) -> str:
    red, yellow, dim, bold, reset = ("\x1b[31m", "\x1b[33m", "\x1b[2m", "\x1b[1m", "\x1b[0m") if color else ("",) * 5
    lines = []
    for p in report.sorted():
        sev = f"{red}error{reset}" if p.severity is Severity.ERROR else f"{yellow}warning{reset}"
        lines.append(f"{bold}{p.file}:{p.line}:{p.column}{reset}: {sev} {p.code} {p.message}")
        if p.hint:
            lines.append(f"  {dim}hint: {p.hint}{reset}")
    lines.append(summary_line(report))
    return "\n".join(lines)


def format_json(report: Report) -> str:
    return json.dumps({
        "problems": [p.as_dict() for p in report.sorted()],
        "summary": {"errors": report.errors, "warnings": report.warnings, "files": report.files,
                    "known": len(report.known)},
        "known": [p.as_dict() for p in sorted(set(report.known))],
    }, indent=2, sort_keys=False)


def _gh_escape(value: str, prop: bool = False) -> str:
    # The escaping GitHub's workflow command parser expects.
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(report: Report) -> str:
    lines = []
    for p in report.sorted():
        level = "error" if p.severity is Severity.ERROR else ("notice" if p.code in OVERDUE_CODES else "warning")
        msg = p.message + (f"\nhint: {p.hint}" if p.hint else "")
        lines.append(
            f"::{level} file={_gh_escape(p.file, True)},line={p.line},col={p.column},"
            f"title={_gh_escape(p.code, True)}::{_gh_escape(msg)}")
    lines.append(summary_line(report))
    return "\n".join(lines)


def render(report: Report, fmt: str, color: bool = False) -> str:
    if fmt == "auto":
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    if fmt == "json":
        return format_json(report)
    if fmt == "github":
        return format_github(report)
    return format_text(report, color=color)
