"""Find and read the site config file (mkdocs.yml) the way MkDocs reads it,
without importing MkDocs (the core must not):

- the lookup: kbgen.yml (written by `kbgen adopt`), then mkdocs.yml, then
  mkdocs.yaml, in this one place;
- `!ENV VAR` and `!ENV [VAR1, VAR2, default]`, resolved by pyyaml_env_tag,
  the library MkDocs itself uses (so the semantics are MkDocs' own);
- `INHERIT: base.yml`, relative to the file that says it, parents merged
  under the child with mergedeep (MkDocs' own choice too: mappings merged
  key by key, lists replaced), except `markdown_extensions`, merged by
  extension name: a child that changes one extension keeps the others (as
  the mapping form does in MkDocs; docs/adopting.md);
- other tags (`!!python/name:`, `!relative`) kept as `Tagged` values, as
  written: MkDocs resolves them itself, and kbgen imports a python/name
  only where a Markdown extension needs the callable (kbgen.markdown.settings);
- every problem with its file, line and column, all of them at once.

Relative paths inside the config (docs_dir, ...) are relative to the main
config file's folder, as in MkDocs; kbgen.config resolves them.
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from mergedeep import merge
from yaml_env_tag import construct_env_tag

from .yamlload import Loaded, load

KBGEN_CONFIG = "kbgen.yml"   # kbgen's own config beside a team's mkdocs.yml (`kbgen adopt`); it may INHERIT it
CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")
MAX_CONFIG_BYTES = 1024 * 1024
MAX_INHERIT = 10             # parents deep; MkDocs has no limit, a loop is refused anyway


def find_config_file(root: Path, name: str | None = None, kbgen: bool = True) -> Path | None:
    """The config file of the KB in root: `name` when given and present,
    else kbgen.yml (unless kbgen=False: what MkDocs itself should read),
    mkdocs.yml, mkdocs.yaml. None when there is none."""
    root = Path(root)
    names = ((KBGEN_CONFIG,) if kbgen else ()) + CONFIG_NAMES
    if name and name not in names:
        names = (name,) + names
    elif name == KBGEN_CONFIG or (name in CONFIG_NAMES and not kbgen):
        names = (name,) + tuple(n for n in names if n != name)
    for n in names:
        path = root / n
        if path.is_file():
            return path
    return None


class Tagged:
    """A value with a tag the renderer resolves (`!!python/name:...`,
    `!relative`), kept as written: `tag` as YAML spells it out, `value`
    the scalar, list or mapping under it."""

    __slots__ = ("tag", "value")

    def __init__(self, tag: str, value):
        self.tag, self.value = tag, value

    def __eq__(self, other):
        return isinstance(other, Tagged) and (self.tag, self.value) == (other.tag, other.value)

    def __hash__(self):
        return hash((self.tag, str(self.value)))

    def __repr__(self):
        return f"Tagged({self.tag!r}, {self.value!r})"

    @property
    def python_name(self) -> str | None:
        """`pymdownx.superfences.fence_code_format` for `!!python/name:` that."""
        prefix = "tag:yaml.org,2002:python/name:"
        return self.tag[len(prefix):] if self.tag.startswith(prefix) else None


@dataclass
class ConfigProblem:
    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


@dataclass
class ConfigFile:
    path: Path                                    # the main config file
    data: dict = field(default_factory=dict)      # merged over its parents, tags resolved
    layers: list = field(default_factory=list)    # (shown name, Loaded), the main file first
    problems: list = field(default_factory=list)  # ConfigProblem

    @property
    def files(self) -> list[Path]:
        """Every file read: the main one and the files it inherits from."""
        return [self.path.parent / name for name, _ in self.layers]

    def where(self, path: tuple, key: bool = False) -> tuple[str, int, int]:
        """(file, line, column) of a value: the file that gave it (a child
        before its parents), or the nearest ancestor any file gives."""
        path = tuple(path)
        for n in range(len(path), -1, -1):
            prefix = path[:n]
            for name, loaded in self.layers:
                table = loaded.keypos if key and n == len(path) else loaded.pos
                if prefix in table:
                    return (name, *table[prefix])
        return (self.layers[0][0] if self.layers else self.path.name, 1, 1)

    def problem(self, path: tuple, message: str, key: bool = False) -> None:
        self.problems.append(ConfigProblem(*self.where(path, key), message))


def read_config_file(path: Path, within: Path | None = None) -> ConfigFile:
    """Read a config file and the files it inherits from. Never raises for
    bad content: problems are collected in ConfigFile.problems. within: a
    folder no file may be read outside of, links followed (`kbgen adopt` on
    a repository it does not know yet)."""
    path = Path(path)
    out = ConfigFile(path)
    out.data = _read(path, path.parent, out, chain=[], within=within)
    return out


def _shown(path: Path, base: Path) -> str:
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive (Windows)
        return path.as_posix()


def _outside(path: Path, within: Path) -> bool:
    try:
        real, top = path.resolve(strict=True), within.resolve()
    except (OSError, RuntimeError):
        return True
    return real != top and top not in real.parents


def _read(path: Path, base: Path, out: ConfigFile, chain: list[Path], within: Path | None = None) -> dict:
    name = _shown(path, base)
    if within is not None and _outside(path, within):
        out.problems.append(ConfigProblem(name, 1, 1, f"{name} is outside {within.name}/ (or a link out of it): "
                                          "not read"))
        return {}
    too_big = ConfigProblem(name, 1, 1, f"{name} is over {MAX_CONFIG_BYTES:,} bytes; a site config is a few kilobytes")
    try:
        if not path.is_file() or path.stat().st_size > MAX_CONFIG_BYTES:
            out.problems.append(too_big if path.is_file() else ConfigProblem(name, 1, 1, f"{name} is not a file"))
            return {}
        with open(path, "rb") as fh:
            data_bytes = fh.read(MAX_CONFIG_BYTES + 1)  # never more, whatever the size said
        if len(data_bytes) > MAX_CONFIG_BYTES:
            out.problems.append(too_big)
            return {}
        text = data_bytes.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        out.problems.append(ConfigProblem(name, 1, 1, f"cannot read {name}: {getattr(exc, 'strerror', None) or exc}"))
        return {}
    loaded = load(text)
    out.layers.append((name, loaded))
    for e in loaded.errors:
        out.problems.append(ConfigProblem(name, e.line, e.column, e.message))
    data = loaded.data
    if data is None:
        return {}
    if not isinstance(data, dict):
        out.problems.append(ConfigProblem(name, *loaded.where(()),  # type: ignore[call-arg]  # where(): (line, column)
                                          "the config file must be a mapping of settings"))
        return {}
    _resolve_tags(loaded, name, out)
    parent_name = data.pop("INHERIT", None)
    if parent_name is None:
        return data
    line, col = loaded.where(("INHERIT",))
    if not isinstance(parent_name, str) or not parent_name.strip():
        out.problems.append(ConfigProblem(name, line, col, "INHERIT must name a config file (INHERIT: base.yml)"))
        return data
    parent = Path(os.path.normpath(path.parent / parent_name))
    if parent in chain or parent == path or len(chain) >= MAX_INHERIT:
        out.problems.append(ConfigProblem(name, line, col, f"INHERIT: {parent_name} inherits back from this file"
                                          if len(chain) < MAX_INHERIT else "INHERIT: too many levels"))
        return data
    if not parent.is_file():
        out.problems.append(ConfigProblem(name, line, col, f"INHERIT: {parent_name} does not exist "
                                          f"(looked for {_shown(parent, base)}, relative to {name})"))
        return data
    base_data = _read(parent, base, out, chain + [path], within)
    # MkDocs: the parent's settings, then this file's over them; extensions by name
    exts = merge_extensions(base_data.get("markdown_extensions"), data.get("markdown_extensions"))
    merged = merge({}, base_data, data)
    if exts is not None:
        merged["markdown_extensions"] = exts
    return merged


def extension_entries(value) -> list[tuple[str, object]] | None:
    """markdown_extensions as (name, options) pairs, in order; None when it is
    not a list of names and {name: options} (nor a mapping of them)."""
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    if not isinstance(value, list):
        return None
    out: list[tuple[str, object]] = []
    for item in value:
        if isinstance(item, str):
            out.append((item, None))
        elif isinstance(item, dict) and len(item) == 1:
            name, opts = next(iter(item.items()))
            out.append((str(name), opts))
        else:
            return None
    return out


def merge_extensions(parent, child) -> list | None:
    """A child's markdown_extensions over its parent's, by name: the parent's
    list in order, an extension the child names again takes the child's
    options merged over the parent's, new ones are added at the end. None
    when either is not a readable list (then MkDocs' rule applies: the child's
    replaces the parent's)."""
    if parent is None or child is None:
        return None
    a, b = extension_entries(parent), extension_entries(child)
    if a is None or b is None:
        return None
    opts: dict[str, object] = {}
    order: list[str] = []
    for name, o in a + b:
        if name not in opts:
            order.append(name)
            opts[name] = copy.deepcopy(o)
        elif isinstance(opts[name], dict) and isinstance(o, dict):
            opts[name] = merge({}, opts[name], o)
        elif o is not None:
            opts[name] = copy.deepcopy(o)
    return [{n: opts[n]} if opts[n] is not None else n for n in order]


_ENV_LOADER = yaml.SafeLoader("")


def _resolve_tags(loaded: Loaded, name: str, out: ConfigFile) -> None:
    """Replace each `!ENV` value with what MkDocs would read, and every other
    tagged value with a Tagged one (MkDocs evaluates those itself), in place."""
    for path, tag in sorted(loaded.tags.items(), key=lambda item: -len(item[0])):
        if tag != "!ENV":
            if "?" not in path:  # (a collection used as a key is reported by the loader)
                try:
                    _set(loaded, path, Tagged(tag, _get(loaded.data, path)))
                except (KeyError, IndexError, TypeError):
                    pass
            continue
        try:
            value = construct_env_tag(_ENV_LOADER, _node(loaded, path))
        except yaml.YAMLError as exc:
            line, col = loaded.where(path)
            out.problems.append(ConfigProblem(name, line, col, f"!ENV: {getattr(exc, 'problem', None) or exc}"))
            continue
        _set(loaded, path, value)


def _node(loaded: Loaded, path: tuple) -> yaml.Node:
    """A PyYAML node of the value at path, rebuilt from the loaded value and the
    text as written (a default like `off` or `8000` is typed as YAML types it)."""
    value = _get(loaded.data, path)

    def scalar(p, v):
        if isinstance(v, str) and p not in loaded.plain:
            return yaml.ScalarNode("tag:yaml.org,2002:str", v)
        text = loaded.plain.get(p, "" if v is None else str(v))
        return yaml.ScalarNode(_ENV_LOADER.resolve(yaml.ScalarNode, text, (True, False)), text)

    if isinstance(value, list):
        return yaml.SequenceNode("tag:yaml.org,2002:seq",
                                 [scalar(path + (i,), v) if not isinstance(v, (list, dict))
                                  else yaml.MappingNode("tag:yaml.org,2002:map", []) for i, v in enumerate(value)])
    if isinstance(value, dict):
        return yaml.MappingNode("tag:yaml.org,2002:map", [])  # construct_env_tag refuses it, with its message
    return yaml.ScalarNode("tag:yaml.org,2002:str", "" if value is None else str(value))


def _get(data, path):
    for part in path:
        data = data[part]
    return data


def _set(loaded: Loaded, path: tuple, value) -> None:
    if not path:
        loaded.data = value
        return
    _get(loaded.data, path[:-1])[path[-1]] = value
    for p in [p for p in loaded.plain if p[:len(path)] == path]:
        del loaded.plain[p]  # the text as written is no longer the value
