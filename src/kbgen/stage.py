"""The staged site: one audience's site as a plain, self-contained site
project that MkDocs + Material, ProperDocs + Material and Zensical build as
it is (docs/renderers.md).

    OUT/mkdocs.yml     the writers' site settings, no kbgen plugin, docs_dir: docs,
                       a generated navigation, kbgen's Markdown extensions
    OUT/docs/          every page as Markdown, redirect pages, the assets this
                       audience may see, kbgen's own assets, kb.json, llms.txt
    OUT/overrides/     a copy of the theme's custom_dir, when there is one
    OUT/.kbgen-stage   the marker that lets a later stage replace this folder

A renderer only ever sees this folder: nothing reaches a site that the core
did not validate and filter by audience (no symlinks, no files beside the
pages, no names of internal files in the navigation). Every file is a
regular file, written or copied; nothing is linked.
"""
from __future__ import annotations

import html
import logging
import os
import posixpath
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .config import Config
from .errors import StageError
from .markdown.settings import DEFAULT_EXTENSIONS, SAFE_EXTENSION
from .model.entities import KnowledgeBase
from .pages.navigation import NAV_BUDGET, count_links, filter_nav, nav
from .pages.redirects import redirects
from .text.anchors import page_url

log = logging.getLogger("kbgen.stage")
ASSETS = Path(__file__).resolve().parent / "assets"
ASSET_FILES = ("mermaid.min.js", "mermaid-loader.js", "kbgen.css", "iframe-worker-shim.js")
STAGE_MARKER = ".kbgen-stage"
DOCS = "docs"
PRUNE_LINKS, PRUNE_PAGES = 60, 500  # above either, Material prunes the navigation of each page

# The Markdown kbgen's pages are written in (one list, shared with the validator's
# reading in kbgen.markdown); a site's own settings for these win. The sanitizer
# extension comes last: every renderer runs it on every page.
EXTENSIONS = {**DEFAULT_EXTENSIONS, SAFE_EXTENSION: {}}


@dataclass
class Staged:
    root: Path                                   # the project folder
    config: dict                                 # what mkdocs.yml holds
    pages: dict = field(default_factory=dict)    # docs-relative path -> kbgen.pages.Page
    redirects: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # page path -> source file (edit links)

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def docs(self) -> Path:
        return self.root / DOCS

    @property
    def directory_urls(self) -> bool:
        return bool(self.config.get("use_directory_urls", True))


# -- mkdocs.yml as the writer wrote it, tags kept ---------------------------

class Tagged:
    """A YAML value with a tag the renderer resolves (!ENV, !!python/name:...)."""

    def __init__(self, tag: str, value):
        self.tag, self.value = tag, value

    def __eq__(self, other):
        return isinstance(other, Tagged) and (self.tag, self.value) == (other.tag, other.value)

    def __repr__(self):
        return f"Tagged({self.tag!r}, {self.value!r})"


class _Loader(yaml.SafeLoader):
    pass


def _tagged(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return Tagged(node.tag, value)


_Loader.add_multi_constructor("!", _tagged)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _tagged)


class _Dumper(yaml.SafeDumper):
    pass


def _dump_tagged(dumper, t: Tagged):
    if isinstance(t.value, list):
        return dumper.represent_sequence(t.tag, t.value)
    if isinstance(t.value, dict):
        return dumper.represent_mapping(t.tag, t.value)
    return dumper.represent_scalar(t.tag, str(t.value))


_Dumper.add_representer(Tagged, _dump_tagged)
FENCE_FORMAT = Tagged("tag:yaml.org,2002:python/name:pymdownx.superfences.fence_code_format", "")


def read_site_config(cfg: Config) -> dict:
    """The site's mkdocs.yml (INHERIT merged), tags kept for the renderer."""
    if not cfg.has_config_file:
        return {}
    name = getattr(cfg, "config_file", "mkdocs.yml")
    try:
        from .read.configfile import find_config_file  # the one lookup of mkdocs.yml / mkdocs.yaml / kbgen.yml
        path = find_config_file(cfg.root, name) or cfg.root / name
    except ImportError:  # pragma: no cover - until kbgen.configfile lands
        path = cfg.root / name if (cfg.root / name).is_file() else cfg.root / "mkdocs.yaml"
    seen: set = set()

    def read(p: Path) -> dict:
        if p.resolve() in seen:
            raise StageError(f"{p.name}: INHERIT loops back to itself", 2)
        seen.add(p.resolve())
        try:
            data = yaml.load(p.read_text(encoding="utf-8-sig"), Loader=_Loader)  # noqa: S506 - SafeLoader subclass
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise StageError(f"{p.name}: {exc}", 2) from None
        data = data if isinstance(data, dict) else {}
        parent = data.pop("INHERIT", None)
        if isinstance(parent, str):
            base = read((p.parent / parent))
            return _merge(base, data)
        return data
    return read(path)


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _plugin_names(plugins) -> list[str]:
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


# -- the staged project -----------------------------------------------------

SEARCH_PLUGINS = ("search", "material/search")


def site_settings(cfg: Config, view: KnowledgeBase, offline: bool, own_search: bool = False) -> dict:
    """mkdocs.yml for the staged project: the writers' settings without the
    kbgen plugin, with what kbgen's pages need. own_search: kbgen indexes the
    built site itself (Pagefind, `kbgen build`), so an online build turns the
    renderer's search off."""
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
    names = _plugin_names(plugins)
    options = cfg.options
    if offline or options.offline:
        if "offline" not in names and "material/offline" not in names:
            plugins.append("offline")
        conf["use_directory_urls"] = False
    elif own_search and not {"offline", "material/offline"} & set(names):  # the writers' own offline plugin too
        # Pagefind is the search of an online build: the lunr index (its share of
        # the build, a file that grows with the KB) would never be downloaded.
        # Disabled rather than left out: MkDocs adds `search` when no plugin is
        # listed and Zensical searches unless told not to; both read `enabled: false`.
        plugins = [p for p in plugins if not set(_plugin_names([p])) & set(SEARCH_PLUGINS)]
        plugins.append({"search": {"enabled": False}})
    if plugins:
        conf["plugins"] = plugins
    exts = _extensions(raw.get("markdown_extensions"))
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
            opts.update(restrict_base_path=True, base_path=[DOCS], check_paths=True)
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


def _copy_file(src: Path, dest: Path) -> None:
    """A regular file's bytes, never a link (a symlink inside the KB was
    validated as what it points to; the copy holds that content)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest, follow_symlinks=True)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _docs_files(cfg: Config, raw: dict) -> list[str]:
    """Files the site settings name inside the docs folder: extra_css,
    extra_javascript, the theme's logo and favicon."""
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


class Writer:
    """How stage() puts files in the project: every file, written whole
    (kbgen build, kbgen stage). kbgen serve keeps one project between rebuilds
    and passes a writer that writes only what changed (kbgen.mkdocs.incremental)."""
    outputs = True  # kb.json, kb.schema.json and llms.txt in docs/

    def text(self, path: Path, text: str) -> None:
        _write(path, text)

    def copy(self, src: Path, dest: Path) -> None:
        _copy_file(src, dest)

    def exists(self, path: Path) -> bool:
        return path.exists()

    def done(self, docs: Path) -> None:
        """Every file of docs/ and overrides/ is staged (before the case check)."""

    def files(self, docs: Path) -> set[str] | None:
        """The docs-relative paths staged (None: read the folder)."""
        return None


def stage(cfg: Config, view: KnowledgeBase, out: Path, offline: bool = False, own_search: bool = False,
          writer: Writer | None = None, page_cache=None) -> Staged:
    """Write the site project of `view` (validated, filtered by audience) into
    out (an empty folder). own_search: the caller indexes the built site with
    Pagefind (kbgen.site), so the renderer's search is off unless offline.
    writer: how files are written (Writer). page_cache: pages kept from the
    last stage (kbgen.pages.PageCache, for kbgen serve). Raises StageError."""
    from .pages.page import Page
    from .pages.render import render_pages
    out = Path(out)
    writer = writer or Writer()
    conf = site_settings(cfg, view, offline, own_search)
    directory_urls = conf.get("use_directory_urls", True) is not False
    pages = render_pages(view, directory_urls=directory_urls, cache=page_cache)
    raw = read_site_config(cfg)
    if "tags" in _plugin_names(conf.get("plugins")) or "material/tags" in _plugin_names(conf.get("plugins")):
        if "tags.md" not in pages:
            # Material's tags plugin lists every tag of this build's pages here
            pages["tags.md"] = Page("tags.md", '---\ntitle: "Tags"\n---\n\n# Tags\n\n<!-- material/tags -->\n', "Tags")
    conf["nav"] = _navigation(cfg, view, pages, raw.get("nav"))
    _prune(conf, pages)
    staged = Staged(out, conf, pages)
    docs = staged.docs
    docs.mkdir(parents=True, exist_ok=True)
    for path, page in pages.items():
        writer.text(docs / path, _plain(page.markdown))
        if page.source:
            staged.sources[path] = page.source
    for path, text in redirects(view, directory_urls=directory_urls).items():
        writer.text(docs / path, text)
        staged.redirects.append(path)
    content = cfg.content_dir
    docs_prefix = Path(os.path.relpath(content, cfg.root)).as_posix()
    docs_prefix = "" if docs_prefix == "." else docs_prefix + "/"
    for asset in sorted(view.assets_set or view.assets):
        src = cfg.root / asset
        if not src.is_file() or not _inside(src, cfg.root):
            continue  # the core refuses links that leave the KB; a stale asset list must not either
        rel = asset[len(docs_prefix):] if asset.startswith(docs_prefix) else asset
        writer.copy(src, docs / rel)
    for rel in _docs_files(cfg, raw):
        src = content / rel
        if src.is_file() and _inside(src, content) and not writer.exists(docs / rel):
            writer.copy(src, docs / rel)
    for name in ASSET_FILES:
        writer.copy(ASSETS / name, docs / "assets" / "kbgen" / name)
    if writer.outputs:
        from .outputs import write_outputs
        write_outputs(view, docs)
    _copy_overrides(cfg, raw, out, writer)
    writer.done(docs)
    check_case(docs, directory_urls, staged.sources, writer.files(docs))
    writer.text(out / "mkdocs.yml", "# Generated by kbgen stage: the " + str(view.audience) + " site, as a plain project.\n"
           "# Build it with mkdocs, properdocs or zensical; edit the knowledge base, not this folder.\n"
           + yaml.dump(conf, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False))
    (out / STAGE_MARKER).write_text(f"kbgen stage, {view.audience}\n", encoding="utf-8")
    return staged


def _plain(markdown: str) -> str:
    # An empty front matter block: MkDocs ignores it, Zensical refuses the page.
    if markdown.startswith("---\n---\n"):
        return markdown[8:].lstrip("\n")
    return markdown


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _navigation(cfg: Config, view: KnowledgeBase, pages: dict, user_nav) -> list:
    if user_nav:
        # the writers' nav, with nothing outside this view named
        docs_prefix = Path(os.path.relpath(cfg.content_dir, cfg.root)).as_posix().rstrip("/") + "/"
        rename = {}
        for src, ent in view.by_source.items():
            if ent.page and src.startswith(docs_prefix):
                rename[src[len(docs_prefix):]] = ent.page
        hidden = set()
        content = cfg.content_dir
        if content.is_dir():
            for p in content.rglob("*"):
                hidden.add(p.relative_to(content).as_posix())
        return filter_nav(user_nav, set(pages), hidden, rename)
    tree, extra = nav(view, {p: pg for p, pg in pages.items() if p != "tags.md"} | (
        {"tags.md": pages["tags.md"]} if "tags.md" in pages else {}))
    from .pages.page import Page
    for path, (title, markdown) in extra.items():
        pages[path] = Page(path, markdown, title)
    return tree


def _prune(conf: dict, pages: dict) -> None:
    """Material prints the navigation into every page: with a big one, only
    the current section's part (navigation.prune)."""
    theme = conf["theme"]
    features = theme.get("features")
    if not isinstance(features, list) or "navigation.prune" in features:
        return
    links = count_links(conf["nav"])
    if links <= PRUNE_LINKS and len(pages) <= PRUNE_PAGES:
        return
    if "navigation.expand" in features:  # Material: the two do not combine
        log.info(f"the navigation has {links} links and navigation.expand is on: every page carries all of them")
        return
    theme["features"] = features + ["navigation.prune"]
    log.info(f"{len(pages)} pages, {links} navigation links (budget {NAV_BUDGET}): turned Material's navigation.prune on")


def _copy_overrides(cfg: Config, raw: dict, out: Path, writer: Writer) -> None:
    theme: dict = raw["theme"] if isinstance(raw.get("theme"), dict) else {}
    custom = theme.get("custom_dir")
    if not isinstance(custom, str):
        return
    src = (cfg.root / custom)
    dest = out / "overrides"
    dest.mkdir(parents=True, exist_ok=True)
    if not src.is_dir():
        return
    for p in sorted(src.rglob("*")):
        rel = p.relative_to(src).as_posix()
        if rel == "kbgen" or rel.startswith("kbgen/") or p.is_dir():
            continue  # overrides/kbgen/ holds kbgen's page templates: the core used them already
        if p.is_symlink() and not _inside(p, cfg.root):
            continue  # a theme file must not pull in something from outside the KB
        if p.is_file():
            writer.copy(p, dest / rel)


def check_case(docs: Path, directory_urls: bool = True, sources: dict | None = None, files=None) -> None:
    """No two output paths may differ only by case: on macOS and Windows
    checkouts and some storage buckets one would overwrite the other.
    files: the docs-relative paths when the caller knows them (else docs is read)."""
    seen: dict[str, str] = {}
    clashes = []
    if files is None:
        rels = [p.relative_to(docs).as_posix() for p in sorted(docs.rglob("*")) if not p.is_dir()]
    else:
        rels = sorted(files, key=lambda r: r.split("/"))  # the order of sorted paths
    for rel in rels:
        out = rel
        if rel.endswith(".md"):
            out = page_url(rel) + "index.html" if directory_urls else rel[:-3] + ".html"
        key = out.casefold()
        if key in seen and seen[key] != rel:
            clashes.append((seen[key], rel))
        seen.setdefault(key, rel)
    if clashes:
        def where(rel: str) -> str:
            src = (sources or {}).get(rel)
            return f"{src}:1:1 ({rel})" if src else rel
        first = "; ".join(f"{where(a)} and {where(b)}" for a, b in clashes[:5])
        raise StageError(f"two pages would be written to paths that differ only by case (one overwrites the other "
                         f"on case-insensitive file systems): {first}. Rename one of them.")
