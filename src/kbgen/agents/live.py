"""The audience's view of the knowledge base and its open search index,
kept current while `kbgen mcp` runs (kbgen.agents.mcp_server).

Content edits are picked up while the server runs: a file watcher marks
the sources changed, and before answering the server reads only the
changed files and re-indexes only the documents they affect."""
from __future__ import annotations

import gc
import os
import threading
import time
from pathlib import Path

from ..diagnostics.problems import Report
from ..load.cache import SourceCache, file_state
from ..model.audience import for_audience
from ..search.service import Searcher, SearchError, UpdateStats, refresh_index
from ..search.synonyms import SynonymError, kb_synonyms_file

POLL_SECONDS = 0.5           # without a file watcher: how stale an answer may be
WATCHED_POLL_SECONDS = 10.0  # with one: in case a file system sends no events (network mounts)


class LiveKnowledgeBase:
    """The audience's view of the KB and its open search index, kept current.

    The loaded source files stay in memory (kbgen.load.cache.SourceCache). A
    watcher (watchdog: inotify, FSEvents...) marks the sources changed as soon
    as a file under them changes; before answering, a marked server (or one
    that has not looked for POLL_SECONDS, in case the file system sends no
    events) compares every source's size and time with the index's manifest,
    reads only the changed files, and re-indexes only the documents they
    affect (kbgen.search.incremental). The model the other tools answer from
    is made again, from the kept files, when one of them next asks."""

    def __init__(self, cfg, audience: str):
        self.cfg, self.audience = cfg, audience
        self.lock = threading.RLock()  # refreshes, the model, and queries of the open index
        self.sources = SourceCache(cfg)
        self.searcher: Searcher | None = None
        self.path: Path | None = None
        self._kb = None
        self.alert_entries: dict = {}
        self._model_stale = True
        self._model_generation = -1  # the kept files' generation the model was made from
        self.generation: str | None = None  # the index's, when this server last opened it
        self.synonyms: tuple[int, int] | None = None  # the synonyms file's state, then
        self.changed = True          # set by the watcher (any thread); cleared before each look
        self.checked = 0.0
        self.last: UpdateStats | None = None  # what the last refresh did (None: nothing had changed)
        self.watcher = _watch(cfg, self._mark)
        self.poll = POLL_SECONDS if self.watcher is None else WATCHED_POLL_SECONDS
        self.current()
        self.model()  # every file loaded once, now: the first get or list answers at once

    def _mark(self) -> None:
        self.changed = True

    def _refresh(self) -> None:
        path, _, stats = refresh_index(self.cfg, self.audience, sources=self.sources)
        self.last = stats
        # another process (kbgen search) may have brought the index up to date with an edit
        theirs = self.searcher is not None and path == self.path and \
            self.searcher.engine.meta("generation") != self.generation
        syn = kb_synonyms_file(self.cfg)
        synonyms = file_state(syn) if syn else None  # read when the index is opened
        if stats is not None or theirs or self.searcher is None or path != self.path or synonyms != self.synonyms:
            self.synonyms = synonyms
            if self.searcher is not None:
                self.searcher.close()
                self.searcher = None
            try:
                self.searcher = Searcher(path, kinds=self.cfg.kinds)  # a new connection: sees the update, fresh known codes
            except SynonymError as exc:  # the KB's synonyms file: the user's to fix, said plainly
                raise SearchError(str(exc)) from None
            self.path = path
            self.generation = self.searcher.engine.meta("generation")
            self._model_stale = True
            _settle()

    def current(self):
        with self.lock:
            now = time.monotonic()
            if self.changed or now - self.checked >= self.poll:
                self.changed = False  # before looking: an edit during the refresh marks it again
                self.checked = now
                self._refresh()
            return self

    @property
    def kb(self):
        """The audience-filtered model (get, lookup_code, list, resources), from the kept files."""
        return self.model()

    def model(self):
        with self.lock:
            if self._model_stale or self._kb is None:
                from ..load.build import build_model
                sources = self.sources.load(Report())  # only files changed since they were kept are read
                if self._kb is None or self.sources.generation != self._model_generation:
                    kb = build_model(self.cfg, sources, Report())
                    self._kb = for_audience(kb, self.audience)
                    # alerts of Markdown catalogue pages (`alert_catalogues`), from the unfiltered model
                    self.alert_entries = getattr(kb, "alert_entries", {}) or {}
                    self._model_generation = self.sources.generation
                    _settle()
                self._model_stale = False
            return self._kb

    def query(self, q: str, **kwargs):
        with self.lock:  # a refresh closes and reopens the index
            if self.searcher is None:
                raise SearchError("the search index is not open")
            return self.searcher.query(q, **kwargs)

    def close(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if self.searcher is not None:
            self.searcher.close()


def _settle() -> None:
    """Leave what is loaded now out of the garbage collector's full passes: the
    kept files of a 10k-entity KB are millions of objects, and a full pass
    over them (~0.2 s) would otherwise land in the middle of a refresh.
    Objects freed later are still freed; only reference cycles among them
    would stay (a Doc holds none)."""
    gc.collect()
    gc.freeze()


def _watch(cfg, mark):
    """Call mark() whenever a file under the sources (or the config beside them)
    changes; None when no watcher can run (then the server polls)."""
    try:
        from watchdog.events import EVENT_TYPE_CLOSED_NO_WRITE, EVENT_TYPE_OPENED, FileSystemEventHandler
        from watchdog.observers import Observer
    except ImportError:
        return None
    quiet = {EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE}  # reads, ours included

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type in quiet:
                return
            for p in (event.src_path, getattr(event, "dest_path", "") or ""):
                if p and not _hidden(Path(os.fsdecode(p))):
                    mark()
                    return

    root = Path(cfg.root).resolve()

    def _hidden(path: Path) -> bool:
        # dot-names (.git, the index in .kbgen, an editor's swap file) are never sources
        try:
            parts = path.relative_to(root).parts
        except ValueError:
            parts = (path.name,)
        return any(part.startswith(".") for part in parts)
    trees = {Path(d).resolve() for d in (cfg.content_dir, cfg.runbooks_dir) if Path(d).is_dir()}
    trees = {t for t in trees if not any(o in t.parents for o in trees)}  # runbooks/ inside content/: once
    try:
        observer = Observer()
        observer.daemon = True
        handler = Handler()
        for t in sorted(trees):
            observer.schedule(handler, str(t), recursive=True)
        if root not in trees and not any(t in root.parents for t in trees):
            observer.schedule(handler, str(root), recursive=False)  # mkdocs.yml, the synonyms file
        observer.start()
    except Exception:  # noqa: BLE001 - no inotify watches left, an unsupported file system: poll instead
        return None
    return observer
