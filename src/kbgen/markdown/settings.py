"""The site's Markdown settings: the extensions and options the renderer will
use, read from mkdocs.yml, plus the ones kbgen always adds. The validator's
reading of Markdown (kbgen.markdown.reader) uses exactly these, so links,
code and anchors are what the renderer sees.

No MkDocs here: mkdocs.yml is read as YAML. `!!python/name:` and
`!!python/object/apply:` (how mkdocs.yml names a slugify function or a
custom fence formatter) are resolved by import, as MkDocs does; `!ENV`
takes the environment value or its default.
"""
from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# What kbgen's pages need on top of the site's own list (added if missing).
DEFAULT_EXTENSIONS: dict[str, dict] = {
    "attr_list": {}, "md_in_html": {}, "admonition": {}, "tables": {}, "def_list": {},
    "toc": {"permalink": True},
    "pymdownx.details": {}, "pymdownx.highlight": {"anchor_linenums": False}, "pymdownx.inlinehilite": {},
    "pymdownx.tabbed": {"alternate_style": True}, "pymdownx.tasklist": {"custom_checkbox": True},
    "pymdownx.superfences": {},
}
# The extension that sanitizes every rendered page (see kbgen.markdown.safe).
SAFE_EXTENSION = "kbgen.markdown.safe"
MERMAID_FENCE = {"name": "mermaid", "class": "mermaid", "format": "pymdownx.superfences.fence_code_format"}


class SettingsError(Exception):
    """markdown_extensions in mkdocs.yml cannot be read (message says where)."""


@dataclass
class MarkdownSettings:
    extensions: list[str] = field(default_factory=list)
    configs: dict[str, dict] = field(default_factory=dict)
    snippets: bool = False                # pymdownx.snippets is enabled: `--8<--` includes exist

    def for_reading(self) -> tuple[list, dict]:
        """Extensions for the validator's reading: the site's, minus what
        only costs time (syntax highlighting) and what reads other files
        (snippets: kbgen resolves and checks includes itself)."""
        exts = [e for e in self.extensions if e not in ("pymdownx.snippets", SAFE_EXTENSION)]
        configs = {k: dict(v) for k, v in self.configs.items() if k in exts}
        if "pymdownx.highlight" in configs:
            configs["pymdownx.highlight"]["use_pygments"] = False
        if "codehilite" in configs:
            configs["codehilite"]["use_pygments"] = False
        return exts, configs


class _Loader(yaml.SafeLoader):
    pass


def _python_name(loader, suffix, node):
    module, _, attr = suffix.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise SettingsError(f"line {node.start_mark.line + 1}: cannot import {suffix}: {exc}") from None


def _python_apply(loader, suffix, node):
    func = _python_name(loader, suffix, node)
    if isinstance(node, yaml.SequenceNode):
        args, kwds = loader.construct_sequence(node, deep=True), {}
    else:
        value = loader.construct_mapping(node, deep=True)
        args, kwds = value.get("args", []), value.get("kwds", {})
    return func(*args, **kwds)


def _env(loader, node):
    names = [loader.construct_scalar(node)] if isinstance(node, yaml.ScalarNode) else loader.construct_sequence(node)
    *keys, default = names if len(names) > 1 else (names + [None])
    for key in keys:
        if key in os.environ:
            return yaml.safe_load(os.environ[key])
    return default


_Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", _python_name)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/object/apply:", _python_apply)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/object:", _python_apply)
_Loader.add_constructor("!ENV", _env)
_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)  # other tags: not ours to read


def _read_extensions(path: Path, depth: int = 0):
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SettingsError(f"{path.name}: {exc}") from None
    if not isinstance(data, dict):
        return None
    if "markdown_extensions" not in data and isinstance(data.get("INHERIT"), str) and depth < 5:
        return _read_extensions(path.parent / data["INHERIT"], depth + 1)
    return data.get("markdown_extensions")


def normalize(entries) -> tuple[list[str], dict[str, dict]]:
    """mkdocs.yml's markdown_extensions (a list of names or {name: options},
    or a mapping) as (names, configs)."""
    names: list[str] = []
    configs: dict[str, dict] = {}
    if isinstance(entries, dict):
        entries = [{k: v} for k, v in entries.items()]
    for item in entries or []:
        if isinstance(item, str):
            name, opts = item, dict[str, object]()
        elif isinstance(item, dict) and len(item) == 1:
            name, opts = next(iter(item.items()))
            opts = opts or {}
        else:
            raise SettingsError(f"markdown_extensions: cannot read entry {item!r}")
        if not isinstance(opts, dict):
            raise SettingsError(f"markdown_extensions: options of {name} must be a mapping")
        if name not in names:
            names.append(name)
        configs[name] = dict(opts)
    return names, configs


def with_defaults(names: list[str], configs: dict[str, dict]) -> MarkdownSettings:
    names, configs = list(names), {k: dict(v) for k, v in configs.items()}
    for name, opts in DEFAULT_EXTENSIONS.items():
        if name not in names:
            names.append(name)
            configs[name] = dict(opts)
    fences = configs.setdefault("pymdownx.superfences", {}).setdefault("custom_fences", [])
    if not any(isinstance(f, dict) and f.get("name") == "mermaid" for f in fences):
        from pymdownx.superfences import fence_code_format
        fences.append({**MERMAID_FENCE, "format": fence_code_format})
    if SAFE_EXTENSION not in names:
        names.append(SAFE_EXTENSION)
    return MarkdownSettings(names, configs, snippets="pymdownx.snippets" in names)


_CACHE: dict[tuple, MarkdownSettings] = {}


def site_settings(config_file: Path | None) -> MarkdownSettings:
    """The settings of the site whose mkdocs.yml is config_file (None: defaults)."""
    key = (str(config_file), config_file.stat().st_mtime_ns if config_file and config_file.exists() else 0)
    if key not in _CACHE:
        entries = _read_extensions(config_file) if config_file and config_file.exists() else None
        _CACHE[key] = with_defaults(*normalize(entries))
    return _CACHE[key]
