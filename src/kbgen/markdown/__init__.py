"""Markdown, read once and the way the renderer reads it (Python-Markdown with
the site's extensions), and the HTML allowlist every page passes through.

- settings: the site's markdown_extensions, plus what kbgen adds
- reader: links, images, anchors, headings, raw HTML of a page, located
- includes: `--8<--` includes, expanded and checked by kbgen
- sanitize: the allowlist (nh3), and what it would remove, for validation
- safe: the Python-Markdown extension that applies it in every renderer
"""
from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from . import includes
from .cache import ReadingCache, cache_file, fingerprint
from .reader import _READERS, Heading, Include, Link, Reading, Unsafe, reader_for
from .settings import MarkdownSettings, SettingsError, check_loads, from_config, with_defaults

__all__ = [
    "Heading",
    "Include",
    "Link",
    "MarkdownSettings",
    "Reading",
    "SettingsError",
    "Unsafe",
    "first_h1",
    "load_settings",
    "read_fragment",
    "read_page",
    "scan_markdown",
    "settings_for",
    "with_defaults",
]


def settings_for(cfg) -> MarkdownSettings:
    """The Markdown settings of the site of a kbgen Config: from its config as
    read once (kbgen.config, kbgen.read.configfile), kbgen.yml included."""
    cached = getattr(cfg, "_markdown_settings", None)
    if cached is None:
        try:
            cached = from_config(getattr(cfg, "raw", None) or {})
        except SettingsError:
            cached = with_defaults([], {})  # load_config reported it already; read with the defaults meanwhile
        try:
            cfg._markdown_settings = cached
        except AttributeError:
            pass
    return cached


def load_settings(raw: dict) -> MarkdownSettings:
    """The Markdown settings of a config as kbgen.read.configfile read it, with
    every extension loaded once (the reader the pages are read with): raises
    SettingsError naming the extension that cannot be loaded and where."""
    settings = from_config(raw)
    if isinstance(raw, dict) and raw.get("markdown_extensions") is not None:
        try:
            reader_for(settings)
        except Exception:
            check_loads(settings)  # names the extension; raises SettingsError
            raise
    return settings


def _cache(cfg):
    cache = getattr(cfg, "_reading_cache", None)
    if cache is None:
        cache = ReadingCache(cache_file(cfg.root))
        cache.fp = fingerprint(settings_for(cfg))
        try:
            cfg._reading_cache = cache
        except AttributeError:
            pass
    return cache


def _lookup(cfg, body: str, first_line: int):
    """(cache, key, the cached reading or None) for a page's text."""
    cache = _cache(cfg)
    key = cache.key(cache.fp, body, first_line)
    return cache, key, cache.get(key)


def flush_cache(cfg) -> None:
    """Keep this run's readings for the next one (kbgen.markdown.cache)."""
    cache = getattr(cfg, "_reading_cache", None)
    if cache is not None:
        cache.flush()


def read_page(cfg, rel: str, body: str, first_line: int = 1) -> Reading:
    """A Markdown page body as the renderer will see it: includes expanded
    (when the site enables snippets), then read."""
    settings = settings_for(cfg)
    found: list = []
    line_map = None
    appended = [p for p in _auto_append(cfg, settings) if p != rel]  # (the appended file itself: once is enough)
    if appended:
        # pymdownx.snippets' auto_append: these files end every page, as includes kbgen checks
        body = body.rstrip("\n") + "\n\n" + "\n".join(f'--8<-- "{p}"' for p in appended) + "\n"
    if settings.include_base is not None and "{!" in body:
        body = _markdown_include(body, settings.include_base)
    if (settings.snippets or settings.include_base is not None) and includes.has_directive(body):
        exp = includes.expand(body, Path(cfg.root), rel, seen=frozenset({rel}))
        body, line_map, found = exp.text, exp.line_map, exp.includes
    if line_map is None:  # pages with includes depend on other files: never cached
        cache, key, reading = _lookup(cfg, body, first_line)
        if reading is None:
            reading = reader_for(settings).read(body, first_line)
            cache.put(key, reading)
        return reading
    reading = reader_for(settings).read(body, first_line, line_map)
    for inc in found:
        reading.includes.append(Include(inc.target, first_line + inc.line, inc.column, rel=inc.rel, error=inc.error,
                                         audience=inc.audience))
    return reading


_MD_INCLUDE = re.compile(r"^([ \t]*)\{!\s*(.+?)\s*!\}[ \t]*$", re.M)


def _markdown_include(body: str, base: str) -> str:
    """markdown-include's `{!file!}` alone on a line, as the include kbgen
    expands and checks (`--8<-- "base/file"`, line for line: positions stay);
    the file is looked up under its base_path, from the KB root (where
    MkDocs runs), and must be inside the KB like any include."""
    def line(m: re.Match) -> str:
        target = posixpath.normpath(posixpath.join(base, m.group(2)))
        return f'{m.group(1)}--8<-- "{target}"'
    return _MD_INCLUDE.sub(line, body)


def _auto_append(cfg, settings: MarkdownSettings) -> list[str]:
    """pymdownx.snippets' auto_append files, as paths from the KB root: each is
    looked up in the extension's base_path folders (default: the folder
    MkDocs runs in, the config's), as snippets does."""
    if not settings.snippets:
        return []
    cached = getattr(cfg, "_auto_append", None)
    if cached is not None:
        return cached
    opts = settings.configs.get("pymdownx.snippets", {})
    names = opts.get("auto_append") or []
    bases = opts.get("base_path") or ["."]
    bases = [bases] if isinstance(bases, str) else list(bases)
    root = Path(cfg.root)
    out = []
    for name in names if isinstance(names, list) else [names]:
        found = next((b for b in bases if isinstance(b, str) and (root / b / str(name)).is_file()), None)
        out.append(Path(os.path.normpath(Path(found) / str(name))).as_posix() if found is not None else str(name))
    try:
        cfg._auto_append = out
    except AttributeError:
        pass
    return out


POOL_FROM = 64   # uncached pages seen before the readers start: fewer are read in this process
BATCH = 32       # pages sent to a reader at a time


class _Deferred:
    """Pages waiting for their reading. Once POOL_FROM uncached pages are
    waiting (a large KB), forked reader processes start and parse them while
    this process goes on loading YAML; otherwise they are read at the end."""

    def __init__(self, settings):
        self.settings = settings
        self.items: list = []     # (doc, cache key or None, text, first_line)
        self.sent = 0             # items handed to the pool so far
        self.results: list = []   # AsyncResult per batch, in order
        self.pool = None

    def add(self, doc, key, text, first_line) -> None:
        self.items.append((doc, key, text, first_line))
        waiting = len(self.items) - self.sent
        if self.pool is None and waiting >= POOL_FROM:
            self.pool = _start_pool(self.settings)
        if self.pool is not None and waiting >= BATCH:
            self._send()

    def _send(self) -> None:
        batch = [(text, line) for _, _, text, line in self.items[self.sent:]]
        self.results.append(self.pool.apply_async(_read_batch, (id(self.settings), batch)))
        self.sent = len(self.items)

    def finish(self) -> list:
        if self.pool is None:
            reader = reader_for(self.settings)
            return [reader.read(text, line) for _, _, text, line in self.items]
        try:
            if self.sent < len(self.items):
                self._send()
            readings = [r for res in self.results for r in res.get()]
        finally:
            self.pool.close()
            self.pool.join()
        for reading, (_, _, text, _) in zip(readings, self.items):
            reading.text = text  # not sent back through the pipe: the text is here already
        return readings


def _start_pool(settings):
    import multiprocessing
    import os
    import threading
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cores < 2 or threading.active_count() > 1 or os.name != "posix":
        return None  # one core, or threads that a fork would copy mid-flight (serve, mcp)
    reader_for(settings)  # built once, before the fork
    return multiprocessing.get_context("fork").Pool(min(cores, 4), initializer=_quiet_reader)


def _quiet_reader() -> None:
    """A reader process stops when told to, and says nothing: Ctrl-C is the
    parent's to handle (it stops the pool), a stop signal ends the process at
    once, and a parent gone mid-batch (a stopped build) is no traceback on
    the user's terminal. Its errors travel back as results."""
    import os
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _read_batch(key: int, batch: list[tuple[str, int]]) -> list[Reading]:
    reader = _READERS[key]
    out = []
    for text, line in batch:
        reading = reader.read(text, line)
        reading.text = ""
        out.append(reading)
    return out


def defer_read(cfg, doc, rel: str, body: str, first_line: int = 1) -> None:
    """Read this page now, from the cache, or with the others (read_deferred)."""
    settings = settings_for(cfg)
    if settings.snippets and (includes.has_directive(body) or _auto_append(cfg, settings)) \
            or settings.include_base is not None and "{!" in body:
        doc.md = read_page(cfg, rel, body, first_line)  # depends on other files: read here, never cached
        return
    _, key, hit = _lookup(cfg, body, first_line)
    if hit is not None:
        doc.md = hit
        return
    pending = getattr(cfg, "_deferred", None)
    if pending is None:
        pending = _Deferred(settings)
        try:
            cfg._deferred = pending
        except AttributeError:
            doc.md = read_page(cfg, rel, body, first_line)
            return
    pending.add(doc, key, body, first_line)


def read_deferred(cfg) -> None:
    """Finish the deferred pages (doc.md for each) and keep them in the cache."""
    pending = getattr(cfg, "_deferred", None)
    if pending is None:
        return
    cfg._deferred = None
    cache = _cache(cfg)
    for (doc, key, _, _), reading in zip(pending.items, pending.finish()):
        cache.put(key, reading)
        doc.md = reading


def read_fragment(text: str, settings: MarkdownSettings | None = None) -> Reading:
    """A Markdown field of a YAML file (a description, an FAQ answer)."""
    return reader_for(settings).read(text)


def scan_markdown(body: str, first_line: int = 1) -> Reading:
    """A Markdown text read with kbgen's default settings (no site at hand)."""
    return reader_for(None).read(body, first_line)


def first_h1(reading: Reading) -> str | None:
    for h in reading.headings:
        if h.level == 1:
            return h.text
    return None
