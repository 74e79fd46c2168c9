"""Problems that follow from another one: a file that did not load leaves
the links to it broken and the ids it defines unknown. Those problems name
the file as their cause (the report lists it first) and say so, so a writer
fixes the one error and not the ten it caused.

Failing:  runbooks/rb.yaml with a tab (KB102) -> content/index.md's link to it:
          KB308 "... did not load: the error in runbooks/rb.yaml comes first"
"""
from __future__ import annotations

import posixpath

from ..diagnostics.problems import Severity
from ..kinds.base import memo

YAML_OR_MARKDOWN = (".yaml", ".yml", ".md", ".markdown")


def unloaded(kb, report) -> dict[str, str]:
    """{path: text} of the source files with an error that left nothing of
    them in the model (a YAML syntax error, an unknown kind, no id)."""
    def build() -> dict[str, str]:
        loaded = set(kb.by_source)
        out = {}
        for p in report.problems:
            if p.severity is Severity.ERROR and p.file not in loaded and p.file.lower().endswith(YAML_OR_MARKDOWN):
                try:
                    out[p.file] = (kb.config.root / p.file).read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
        return out
    return memo(kb, "unloaded_sources", build)


def cause_of(kb, report, value: str, path: str | None = None) -> str | None:
    """The file that did not load and that a missing target most likely is:
    the path a link names, a file named like the id, or one with a line that
    defines the value (`id: tier3`, `- code: QT-001`: the parser could not
    read the file, so its lines are all there is)."""
    files = unloaded(kb, report)
    if not files:
        return None
    if path is not None:
        return path if path in files else None
    for rel in files:
        if posixpath.splitext(posixpath.basename(rel))[0] == value:
            return rel
    return next((rel for rel, text in files.items() if value and _defines(text, value)), None)


def _defines(text: str, value: str) -> bool:
    for line in text.splitlines():
        key, sep, rest = line.strip().removeprefix("- ").partition(":")
        if sep and key.strip() in ("id", "code", "name") and rest.strip().strip("'\"") == value:
            return True
    return False


def follows(cause: str) -> str:
    """The hint of a problem that follows from `cause`."""
    return f"fix the error in {cause} first (reported above): this one goes with it"
