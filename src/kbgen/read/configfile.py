"""Find and read the site config file (mkdocs.yml) the way MkDocs reads it,
without importing MkDocs (the core must not):

- the lookup: kbgen.yml (written by `kbgen adopt`), then mkdocs.yml, then
  mkdocs.yaml, in this one place;
- `!ENV VAR` and `!ENV [VAR1, VAR2, default]`, resolved by pyyaml_env_tag,
  the library MkDocs itself uses (so the semantics are MkDocs' own);
- `INHERIT: base.yml`, relative to the file that says it, parents merged
  under the child with mergedeep (MkDocs' own choice too: mappings merged
  key by key, lists replaced);
- every problem with its file, line and column, all of them at once.

Relative paths inside the config (docs_dir, ...) are relative to the main
config file's folder, as in MkDocs; kbgen.config resolves them.
"""
from __future__ import annotations

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


def read_config_file(path: Path) -> ConfigFile:
    """Read a config file and the files it inherits from. Never raises for
    bad content: problems are collected in ConfigFile.problems."""
    path = Path(path)
    out = ConfigFile(path)
    out.data = _read(path, path.parent, out, chain=[])
    return out


def _shown(path: Path, base: Path) -> str:
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive (Windows)
        return path.as_posix()


def _read(path: Path, base: Path, out: ConfigFile, chain: list[Path]) -> dict:
    name = _shown(path, base)
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            out.problems.append(ConfigProblem(name, 1, 1, f"{name} is over {MAX_CONFIG_BYTES:,} bytes; "
                                              "a site config is a few kilobytes"))
            return {}
        text = path.read_text(encoding="utf-8-sig")
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
    base_data = _read(parent, base, out, chain + [path])
    # MkDocs: the parent's settings, then this file's over them
    return merge({}, base_data, data)


_ENV_LOADER = yaml.SafeLoader("")


def _resolve_tags(loaded: Loaded, name: str, out: ConfigFile) -> None:
    """Replace each `!ENV` value with what MkDocs would read, in place."""
    for path, tag in sorted(loaded.tags.items(), key=lambda item: -len(item[0])):
        if tag != "!ENV":
            continue  # !relative and !!python/name stay as written: MkDocs evaluates them itself
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
