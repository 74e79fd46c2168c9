"""The staged project's mkdocs.yml: the writers' site settings without the
kbgen plugin, with the Markdown extensions kbgen's pages need (the same list
the validator reads with, kbgen.markdown.settings), the search the build
uses, kbgen's CSS and scripts, and the theme's custom_dir as staged.
Tags MkDocs resolves (!!python/name, !relative) are kept as written."""
from __future__ import annotations

import copy
import html

import yaml

from ..config import Config
from ..errors import StageError
from ..markdown.settings import DEFAULT_EXTENSIONS, MARKDOWN_INCLUDE, SAFE_EXTENSION
from ..model.entities import KnowledgeBase
from ..read.configfile import Tagged, find_config_file, read_config_file

DOCS = "docs"


class Dumper(yaml.SafeDumper):
    pass


def _dump_tagged(dumper, t: Tagged):
    if isinstance(t.value, list):
        return dumper.represent_sequence(t.tag, t.value)
    if isinstance(t.value, dict):
        return dumper.represent_mapping(t.tag, t.value)
    return dumper.represent_scalar(t.tag, "" if t.value is None else str(t.value))


Dumper.add_representer(Tagged, _dump_tagged)


FENCE_FORMAT = Tagged("tag:yaml.org,2002:python/name:pymdownx.superfences.fence_code_format", "")


def read_site_config(cfg: Config) -> dict:
    """The site's config as kbgen.config read it (the one reading of
    mkdocs.yml: INHERIT merged, extensions merged by name, `!ENV` resolved,
    other tags kept for the renderer), as a copy the staging may change."""
    if not cfg.has_config_file:
        return {}
    if cfg.raw:
        return copy.deepcopy(cfg.raw)
    path = find_config_file(cfg.root, getattr(cfg, "config_file", "mkdocs.yml"))
    if path is None:
        return {}
    source = read_config_file(path)
    if source.problems:
        raise StageError("\n".join(str(p) for p in source.problems), 2)
    return source.data


def plugin_names(plugins) -> list[str]:
    if isinstance(plugins, dict):
        return list(plugins)
    return [p if isinstance(p, str) else next(iter(p)) for p in plugins or [] if isinstance(p, (str, dict)) and p]


def _without_kbgen(plugins):
    if isinstance(plugins, dict):
        return [{k: v} if v else k for k, v in plugins.items() if k != "kbgen"]
    return [p for p in plugins or [] if p != "kbgen" and not (isinstance(p, dict) and "kbgen" in p)]


def _extensions(raw) -> list:
    """markdown_extensions as a list of {name: options}."""
    out = []
    items = raw.items() if isinstance(raw, dict) else ((x, None) if isinstance(x, str) else next(iter(x.items()))
                                                        for x in raw or [] if isinstance(x, (str, dict)) and x)
    for name, opts in items:
        out.append({name: dict(opts) if isinstance(opts, dict) else {}})
    return out


# The Markdown kbgen's pages are written in (one list, shared with the validator's
# reading in kbgen.markdown); a site's own settings for these win. The sanitizer
# extension comes last: every renderer runs it on every page.
EXTENSIONS = {**DEFAULT_EXTENSIONS, SAFE_EXTENSION: {}}


SEARCH_PLUGINS = ("search", "material/search")


def site_settings(cfg: Config, view: KnowledgeBase, offline: bool, own_search: bool = False) -> dict:
    """mkdocs.yml for the staged project: the writers' settings without the
    kbgen plugin, with what kbgen's pages need. own_search: kbgen indexes the
    built site itself (`kbgen build`, kbgen.site.searchbox), so the renderer's
    search is off."""
    raw = read_site_config(cfg)
    conf = {k: v for k, v in raw.items() if k not in ("docs_dir", "site_dir", "nav", "watch", "plugins",
                                                       "markdown_extensions", "dev_addr", "exclude_docs",
                                                       "draft_docs", "not_in_nav")}
    conf["docs_dir"] = DOCS
    for key in ("site_name", "site_description", "site_author"):
        # the theme prints these into every page without escaping
        if isinstance(conf.get(key), str):
            conf[key] = html.escape(" ".join(conf[key].split()), quote=True)
    conf["site_dir"] = "site"
    # the staged folder holds exactly what is published: MkDocs must not drop
    # a templates/ folder (one of its default exclusions)
    conf["exclude_docs"] = "!/templates/\n"
    plugins = _without_kbgen(raw.get("plugins"))
    names = plugin_names(plugins)
    options = cfg.options
    if offline or options.offline:
        if "offline" not in names and "material/offline" not in names:
            plugins.append("offline")
        conf["use_directory_urls"] = False
    if own_search:
        # kbgen's search box (kbgen.site.searchbox) is the search of every site
        # `kbgen build` makes, offline ones too: the lunr index (its share of the
        # build, a file that grows with the KB) would never be downloaded.
        # Disabled rather than left out: MkDocs adds `search` when no plugin is
        # listed and Zensical searches unless told not to; both read `enabled: false`.
        plugins = [p for p in plugins if not set(plugin_names([p])) & set(SEARCH_PLUGINS)]
        plugins.append({"search": {"enabled": False}})
    if plugins:
        conf["plugins"] = plugins
    # markdown-include: kbgen expanded every `{!file!}` into the pages already (inside the KB only)
    exts = [e for e in _extensions(raw.get("markdown_extensions")) if MARKDOWN_INCLUDE not in e]
    have = {next(iter(e)) for e in exts}
    for name, opts in EXTENSIONS.items():
        if name not in have:
            exts.append({name: dict(opts)})
    if not any("pymdownx.superfences" in e for e in exts):
        exts.append({"pymdownx.superfences": {}})
    for e in exts:
        name, opts = next(iter(e.items()))
        if name == "pymdownx.superfences":
            fences = opts.setdefault("custom_fences", [])
            if not any(isinstance(f, dict) and f.get("name") == "mermaid" for f in fences):
                fences.append({"name": "mermaid", "class": "mermaid", "format": FENCE_FORMAT})
        if name == "pymdownx.snippets":
            # the core expanded and checked every include already; whatever is
            # left may only read inside the staged pages
            # (auto_append included: kbgen appended those files to every page it read)
            opts.update(restrict_base_path=True, base_path=[DOCS], check_paths=True, auto_append=[])
    conf["markdown_extensions"] = exts
    theme = raw.get("theme")
    theme = dict(theme) if isinstance(theme, dict) else {"name": theme or "material"}
    if theme.get("custom_dir"):
        theme["custom_dir"] = "overrides"
    conf["theme"] = theme
    conf["extra_css"] = list(raw.get("extra_css") or []) + ["assets/kbgen/kbgen.css"]
    # Mermaid's 3.5 MB only where a page has a diagram (the loader is 400 bytes)
    conf["extra_javascript"] = list(raw.get("extra_javascript") or []) + ["assets/kbgen/mermaid-loader.js"]
    extra = dict(raw.get("extra") or {})
    extra["kbgen_audience"] = view.audience
    if "offline" in names or "material/offline" in names or conf.get("use_directory_urls") is False and offline:
        # Material's offline plugin would load this shim from unpkg; air-gapped readers have no internet
        extra["polyfills"] = list(extra.get("polyfills") or []) + ["assets/kbgen/iframe-worker-shim.js"]
    conf["extra"] = extra
    if isinstance(conf.get("hooks"), list):  # the writers' own hooks, from where they are
        conf["hooks"] = [str((cfg.root / h).resolve()) if isinstance(h, str) else h for h in conf["hooks"]]
    return conf
