"""The KB's configuration: mkdocs.yml's site settings and the `kbgen` plugin
options, declared once here (the MkDocs plugin reads the same model)."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from .durations import parse_duration
from .schema.types import Audience, Date, DurationField, Slug
from .yamlload import load

DEFAULT_SECTIONS = ["Symptoms", "Diagnosis", "Resolution"]


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Slug
    name: str
    summary: str | None = None


class PluginOptions(BaseModel):
    """Options of the `kbgen` plugin in mkdocs.yml."""
    model_config = ConfigDict(extra="forbid")
    default_audience: Audience = "internal"   # fail closed: unmarked content stays internal
    audience: Audience | None = None          # the build's audience (CLI --audience wins)
    review_every: DurationField = parse_duration("365d")
    products: list[Product] = []
    runbook_sections: list[str] = DEFAULT_SECTIONS
    runbooks_dir: str = "runbooks"
    today: Date | None = None                 # freeze "today" for freshness checks in tests
    search_dir: str = ".kbgen"
    max_file_size: int = 1024 * 1024
    offline: bool = False                     # a site that works from file://
    nav_limit: int = 60                       # sections listing more pages link to an index page


class ConfigError(Exception):
    """A problem with the KB's configuration: exit code 2."""

    def __init__(self, message: str, file: str = "mkdocs.yml", line: int = 1, column: int = 1):
        super().__init__(message)
        self.file, self.line, self.column = file, line, column

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.args[0]}"


@dataclass
class Config:
    root: Path
    site_name: str = "Knowledge base"
    site_url: str | None = None
    site_description: str | None = None
    repo_url: str | None = None
    edit_uri: str | None = None
    docs_dir: str = "content"
    options: PluginOptions = field(default_factory=PluginOptions)
    raw: dict = field(default_factory=dict)
    has_config_file: bool = True

    @property
    def content_dir(self) -> Path:
        return self.root / self.docs_dir

    @property
    def runbooks_dir(self) -> Path:
        return self.root / self.options.runbooks_dir

    @property
    def today(self) -> dt.date:
        env = os.environ.get("KBGEN_TODAY")
        if env:
            return dt.date.fromisoformat(env)
        return self.options.today or dt.date.today()

    def product_ids(self) -> set[str]:
        return {p.id for p in self.options.products}


def find_plugin_options(raw: dict) -> tuple[dict | None, tuple]:
    plugins = raw.get("plugins") or []
    if isinstance(plugins, dict):
        items = list(plugins.items())
        for name, opts in items:
            if name == "kbgen":
                return (opts or {}), ("plugins", "kbgen")
        return None, ()
    for i, entry in enumerate(plugins):
        if entry == "kbgen":
            return {}, ("plugins", i)
        if isinstance(entry, dict) and "kbgen" in entry:
            return (entry["kbgen"] or {}), ("plugins", i, "kbgen")
    return None, ()


def _default_docs_dir(root: Path) -> str:
    # The spec's layout keeps pages in content/; MkDocs' own default is docs/.
    return "docs" if (root / "docs").is_dir() and not (root / "content").is_dir() else "content"


def load_config(root: Path, config_file: str = "mkdocs.yml", overrides: dict | None = None) -> Config:
    root = Path(root).resolve()
    if not root.is_dir():
        raise ConfigError(f"knowledge base root {root} is not a directory", str(root))
    path = root / config_file
    if not path.exists():
        alt = root / "mkdocs.yaml"
        path = alt if alt.exists() else path
    if not path.exists():
        # A bare folder of content still validates, with default options.
        cfg = Config(root=root, has_config_file=False)
        if overrides:
            cfg.options = PluginOptions.model_validate({**cfg.options.model_dump(), **overrides})
        return cfg
    rel = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {rel}: {exc}", rel) from None
    loaded = load(text)
    if loaded.errors:
        e = loaded.errors[0]
        raise ConfigError(e.message, rel, e.line, e.column)
    raw = loaded.data if isinstance(loaded.data, dict) else {}
    opts, opath = find_plugin_options(raw)
    opts = dict(opts or {})
    if overrides:
        opts.update({k: v for k, v in overrides.items() if v is not None})
    try:
        options = PluginOptions.model_validate(opts)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = opath + tuple(err["loc"])
        line, col = loaded.where(loc, key=err["type"] == "extra_forbidden")
        what = ".".join(str(x) for x in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown kbgen option '{what}'"
        raise ConfigError(f"kbgen plugin option {what}: {msg}" if err["type"] != "extra_forbidden" else msg,
                          rel, line, col) from None
    return Config(
        root=root,
        site_name=str(raw.get("site_name") or "Knowledge base"),
        site_url=raw.get("site_url") or None,
        site_description=raw.get("site_description"),
        repo_url=raw.get("repo_url"),
        edit_uri=raw.get("edit_uri"),
        docs_dir=str(raw.get("docs_dir") or _default_docs_dir(root)),
        options=options,
        raw=raw,
    )
