"""The KB's configuration: mkdocs.yml's site settings and the `kbgen` plugin
options, declared once here (the MkDocs plugin reads the same model)."""
from __future__ import annotations

import datetime as dt
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from .diagnostics.codes import LEVELS, RULES, RuleSettings, known_key
from .errors import KbgenError
from .kinds import KindError, Kinds, default_kinds
from .read.configfile import (
    KBGEN_CONFIG,
    ConfigFile,
    ConfigProblem,
    extension_entries,
    find_config_file,
    read_config_file,
)
from .schema.errors import did_you_mean, field_names, model_at
from .schema.types import Audience, Date, DurationField, Slug
from .text.durations import parse_duration

__all__ = ["KBGEN_CONFIG", "Config", "ConfigError", "PluginOptions", "find_config_file", "load_config"]


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Slug
    name: str
    summary: str | None = None


class Section(BaseModel):
    """A runbook section: its name, other headings that count as it, and
    whether a runbook without it is a problem."""
    model_config = ConfigDict(extra="forbid")
    name: str
    aliases: list[str] = []
    required: bool = True


# A runbook's sections unless mkdocs.yml says: known (`kbgen new` writes them),
# none required. What a KB requires (`kbgen init` writes: the resolution) holds
# for both forms of runbook (kbgen.rules.runbooks).
DEFAULT_SECTIONS: list = [Section(name="Symptoms", required=False),
                          Section(name="Diagnosis", aliases=["Diagnostics"], required=False),
                          Section(name="Resolution", required=False)]


class FolderDefaults(BaseModel):
    """Values for every page whose source path matches `path` (a glob from the
    KB root) and does not set them itself. The last matching entry wins."""
    model_config = ConfigDict(extra="forbid")
    path: str
    products: list[Slug] = []
    owner: str | None = None
    audience: Audience | None = None
    tags: list[str] = []
    review_every: DurationField | None = None


# `off` unquoted is the boolean false in YAML 1.1: it means off here too
Level = Annotated[Literal[LEVELS], BeforeValidator(lambda v: "off" if v is False else v)]  # type: ignore[valid-type]


class RuleOverride(BaseModel):
    """Rule levels for the files under `path` (a glob from the KB root, or a
    folder); later entries win over earlier ones and over `rules`."""
    model_config = ConfigDict(extra="forbid")
    path: str
    rules: dict[str, Level]


class PluginOptions(BaseModel):
    """Options of the `kbgen` plugin in mkdocs.yml."""
    model_config = ConfigDict(extra="forbid")
    default_audience: Audience = "internal"   # fail closed: unmarked content stays internal
    audience: Audience | None = None          # the build's audience (CLI --audience wins)
    review_every: DurationField = parse_duration("365d")
    products: list[Product] = []
    runbook_sections: list[str | Section] = DEFAULT_SECTIONS
    # --- conventions of an adopted repository (docs/adopting.md) ---
    runbook_paths: list[str] = []         # globs from the KB root: these files in the docs folder are runbooks
    folder_pages: list[str] = ["index.md", "README.md"]  # a folder's own page (Hugo: _index.md)
    ids: Literal["stem", "path"] = "stem"  # path: folder-qualified ids and URLs (file names repeat)
    alert_from_filename: bool = False     # a runbook named like an alert (NodeDown.md) answers that alert
    defaults: list[FolderDefaults] = []   # per-folder products, owner, audience, tags, review cycle
    owners_from: list[Literal["CODEOWNERS", "OWNERS"]] = []
    summary_from_body: bool = False       # no summary: the first paragraph of the body
    front_matter: Literal["kbgen", "hugo", "jekyll"] = "kbgen"  # whose front-matter keys are understood
    front_matter_keys: list[str] = []     # more front-matter keys to pass through untouched
    hugo_params: dict[str, str] = {}      # values for Hugo's {{< param NAME >}}
    ignore: list[str] = []                # globs from the KB root that are not content (manifests, CI files)
    alert_catalogues: list[str] = []      # Markdown files whose headings are alerts (globs from the KB root)
    content_dir: str | None = None       # where kbgen reads pages when not MkDocs' docs_dir (e.g. ".")
    runbooks_dir: str = "runbooks"
    # KB601: off, KB210: error, KB6xx: warning; a glob key holds levels for the files it matches (docs/rules.md)
    rules: dict[str, Level | dict[str, Level]] = {}
    rule_overrides: list[RuleOverride] = []  # per folder: [{path: "runbooks/legacy/**", rules: {KB220: warning}}]
    today: Date | None = None                 # freeze "today" for freshness checks in tests
    search_dir: str = ".kbgen"
    max_file_size: int = 1024 * 1024
    offline: bool = False                     # a site that works from file://
    nav_limit: int = 60                       # sections listing more pages link to an index page
    synonyms: str | None = None               # a YAML file of search synonyms in the KB (docs/index-and-search.md)
    kinds: list[str] = []                     # modules that add kinds of content (docs/content-model-extensions.md)


class ConfigError(KbgenError):
    """A problem with the KB's configuration: exit code 2."""

    exit_code = 2

    def __init__(self, message: str, file: str = "mkdocs.yml", line: int = 1, column: int = 1,
                 problems: list | None = None):
        super().__init__(message)
        self.file, self.line, self.column = file, line, column
        # every problem found, each with its location (the first is the one above)
        self.problems = problems or [ConfigProblem(file, line, column, message)]

    @classmethod
    def many(cls, problems: list) -> "ConfigError":
        problems = sorted(problems, key=lambda p: (p.file, p.line, p.column))
        first = problems[0]
        return cls(first.message, first.file, first.line, first.column, problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def shown(self, command: str) -> str:
        return f"{self}: error KB000 configuration"


@dataclass
class Config:
    root: Path
    site_name: str = "Knowledge base"
    site_url: str | None = None
    site_url_at: tuple = ("mkdocs.yml", 1, 1)  # where site_url is written (file, line, column)
    site_description: str | None = None
    repo_url: str | None = None
    edit_uri: str | None = None
    docs_dir: str = "content"
    options: PluginOptions = field(default_factory=PluginOptions)
    raw: dict = field(default_factory=dict)
    has_config_file: bool = True
    config_file: str = "mkdocs.yml"   # or kbgen.yml, written by `kbgen adopt` beside a team's mkdocs.yml
    config_files: list = field(default_factory=list)  # the config file and those it INHERITs (Paths)
    kinds: Kinds = field(default_factory=lambda: _kinds([]))  # every kind of content this KB can hold


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

    def audience_for(self, given: str | None) -> str:
        """Who a command's output is for, the one rule of every command (build,
        stage, serve, search, export, mcp, and a plain `mkdocs build`): the
        audience given (--audience, KBGEN_AUDIENCE), else the plugin option
        `audience`, else public. Fail closed: what nobody said is for staff
        holds nothing internal."""
        return given or self.options.audience or "public"

    def product_ids(self) -> set[str]:
        return {p.id for p in self.options.products}

    def named_files(self) -> list[str]:
        """Files of the docs folder that mkdocs.yml names (extra_css,
        extra_javascript, the theme's logo and favicon), docs-relative: the
        maintainers' choice, published whatever their type (docs/security.md)."""
        raw = self.raw
        names = [*(raw.get("extra_css") or []), *(raw.get("extra_javascript") or [])]
        theme: dict = raw["theme"] if isinstance(raw.get("theme"), dict) else {}
        names += [theme.get("logo"), theme.get("favicon")]
        out = []
        for n in names:
            if isinstance(n, dict):
                n = n.get("path")
            if isinstance(n, str) and n and "://" not in n and not n.startswith(("/", "data:")):
                out.append(posixpath.normpath(n))
        return out

    def rule_settings(self) -> RuleSettings:
        rules = self.options.rules
        by_path = [(k, dict(v)) for k, v in rules.items() if isinstance(v, dict)]
        return RuleSettings({k: v for k, v in rules.items() if not isinstance(v, dict)},
                            by_path + [(o.path, dict(o.rules)) for o in self.options.rule_overrides])


def _kinds(modules: list[str]) -> Kinds:
    return default_kinds().with_modules(modules) if modules else default_kinds()


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
    """The KB's configuration, read as MkDocs reads mkdocs.yml (kbgen.read.configfile).
    Raises ConfigError with every problem found, each located."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise ConfigError(f"knowledge base root {root} is not a directory", str(root))
    path = find_config_file(root, config_file)
    if path is None:
        # A bare folder of content still validates, with default options.
        try:
            cfg = Config(root=root, has_config_file=False)
        except KindError as exc:
            raise ConfigError(str(exc), str(root)) from None
        if overrides:
            cfg.options = PluginOptions.model_validate({**cfg.options.model_dump(), **overrides})
        return cfg
    source = read_config_file(path)
    raw = source.data
    options = _options(source, raw, overrides)
    strings = {}
    for key in ("site_name", "site_url", "site_description", "repo_url", "edit_uri", "docs_dir"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            source.problem((key,), f"{key} must be text, not {_describe(value)}")
            value = None
        strings[key] = value
    docs_dir = _inside(root, source, ("docs_dir",), strings["docs_dir"]) or _default_docs_dir(root)
    if options.content_dir:
        options.content_dir = _inside(root, source, _option_path(raw, "content_dir"), options.content_dir) or "."
    options.runbooks_dir = _inside(root, source, _option_path(raw, "runbooks_dir"), options.runbooks_dir) or "runbooks"
    md_settings = _markdown(source, raw)
    kinds = None
    try:
        kinds = _kinds(options.kinds)
    except KindError as exc:
        source.problem(_option_path(raw, "kinds") if options.kinds else (), str(exc))
    if source.problems:
        raise ConfigError.many(source.problems)
    cfg = Config(
        root=root,
        config_file=path.name,
        config_files=source.files,
        site_name=strings["site_name"] or "Knowledge base",
        site_url=strings["site_url"] or None,
        site_url_at=source.where(("site_url",)),
        site_description=strings["site_description"],
        repo_url=strings["repo_url"],
        edit_uri=strings["edit_uri"],
        docs_dir=options.content_dir if options.content_dir else docs_dir,
        options=options,
        raw=raw,
        kinds=kinds or _kinds([]),  # None only with a problem, raised above
    )
    cfg._markdown_settings = md_settings  # type: ignore[attr-defined]  # kbgen.markdown.settings_for reads it
    return cfg


def _markdown(source: ConfigFile, raw: dict):
    """The site's Markdown settings, every extension loaded: a missing or
    broken one is a located configuration problem, never a traceback later."""
    from .markdown import SettingsError, load_settings
    try:
        return load_settings(raw)
    except SettingsError as exc:
        path = tuple(exc.path)
        if len(path) >= 2 and isinstance(path[1], str):  # an extension by name: where the list names it
            entries = extension_entries(raw.get("markdown_extensions")) or []
            names = [n for n, _ in entries]
            if path[1] in names and isinstance(raw.get("markdown_extensions"), list):
                path = ("markdown_extensions", names.index(path[1])) + path[2:]
        source.problem(path, str(exc))
        return None


def _options(source: ConfigFile, raw: dict, overrides: dict | None) -> PluginOptions:
    """The kbgen plugin's options: every problem recorded in source, defaults returned then."""
    plugins = raw.get("plugins")
    if plugins is not None and not isinstance(plugins, (list, dict)):
        source.problem(("plugins",), "plugins must be a list (- kbgen) or a mapping of plugin names")
        raw["plugins"] = plugins = []
    opts, opath = find_plugin_options(raw)
    if opts is not None and not isinstance(opts, dict):
        source.problem(opath, "the kbgen plugin's options must be a mapping of 'option: value' lines")
        opts = {}
    opts = dict(opts or {})
    if overrides:
        opts.update({k: v for k, v in overrides.items() if v is not None})
    rules = opts.get("rules")
    for key, value in (rules.items() if isinstance(rules, dict) else ()):
        if isinstance(value, dict):  # "runbooks/legacy/**": {KB220: warning}
            for code in value:
                _check_code(source, opath + ("rules", key, code), str(code))
        else:
            _check_code(source, opath + ("rules", key), str(key))
    overrides_ = opts.get("rule_overrides")
    for i, o in enumerate(overrides_ if isinstance(overrides_, list) else ()):
        rules = o.get("rules") if isinstance(o, dict) else None
        for key in (rules if isinstance(rules, dict) else ()):
            _check_code(source, opath + ("rule_overrides", i, "rules", key), str(key))
    try:
        options = PluginOptions.model_validate(opts)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            what = ".".join(str(x) for x in loc)
            if err["type"] == "extra_forbidden":
                known = field_names(model_at(PluginOptions, loc[:-1]))
                guess = did_you_mean(str(loc[-1]), known)
                source.problem(opath + loc, f"unknown kbgen option '{what}'" + (f"; {guess}" if guess else ""),
                               key=True)
            else:
                source.problem(opath + loc, f"kbgen plugin option {what}: {err['msg'].removeprefix('Value error, ')}")
        return PluginOptions()
    return options


def _check_code(source: ConfigFile, path: tuple, key: str) -> None:
    if not known_key(key):
        source.problem(path, f"unknown rule code '{key}' (the codes are in docs/rules.md; a family: KB6xx)",
                       key=True)
    elif key in RULES and RULES[key].fixed:
        source.problem(path, f"the level of {key} cannot be changed: {RULES[key].summary}", key=True)


def _option_path(raw: dict, name: str) -> tuple:
    return find_plugin_options(raw)[1] + (name,)


def _inside(root: Path, source: ConfigFile, path: tuple, value: str | None) -> str | None:
    """A folder setting as a clean path from the KB root (`./content`,
    `content/` and an absolute path inside the KB are all `content`),
    relative to the config file's folder as in MkDocs; None if unset or outside."""
    if value is None or not value.strip():
        return None
    full = Path(os.path.normpath(root / value.strip()))
    if not full.is_relative_to(root) or not full.resolve().is_relative_to(root):
        source.problem(path, f"'{value}' is outside the knowledge base folder ({root.name}/)")
        return None
    rel = full.relative_to(root).as_posix()
    return rel or "."


def _describe(value) -> str:
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else repr(value)


