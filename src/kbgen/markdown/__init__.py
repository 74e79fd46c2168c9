"""Markdown, read once and the way the renderer reads it (Python-Markdown with
the site's extensions), and the HTML allowlist every page passes through.

- settings: the site's markdown_extensions, plus what kbgen adds
- reader: links, images, anchors, headings, raw HTML of a page, located
- includes: `--8<--` includes, expanded and checked by kbgen
- sanitize: the allowlist (nh3), and what it would remove, for validation
- safe: the Python-Markdown extension that applies it in every renderer
"""
from __future__ import annotations

from pathlib import Path

from ..configfile import find_config_file
from . import includes
from .cache import ReadingCache, cache_file, fingerprint
from .reader import _READERS, Heading, Include, Link, Reading, Unsafe, reader_for
from .settings import MarkdownSettings, SettingsError, site_settings, with_defaults

__all__ = [
    "Heading",
    "Include",
    "Link",
    "MarkdownSettings",
    "Reading",
    "SettingsError",
    "Unsafe",
    "read_fragment",
    "read_page",
    "settings_for",
    "with_defaults",
]


def _config_file(root: Path) -> Path | None:
    return find_config_file(root, kbgen=False)  # the site's own mkdocs.yml: its Markdown extensions


def settings_for(cfg) -> MarkdownSettings:
    """The Markdown settings of the site of a kbgen Config."""
    cached = getattr(cfg, "_markdown_settings", None)
    if cached is None:
        try:
            cached = site_settings(_config_file(Path(cfg.root)))
        except SettingsError:
            cached = with_defaults([], {})  # the config rules report it; read with the defaults meanwhile
        try:
            cfg._markdown_settings = cached
        except AttributeError:
            pass
    return cached


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
    if settings.snippets and includes.has_directive(body):
        exp = includes.expand(body, Path(cfg.root), rel, seen=frozenset({rel}))
        body, line_map, found = exp.text, exp.line_map, exp.includes
    if line_map is None:  # pages with includes depend on other files: never cached
        cache = _cache(cfg)
        key = cache.key(cache.fp, body, first_line)
        reading = cache.get(key)
        if reading is None:
            reading = reader_for(settings).read(body, first_line)
            cache.put(key, reading)
        return reading
    reading = reader_for(settings).read(body, first_line, line_map)
    for inc in found:
        reading.includes.append(Include(inc.target, first_line + inc.line, inc.column, rel=inc.rel, error=inc.error,
                                         audience=inc.audience))
    return reading


PARALLEL_FROM = 300  # uncached pages; below this a second process costs more than it saves
_JOBS: list = []      # (text, first_line) for the forked workers, set just before the pool starts


def defer_read(cfg, doc, rel: str, body: str, first_line: int = 1) -> None:
    """Read this page with the others in read_deferred(): the Markdown of a
    large KB is read on every core."""
    pending = getattr(cfg, "_pending_reads", None)
    if pending is None:
        pending = []
        try:
            cfg._pending_reads = pending
        except AttributeError:
            doc.md = read_page(cfg, rel, body, first_line)
            return
    pending.append((doc, rel, body, first_line))


def read_deferred(cfg) -> None:
    """Read every deferred page (doc.md), from the cache or in parallel."""
    pending = getattr(cfg, "_pending_reads", None) or []
    cfg._pending_reads = None
    settings = settings_for(cfg)
    cache = _cache(cfg)
    todo = []
    for doc, rel, body, first_line in pending:
        if settings.snippets and includes.has_directive(body):
            doc.md = read_page(cfg, rel, body, first_line)
            continue
        key = cache.key(cache.fp, body, first_line)
        hit = cache.get(key)
        if hit is not None:
            doc.md = hit
        else:
            todo.append((doc, key, body, first_line))
    readings = _read_many(settings, [(body, line) for _, _, body, line in todo])
    for (doc, key, _, _), reading in zip(todo, readings):
        cache.put(key, reading)
        doc.md = reading


def _read_many(settings, jobs: list[tuple[str, int]]) -> list[Reading]:
    import os
    import threading
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if len(jobs) < PARALLEL_FROM or cores < 2 or threading.active_count() > 1 or os.name != "posix":
        reader = reader_for(settings)
        return [reader.read(text, line) for text, line in jobs]
    import multiprocessing
    global _JOBS
    _JOBS = jobs  # forked workers inherit them: only indexes and readings cross the pipe
    reader_for(settings)  # built once, before the fork
    try:
        with multiprocessing.get_context("fork").Pool(min(cores, 4)) as pool:
            return pool.map(_read_job, [(id(settings), i) for i in range(len(jobs))], chunksize=64)
    finally:
        _JOBS = []


def _read_job(arg) -> Reading:
    key, i = arg
    text, line = _JOBS[i]
    return _READERS[key].read(text, line)


def read_fragment(text: str, settings: MarkdownSettings | None = None) -> Reading:
    """A Markdown field of a YAML file (a description, an FAQ answer)."""
    return reader_for(settings).read(text)
