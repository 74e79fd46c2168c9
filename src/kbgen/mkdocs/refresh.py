"""Browser search and kb.json in the preview (kbgen serve): Marks adds
Pagefind's attributes and kbgen's search box to each page as MkDocs writes
it (kbgen.site.pagefind's own functions), so pages rebuilt between two
indexings look like the rest; Refresher writes kb.json, kb.schema.json and
llms.txt and runs Pagefind in a background thread once edits pause."""
from __future__ import annotations

import gc
import logging
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

from ..outputs import write_outputs
from ..site.pagefind import (
    ASSET_DIR,
    BUNDLE,
    EXCLUDE,
    UI_FILES,
    UNUSED,
    WORKER_PAGES,
    _filter_values,
    _url_of,
    add_ui,
    executable,
    mark_page,
    page_facts,
    search_box,
    stable_filters,
    warm_up_words,
)

log = logging.getLogger("mkdocs.kbgen.serve")


class Marks:
    """What kbgen.site.pagefind.index_site adds to a page (attributes and the
    search box), done on each page as it is written."""

    def __init__(self, view):
        self.facts = page_facts(view)
        self.filters = _filter_values(self.facts)
        self.worker = len(self.facts) >= WORKER_PAGES  # as kbgen.site.pagefind.mark_site decides
        self.boxes: dict[str, str] = {}

    def apply(self, rel: str, text: str) -> str:
        if rel == "404.html" or "<article" not in text or 'class="kbgen-search"' in text:
            return text
        prefix = "../" * rel.count("/")
        if prefix not in self.boxes:
            self.boxes[prefix] = search_box(prefix, self.filters, worker=self.worker)
        return add_ui(mark_page(text, self.facts.get(_url_of(rel))), prefix, self.boxes[prefix])


def copy_search_assets(site: Path) -> None:
    """kbgen's search box script and style (kbgen.site.pagefind.index_site copies them in a build)."""
    assets = site / "assets" / "kbgen"
    assets.mkdir(parents=True, exist_ok=True)
    for name in UI_FILES:
        shutil.copyfile(ASSET_DIR / name, assets / name)


class Refresher:
    """Writes kb.json, kb.schema.json and llms.txt into the site and runs
    Pagefind on it, in a thread, once `quiet` seconds passed without a
    rebuild. A rebuild that starts stops a running refresh (it starts again
    after the next quiet period); the new index replaces the old one in one
    rename, so search answers from the last index until then."""

    def __init__(self, site: Path, lock: threading.Lock, quiet: float):
        self.site, self.lock, self.quiet = Path(site), lock, quiet
        self.cond = threading.Condition()
        self.view = None
        self.search = True
        self.due = 0.0
        self.proc: subprocess.Popen | None = None
        self.stopped = False
        self.generation = 0
        self.thread = threading.Thread(target=self._loop, name="kbgen-search-refresh", daemon=True)
        self.thread.start()

    def schedule(self, view, search: bool = True, now: bool = False) -> None:
        """Refresh for view in `quiet` seconds (now: at once); search: run Pagefind too."""
        with self.cond:
            self.view, self.search, self.generation = view, search, self.generation + 1
            self.due = time.monotonic() + (0 if now else self.quiet)
            self.cond.notify_all()

    def cancel(self) -> None:
        with self.cond:
            self.view, self.generation = None, self.generation + 1
            proc = self.proc
        if proc and proc.poll() is None:
            proc.terminate()

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
                view, search, generation, self.view = self.view, self.search, self.generation, None
            try:
                self.collect()
                self._refresh(view, search, generation)
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

    def _refresh(self, view, search: bool, generation: int) -> None:
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
            if not search:  # an offline site keeps Material's lunr search, made by each build
                return
            bundle = work / BUNDLE
            cmd = [str(executable()), "--site", str(self.site), "--output-path", str(bundle),
                   "--exclude-selectors", EXCLUDE, "--silent"]
            with self.cond:
                if generation != self.generation:
                    return
                self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            out, _ = self.proc.communicate()
            code, self.proc = self.proc.returncode, None
            if not self._current(generation):
                return
            if code != 0 or not (bundle / "pagefind.js").is_file():
                log.warning(f"kbgen serve: Pagefind failed (exit {code}): {(out or '').strip()[-500:]}")
                return
            for name in UNUSED:
                (bundle / name).unlink(missing_ok=True)
            stable_filters(bundle)
            warm_up_words(bundle)  # as kbgen.site.pagefind.run_pagefind does
            with self.lock:
                if not self._current(generation) or not self.site.is_dir():
                    return
                old = work / "old"
                if (self.site / BUNDLE).exists():
                    os.rename(self.site / BUNDLE, old)
                os.rename(bundle, self.site / BUNDLE)
            log.info(f"kbgen serve: search index and kb.json refreshed in {time.perf_counter() - start:.1f} s")
        finally:
            shutil.rmtree(work, ignore_errors=True)
