"""Browser search and kb.json in the preview (kbgen serve): the search box
(kbgen.site.searchbox.Boxes) goes on each page as MkDocs writes it, so pages
rebuilt between two indexings look like the rest; Refresher writes kb.json,
kb.schema.json, llms.txt and the search index (kbgen.search.browser) in a
background thread once edits pause."""
from __future__ import annotations

import gc
import logging
import os
import shutil
import threading
import time
from pathlib import Path

from ..outputs import write_outputs
from ..search.browser import FOLDER, Cancelled, write_index

log = logging.getLogger("mkdocs.kbgen.serve")


class Refresher:
    """Writes kb.json, kb.schema.json, llms.txt and the search index
    (kbgen.search.browser) into the site, in a thread, once `quiet` seconds
    passed without a rebuild. A rebuild that starts stops a running refresh
    (it starts again after the next quiet period); the new index replaces the
    old one in one rename, so search answers from the last index until then."""

    def __init__(self, site: Path, lock: threading.Lock, quiet: float):
        self.site, self.lock, self.quiet = Path(site), lock, quiet
        self.cond = threading.Condition()
        self.view = None
        self.offline = False
        self.due = 0.0
        self.stopped = False
        self.generation = 0
        self.thread = threading.Thread(target=self._loop, name="kbgen-search-refresh", daemon=True)
        self.thread.start()

    def schedule(self, view, offline: bool = False, now: bool = False) -> None:
        """Refresh for view in `quiet` seconds (now: at once); offline: a site for file://."""
        with self.cond:
            self.view, self.offline, self.generation = view, offline, self.generation + 1
            self.due = time.monotonic() + (0 if now else self.quiet)
            self.cond.notify_all()

    def drop_index(self) -> None:
        """Remove the search index now (the next refresh makes it again):
        after a rebuild that narrowed the view, no stale entry is served.
        The caller holds the lock (a rebuild does)."""
        shutil.rmtree(self.site / FOLDER, ignore_errors=True)

    def cancel(self) -> None:
        with self.cond:
            self.view, self.generation = None, self.generation + 1

    def stop(self) -> None:
        self.stopped = True
        self.cancel()
        with self.cond:
            self.cond.notify_all()

    def _loop(self) -> None:
        while True:
            with self.cond:
                while not self.stopped and (self.view is None or time.monotonic() < self.due):
                    self.cond.wait(None if self.view is None else max(0.05, self.due - time.monotonic()))
                if self.stopped:
                    return
                view, offline, generation, self.view = self.view, self.offline, self.generation, None
            try:
                self.collect()
                self._refresh(view, offline, generation)
            except Cancelled:  # a rebuild started: the next quiet period refreshes
                pass
            except Exception as exc:  # the preview keeps going; the next refresh tries again
                log.warning(f"kbgen serve: search index not refreshed: {type(exc).__name__}: {exc}")

    @staticmethod
    def collect() -> None:
        """A full garbage collection, while the edits pause: the server
        freezes what it keeps after each rebuild (kbgen.mkdocs.serve.Preview),
        so cycles left by earlier rebuilds are freed here, not in a rebuild."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def _current(self, generation: int) -> bool:
        with self.cond:
            return generation == self.generation and not self.stopped

    def _refresh(self, view, offline: bool, generation: int) -> None:
        start = time.perf_counter()
        work = self.site.with_name(self.site.name + ".refresh")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        try:
            written = write_outputs(view, work)
            with self.lock:
                if not self._current(generation) or not self.site.is_dir():
                    return
                for path in written:
                    os.replace(path, self.site / path.name)
            # checked as it goes: a rebuild that starts stops it (Cancelled)
            index = write_index(view, work, offline, directory_urls=not offline,
                                stop=lambda: not self._current(generation)).folder
            with self.lock:
                if not self._current(generation) or not self.site.is_dir():
                    return
                old = work / "old"
                if (self.site / FOLDER).exists():
                    os.rename(self.site / FOLDER, old)
                os.rename(index, self.site / FOLDER)
            log.info(f"kbgen serve: search index and kb.json refreshed in {time.perf_counter() - start:.1f} s")
        finally:
            shutil.rmtree(work, ignore_errors=True)
