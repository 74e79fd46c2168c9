"""The site's Markdown settings: the extensions and options the renderer will
use, read from mkdocs.yml, plus the ones kbgen always adds. The validator's
reading of Markdown (kbgen.markdown.reader) uses exactly these, so links,
code and anchors are what the renderer sees.

No MkDocs here, and no reading of mkdocs.yml either: the settings come from
the config as kbgen.read.configfile read it (INHERIT merged, extensions by
name, `!ENV` resolved). `!!python/name:` and `!!python/object/apply:` (how
mkdocs.yml names a slugify function or a custom fence formatter) stay tags
there and are resolved here, by import, as MkDocs does.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from ..read.configfile import Tagged

# What kbgen's pages need on top of the site's own list (added if missing).
DEFAULT_EXTENSIONS: dict[str, dict] = {
    "attr_list": {}, "md_in_html": {}, "admonition": {}, "tables": {}, "def_list": {},
    "toc": {"permalink": True},
    "pymdownx.details": {}, "pymdownx.highlight": {"anchor_linenums": False}, "pymdownx.inlinehilite": {},
    "pymdownx.tabbed": {"alternate_style": True}, "pymdownx.tasklist": {"custom_checkbox": True},
    "pymdownx.superfences": {},
}
# Extensions that read other files: kbgen expands their includes itself (kbgen.markdown.includes).
MARKDOWN_INCLUDE = "markdown_include.include"
# The extension that sanitizes every rendered page (see kbgen.markdown.safe).
SAFE_EXTENSION = "kbgen.markdown.safe"
MERMAID_FENCE = {"name": "mermaid", "class": "mermaid", "format": "pymdownx.superfences.fence_code_format"}


class SettingsError(Exception):
    """markdown_extensions in mkdocs.yml cannot be read or loaded; `path` is
    where in the config (kbgen.config locates it in its file)."""

    def __init__(self, message: str, path: tuple = ("markdown_extensions",)):
        super().__init__(message)
        self.path = path


@dataclass
class MarkdownSettings:
    extensions: list[str] = field(default_factory=list)
    configs: dict[str, dict] = field(default_factory=dict)
    snippets: bool = False                # pymdownx.snippets is enabled: `--8<--` includes exist

    @property
    def include_base(self) -> str | None:
        """markdown-include's base_path when the site enables it (`{!file!}`
        includes, which kbgen expands and checks as it does snippets)."""
        if MARKDOWN_INCLUDE not in self.extensions:
            return None
        base = self.configs.get(MARKDOWN_INCLUDE, {}).get("base_path", ".")
        return base if isinstance(base, str) and base.strip() else "."

    def for_reading(self) -> tuple[list, dict]:
        """Extensions for the validator's reading: the site's, minus what
        only costs time (syntax highlighting) and what reads other files
        (snippets, markdown-include: kbgen resolves and checks includes itself)."""
        exts = [e for e in self.extensions if e not in ("pymdownx.snippets", MARKDOWN_INCLUDE, SAFE_EXTENSION)]
        configs = {k: dict(v) for k, v in self.configs.items() if k in exts}
        if "pymdownx.highlight" in configs:
            configs["pymdownx.highlight"]["use_pygments"] = False
        if "codehilite" in configs:
            configs["codehilite"]["use_pygments"] = False
        return exts, configs


def resolve(value, path: tuple = ()):
    """A config value with its `!!python/name:` (and `!!python/object/apply:`)
    tags made into what they name, as MkDocs makes them: by import, only
    here, where a Markdown extension is handed its options."""
    if isinstance(value, Tagged):
        name = value.python_name
        if name is not None:
            return _import(name, path)
        prefix = "tag:yaml.org,2002:python/object/apply:"
        if value.tag.startswith(prefix) or value.tag.startswith("tag:yaml.org,2002:python/object:"):
            func = _import(value.tag.split(":", 3)[-1].split(":", 1)[-1], path)
            inner = resolve(value.value, path)
            args, kwds = (inner, {}) if isinstance(inner, list) else \
                ((inner or {}).get("args", []), (inner or {}).get("kwds", {}))
            try:
                return func(*args, **kwds)
            except Exception as exc:  # the writer's own callable: its failure is a config problem
                raise SettingsError(f"{value.tag.split(':', 3)[-1]}: {type(exc).__name__}: {exc}", path) from None
        return resolve(value.value, path)  # !relative and the like: the value as written
    if isinstance(value, dict):
        return {k: resolve(v, path + (k,)) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, path + (i,)) for i, v in enumerate(value)]
    return value


def _import(dotted: str, path: tuple):
    module, _, attr = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attr)
    except Exception as exc:  # ImportError, AttributeError, or the module failing as it loads
        raise SettingsError(f"cannot import {dotted}: {exc}", path) from None


def normalize(entries) -> tuple[list[str], dict[str, dict]]:
    """mkdocs.yml's markdown_extensions (a list of names or {name: options},
    or a mapping) as (names, configs)."""
    names: list[str] = []
    configs: dict[str, dict] = {}
    base: tuple = ("markdown_extensions",)
    if isinstance(entries, dict):
        items = [((k,), {k: v}) for k, v in entries.items()]
    elif isinstance(entries, list) or entries is None:
        items = [((i,), item) for i, item in enumerate(entries or [])]
    else:
        raise SettingsError("markdown_extensions must be a list of extension names "
                            "(- toc, or - toc: {permalink: true})")
    for at, item in items:
        if isinstance(item, str):
            name, opts = item, dict[str, object]()
        elif isinstance(item, dict) and len(item) == 1 and isinstance(next(iter(item)), str):
            name, opts = next(iter(item.items()))
            opts = opts or {}
        else:
            raise SettingsError("cannot read this entry: an extension name, or one 'name: {options}' mapping",
                                base + at)
        if not isinstance(opts, dict):
            raise SettingsError(f"the options of {name} must be a mapping of 'option: value' lines", base + at)
        opts = resolve(opts, base + at + ((name,) if isinstance(entries, list) and isinstance(item, dict) else ()))
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


def from_config(raw: dict) -> MarkdownSettings:
    """The settings of a site from its config as kbgen.read.configfile read it
    (INHERIT merged, extensions by name). Raises SettingsError."""
    return with_defaults(*normalize(raw.get("markdown_extensions") if isinstance(raw, dict) else None))


def check_loads(settings: MarkdownSettings) -> None:
    """Every extension can be loaded with its options, as the renderer will
    load it (a missing package, an unknown option): SettingsError naming it."""
    import markdown
    exts, configs = settings.extensions, settings.configs
    try:
        markdown.Markdown(extensions=exts, extension_configs=configs)
        return
    except Exception:  # one of them fails: find which, for the message
        pass
    for name in exts:
        try:
            markdown.Markdown(extensions=[name], extension_configs={name: configs[name]} if name in configs else {})
        except ModuleNotFoundError as exc:
            raise SettingsError(f"the Markdown extension '{name}' is not installed ({exc}); install the package "
                                "that provides it (pip install ...), or remove it from markdown_extensions",
                                ("markdown_extensions", name)) from None
        except Exception as exc:
            raise SettingsError(f"the Markdown extension '{name}' cannot be loaded: {type(exc).__name__}: {exc}",
                                ("markdown_extensions", name)) from None
    raise SettingsError("these Markdown extensions cannot be loaded together")
