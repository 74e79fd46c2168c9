"""The baseline: problems a repository had when it was adopted, known and
accepted, so they do not block its builds (as linters are adopted on large
codebases). `kbgen adopt` writes it, `kbgen baseline` refreshes it, and every
command that validates reports them as known and passes; a problem not in it
fails as usual.

A problem is recorded by its rule, its file and a fingerprint of the text of
its line (not the line number: an edit elsewhere in the file keeps it
known; an edit of that line makes it new again), with a count for the same
text twice. Problems that guard readers are never recorded: a leak of
internal content, a secret, script in HTML or links, and what cannot be
read at all (the fixed codes) block as they always do. HTML the sanitizer
removes without a script in it (an <iframe>, a data- attribute: KB517,
KB518) may be known: every build removes it whatever the level, so the
reader is guarded either way and the writer still sees it in the report.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from .codes import RULES
from .problems import Problem, Report

BASELINE = ".kbgen-baseline.json"
# audience (KB501-504), secrets (KB510), script, event handlers and script links (KB511-513)
GUARDING = frozenset({"KB501", "KB502", "KB503", "KB504", "KB510", "KB511", "KB512", "KB513"})


def baselinable(code: str) -> bool:
    rule = RULES.get(code)
    return code not in GUARDING and not (rule is not None and rule.fixed)


def fingerprint(p: Problem, text_of) -> str:
    """The rule, the file and the text of the problem's line, whitespace folded."""
    text = text_of(p.file) if text_of else None
    lines = text.split("\n") if text else []
    line = " ".join(lines[p.line - 1].split()) if 0 < p.line <= len(lines) else ""
    return hashlib.sha1(f"{p.code}\0{p.file}\0{line}".encode()).hexdigest()[:16]


def write(root: Path, report: Report, text_of) -> tuple[int, int]:
    """Record the report's problems that may be baselined; returns (recorded,
    left out because they guard readers)."""
    counts: Counter = Counter()
    shown: dict[tuple, str] = {}
    left = 0
    for p in report.sorted() + list(report.known):
        if not baselinable(p.code):
            left += 1
            continue
        key = (p.code, p.file, fingerprint(p, text_of))
        counts[key] += 1
        shown.setdefault(key, p.message)
    entries = [{"code": c, "file": f, "fingerprint": fp, "count": n, "message": shown[(c, f, fp)]}
               for (c, f, fp), n in sorted(counts.items())]
    data = {"about": "problems kbgen accepted as known (kbgen baseline refreshes this file; docs/adopting.md)",
            "version": 1, "problems": entries}
    path = Path(root) / BASELINE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return sum(counts.values()), left


def read(root: Path) -> Counter | None:
    """(code, file, fingerprint) -> count; None when there is no baseline."""
    path = Path(root) / BASELINE
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 16 * 1024 * 1024:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    out: Counter = Counter()
    for e in data.get("problems", []) if isinstance(data, dict) else []:
        if isinstance(e, dict) and all(isinstance(e.get(k), str) for k in ("code", "file", "fingerprint")):
            n = e.get("count", 1)
            out[(e["code"], e["file"], e["fingerprint"])] += n if isinstance(n, int) and n > 0 else 1
    return out


def apply(root: Path, report: Report, text_of) -> None:
    """Move the problems the baseline knows into report.known (they do not
    fail a run); the ones it does not know stay problems."""
    known = read(root)
    if not known:
        return
    kept = []
    for p in report.sorted():
        key = (p.code, p.file, fingerprint(p, text_of))
        if baselinable(p.code) and known[key] > 0:
            known[key] -= 1
            report.known.append(p)
        else:
            kept.append(p)
    report.problems = kept
