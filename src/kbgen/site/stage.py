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

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..config import Config
from ..errors import StageError
from ..model.entities import KnowledgeBase
from ..outputs import write_outputs
from ..pages.navigation import count_links, filter_nav, nav
from ..pages.page import Page
from ..pages.redirects import redirects
from ..pages.render import render_pages
from ..text.anchors import page_url
from .settings import DOCS, Dumper, plugin_names, read_site_config, site_settings
from .writer import Writer

log = logging.getLogger("kbgen.stage")  # the name users filter on; kept when stage.py moved into site/
ASSETS = Path(__file__).resolve().parent.parent / "assets"
ASSET_FILES = ("mermaid.min.js", "mermaid-loader.js", "kbgen.css", "iframe-worker-shim.js")
STAGE_MARKER = ".kbgen-stage"
PRUNE_LINKS, PRUNE_PAGES = 60, 500  # above either, Material prunes the navigation of each page


@dataclass
class Staged:
    root: Path                                   # the project folder
    config: dict                                 # what mkdocs.yml holds
    pages: dict = field(default_factory=dict)    # docs-relative path -> kbgen.pages.page.Page
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



def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def stage(cfg: Config, view: KnowledgeBase, out: Path, offline: bool = False, own_search: bool = False,
          writer: Writer | None = None, page_cache=None) -> Staged:
    """Write the site project of `view` (validated, filtered by audience) into
    out (an empty folder). own_search: the caller adds kbgen's search box and
    its index to the built site (kbgen.site.searchbox), so the renderer's search is off.
    writer: how files are written (Writer). page_cache: pages kept from the
    last stage (kbgen.pages.cache.PageCache, for kbgen serve). Raises StageError."""
    out = Path(out)
    writer = writer or Writer()
    conf = site_settings(cfg, view, offline, own_search)
    directory_urls = conf.get("use_directory_urls", True) is not False
    pages = render_pages(view, directory_urls=directory_urls, cache=page_cache)
    raw = read_site_config(cfg)
    if "tags" in plugin_names(conf.get("plugins")) or "material/tags" in plugin_names(conf.get("plugins")):
        if "tags.md" not in pages:
            # Material's tags plugin lists every tag of this build's pages here
            pages["tags.md"] = Page("tags.md", '---\ntitle: "Tags"\n---\n\n# Tags\n\n<!-- material/tags -->\n', "Tags")
    conf["nav"] = _navigation(cfg, view, pages, raw.get("nav"))
    _prune(conf, pages)
    _omitted_pages_warn(conf)
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
    for rel in cfg.named_files():
        src = content / rel
        if src.is_file() and _inside(src, content) and not writer.exists(docs / rel):
            writer.copy(src, docs / rel)
    for name in ASSET_FILES:
        writer.copy(ASSETS / name, docs / "assets" / "kbgen" / name)
    if writer.outputs:
        write_outputs(view, docs)
    _copy_overrides(cfg, raw, out, writer)
    writer.done(docs)
    check_case(docs, directory_urls, staged.sources, writer.files(docs))
    writer.text(out / "mkdocs.yml", "# Generated by kbgen stage: the " + str(view.audience) + " site, as a plain project.\n"
           "# Build it with mkdocs, properdocs or zensical; edit the knowledge base, not this folder.\n"
           + yaml.dump(conf, Dumper=Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False))
    (out / STAGE_MARKER).write_text(f"kbgen stage, {view.audience}\n", encoding="utf-8")
    return staged


def _plain(markdown: str) -> str:
    # An empty front matter block: MkDocs ignores it, Zensical refuses the page.
    if markdown.startswith("---\n---\n"):
        return markdown[8:].lstrip("\n")
    return markdown


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
    for path, (title, markdown) in extra.items():
        pages[path] = Page(path, markdown, title)
    return tree


def _prune(conf: dict, pages: dict) -> None:
    """Material prints the navigation into every page: with a big one, only
    the current section's part (navigation.prune)."""
    theme = conf["theme"]
    features = theme.get("features", [])
    if not isinstance(features, list) or "navigation.prune" in features:
        return
    links = count_links(conf["nav"])
    if links <= PRUNE_LINKS and len(pages) <= PRUNE_PAGES:
        return
    if "navigation.expand" in features:  # Material: the two do not combine
        log.info(f"the navigation has {links} links and navigation.expand is on: every page carries all of them")
        return
    theme["features"] = features + ["navigation.prune"]
    log.info(f"{len(pages)} pages, {links} navigation links: turned Material's navigation.prune on")


def _omitted_pages_warn(conf: dict) -> None:
    """A page left out of the navigation is a warning (so --strict fails), not
    MkDocs' INFO line: kbgen's navigation holds every page, and a writers'
    own `nav:` that leaves pages out says so."""
    validation = conf.get("validation")
    validation = dict(validation) if isinstance(validation, dict) else {}
    navigation = validation.get("nav")
    navigation = dict(navigation) if isinstance(navigation, dict) else {}
    navigation.setdefault("omitted_files", "warn")
    validation["nav"] = navigation
    conf["validation"] = validation


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
