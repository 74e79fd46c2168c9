"""Loaded source files kept between loads of one knowledge base (kbgen mcp,
kbgen search's incremental index; usable by serve): a file is read again
only when its size or modification time moved, or, while its last change is
recent, its content."""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..diagnostics.problems import Report
from ..markdown import read_deferred
from ..model.doc import Doc, Sources
from .sources import discover, load_file

# Timestamps are coarse (a tick of the clock, or 1-2 s on some file systems):
# a file changed this close to its reading could change again unseen, so it
# is compared by content until its last change is older than this.
RACY_NS = 2_000_000_000


def file_state(path) -> tuple[int, int] | None:
    """(size, mtime_ns) of a file, None when it cannot be read."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def content_digest(path) -> str | None:
    try:
        return hashlib.blake2b(Path(path).read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None


@dataclass
class CachedFile:
    """One source file as it was read: what reading it gave, and how the file looked then."""
    rel: str
    area: str
    size: int
    mtime_ns: int
    doc: Doc | None              # None: an asset, a draft, or a file that does not load
    problems: list               # what reading it reported (kbgen.diagnostics.problems.Problem), in order
    asset: bool = False
    draft: bool = False
    counted: bool = False        # a YAML or Markdown file (Report.files)
    deps: dict = field(default_factory=dict)  # rel -> file_state() of each file its includes read
    volatile: bool = False       # an include that names no readable file: read again whenever anything changes
    digest: str | None = None    # its content's hash while its last change is recent (RACY_NS)


class SourceCache:
    """Loaded source files kept between loads of one knowledge base, for
    tools that load it again and again (`kbgen mcp`, `kbgen search`'s
    incremental index; `kbgen serve` can use it the same way).

    `load(report)` returns what `load_sources(cfg, report)` returns and
    reports the same problems, but reads only the files whose size or
    modification time changed since this cache read them (or a file their
    `--8<--` includes read); the others' Docs and problems are reused.
    `get(path, rel, area)` does the same for one file (call `finish()` after
    the last one: Markdown readings may be deferred). `generation` grows
    whenever a file is read again or goes away; `read` lists the files read
    since the caller last cleared it.

    A cached Doc is the one object the previous load returned: build_model
    may complete it in place (a folder page's listing), and does so again on
    every build, so a Doc can be modelled any number of times. A change of
    the configuration is not seen here: make a new cache with the new Config."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.files: dict[str, CachedFile] = {}
        self.generation = 0
        self.read: list[str] = []

    def fresh(self, entry: CachedFile, path: Path) -> bool:
        """Does the cached reading still hold what the file (and its includes) hold?"""
        state = file_state(path)
        if state != (entry.size, entry.mtime_ns):
            return False
        for rel, st in entry.deps.items():
            if file_state(self.cfg.root / rel) != st:
                return False
        if entry.digest is not None:
            if content_digest(path) != entry.digest:
                return False
            if state[1] < time.time_ns() - RACY_NS:
                entry.digest = None  # settled: size and time tell from now on
        return True

    def get(self, path: Path, rel: str, area: str) -> CachedFile:
        entry = self.files.get(rel)
        if entry is not None and entry.area == area and self.fresh(entry, path):
            return entry
        return self._read(path, rel, area)

    def _read(self, path: Path, rel: str, area: str) -> CachedFile:
        state = file_state(path) or (-1, -1)  # before reading: a change while reading is seen next time
        now = time.time_ns()
        report, src = Report(), Sources()
        doc = load_file(self.cfg, path, rel, area, report, src)
        entry = CachedFile(rel, area, state[0], state[1], doc, report.problems, asset=rel in src.assets,
                           draft=rel in src.drafts, counted=report.files > 0)
        if state[1] >= now - RACY_NS:
            entry.digest = content_digest(path)
        includes = getattr(doc.md, "includes", None) if doc is not None and doc.md is not None else None
        if includes:  # read at once, never deferred (kbgen.markdown.defer_read)
            entry.deps = {inc.rel: file_state(self.cfg.root / inc.rel) for inc in includes if inc.rel}
            entry.volatile = any(not inc.rel for inc in includes)
        self.files[rel] = entry
        self.generation += 1
        self.read.append(rel)
        return entry

    def finish(self) -> None:
        """Complete the Markdown readings the last get() calls deferred."""
        read_deferred(self.cfg)

    def load(self, report: Report, files: list | None = None) -> Sources:
        """Sources as load_sources gives them. files: discover(cfg, report)'s
        answer when the caller has it already (its problems then reported)."""
        files = discover(self.cfg, report) if files is None else files
        present, todo, changed = set(), [], False
        for path, rel, area, *_ in files:
            present.add(rel)
            entry = self.files.get(rel)
            if entry is None or entry.area != area or not self.fresh(entry, path):
                entry, changed = None, True
            todo.append((path, rel, area, entry))
        for rel in [r for r in self.files if r not in present]:
            del self.files[rel]
            self.generation += 1
            changed = True
        entries = []
        for path, rel, area, entry in todo:
            if entry is None or (changed and entry.volatile):
                entry = self._read(path, rel, area)
            entries.append(entry)
        self.finish()
        out = Sources()
        for entry in entries:
            report.problems.extend(entry.problems)
            report.files += entry.counted
            if entry.doc is not None:
                out.docs.append(entry.doc)
            elif entry.asset:
                out.assets.append(entry.rel)
            elif entry.draft:
                out.drafts.append(entry.rel)
        return out
