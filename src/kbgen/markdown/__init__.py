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
from .reader import Heading, Include, Link, Reading, Unsafe, reader_for
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


def read_fragment(text: str, settings: MarkdownSettings | None = None) -> Reading:
    """A Markdown field of a YAML file (a description, an FAQ answer)."""
    return reader_for(settings).read(text)
