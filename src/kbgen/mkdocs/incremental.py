"""Incremental rebuilds for `kbgen serve`: one edited page reloads in
seconds, not after a whole-site build (docs/site.md, "Preview (kbgen serve)").

The server keeps, for as long as it runs, one staged project (written by
kbgen.site.writer.SyncWriter, which notes what changed) and one built site.
The Renderer keeps MkDocs alive between rebuilds and renders the cheapest
way that is still right:

* quick: the same files, navigation and settings as the last render: only
  the changed pages are read, converted and written again, with the MkDocs
  objects (files, navigation, Jinja environment) of that render;
* grow: pages added or removed, a navigation change, an edit link that
  moved, in a site with no plugin but search: the new files join the MkDocs
  objects of the last render, the navigation is made again from them, and
  only the pages that need it are rendered;
* dirty: the same, in a site with other plugins: MkDocs' own dirty build
  (`build(dirty=True)`: a page is rendered when its staged Markdown is newer
  than its HTML), with the pages whose navigation changed touched so they
  render too; it still walks every file and builds the navigation and the
  sitemap for all pages;
* full: the first build and any change of the site settings or the theme
  (mkdocs.yml, overrides/): everything, into a new folder swapped in.

Which pages a navigation change reaches: kbgen.mkdocs.navdiff. The search
box on each written page (kbgen.site.searchbox.Boxes) and the background
refresh of kb.json and the search index: kbgen.mkdocs.refresh.
"""
from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BuildFailed
from ..search.browser import FOLDER
from ..site.searchbox import Boxes, copy_assets
from .build import PROGRESS_EVERY, edit_links, normal_edit_url, run_mkdocs
from .navdiff import ALL, NavShape, nav_affected, nav_titles

log = logging.getLogger("mkdocs.kbgen.serve")

TAGS_DIRECTIVE = "<!-- material/tags"
# plugins the grow path (Renderer._grow) knows to need nothing beyond pages rendered
GROW_PLUGINS = {"search", "material/search", "kbgen/serve"}


def _bytecode_cache():
    import jinja2

    class Memory(jinja2.BytecodeCache):
        """Compiled theme templates kept between rebuilds (a new MkDocs
        config makes a new Jinja environment, which would compile them all
        again: half a second for Material). A changed template has another
        checksum and is compiled again."""

        def __init__(self):
            self.store: dict[str, bytes] = {}

        def load_bytecode(self, bucket):
            data = self.store.get(bucket.key)
            if data is not None:
                bucket.bytecode_from_string(data)

        def dump_bytecode(self, bucket):
            self.store[bucket.key] = bucket.bytecode_to_string()

    return Memory()


def _tags_plugin(config):
    for name in ("material/tags", "tags"):
        plugin = config.plugins.get(name)
        if plugin is not None:
            return plugin
    return None


def _feedable(tags) -> bool:
    """Material's tags plugin as this module knows it (9.6+): its mappings
    (made in on_config) can be given the pages a dirty build does not read."""
    try:
        from material.plugins.tags.structure.mapping.manager import MappingManager
    except ImportError:
        return False
    return type(tags).__module__.startswith("material.plugins.tags") and hasattr(MappingManager, "add")


def _incremental(config) -> bool:
    """Whether pages can be rendered alone: not with a plugin that gathers
    every page into one file this module cannot give it the others of
    (Material's lunr search index, kept by offline sites; the offline
    plugin); the tags plugin is given them (Renderer._restore_unread)."""
    for name in ("search", "material/search"):
        search = config.plugins.get(name)
        if search is not None and getattr(search.config, "enabled", True):
            return False
    if config.plugins.get("offline") or config.plugins.get("material/offline"):
        return False
    tags = _tags_plugin(config)
    return tags is None or _feedable(tags)


@dataclass
class Result:
    way: str                 # quick, grow, dirty or full
    pages: int               # pages MkDocs rendered
    seconds: float


class Renderer:
    """MkDocs on the staged project, into site_dir, as cheaply as is right."""

    def __init__(self, project: Path, site: Path, edit_root: str):
        self.project, self.site, self.edit_root = Path(project), Path(site), edit_root
        # MkDocs' objects of the last render (config, Files, Navigation, Jinja environment)
        self.config: Any = None
        self.files: Any = None
        self.nav: Any = None
        self.env: Any = None
        self.settings: dict | None = None  # the staged mkdocs.yml without its nav, as last rendered
        self.shape: NavShape | None = None
        self.sources: dict = {}
        self.doc_set: set[str] = set()
        self.dest_of: dict[str, str] = {}
        self.titles: dict[str, tuple] = {}   # src_uri -> (title, meta) when last read
        self.marks: Boxes | None = None
        self.filters: tuple | None = None  # the search box's filters and mode, in every page
        self.plan: Any = None
        self.rendered = 0
        self.bytecode = _bytecode_cache()
        self.incremental = True
        self.restored: set[str] = set()  # pages whose title _restore_unread set

    # the plugin MkDocs runs with: edit links, progress, the search box, and
    # what the next rebuild needs (files, navigation, environment, titles)
    def _plugin(self):
        from mkdocs.plugins import BasePlugin, event_priority

        r = self

        class Serve(BasePlugin):
            def on_files(self, files, config):
                r.files = edit_links(files, r.plan.sources, r.edit_root)
                return files

            def on_nav(self, nav, config, files):
                r.nav = nav
                return nav

            def on_pre_page(self, page, config, files):
                return normal_edit_url(page)

            def on_page_content(self, html, page, config, files):
                r.titles[page.file.src_uri] = (page.title, dict(page.meta))
                r.rendered += 1
                if len(r.plan.pages) >= 2 * PROGRESS_EVERY and r.rendered % PROGRESS_EVERY == 0:
                    logging.getLogger("mkdocs.plugins.kbgen").info(f"converted {r.rendered} pages")
                return html

            @event_priority(150)  # before the tags plugin (100) fills its listings
            def on_env(self, env, config, files):
                env.bytecode_cache = r.bytecode
                r._restore_unread(config, files)
                r.env = env
                return env

            def on_post_page(self, output, page, config):
                return r.marks.apply(page.file.dest_uri, output) if r.marks else output

        plugin = Serve()
        plugin.load_config({})
        return plugin

    def _restore_unread(self, config, files) -> None:
        """A dirty build reads only the pages it renders; the others keep the
        title and front matter of their last reading, so the navigation and
        the tags pages the rendered pages print are what a full build prints."""
        tags = _tags_plugin(config)
        feed = tags is not None and getattr(tags.config, "enabled", True) and _feedable(tags) \
            and hasattr(tags, "mappings") and hasattr(tags, "filter")
        self.restored = set()
        for f in files.documentation_pages():
            page = f.page
            if page is None or page.markdown is not None:
                continue
            known = self.titles.get(f.src_uri)
            if known is None:
                continue
            if "title" not in page.__dict__ and known[0] is not None:
                page.title = known[0]
                self.restored.add(f.src_uri)
            page.meta = dict(known[1])
            if feed and tags.filter(f):
                tags.mappings.add(page, "")

    def _load(self, site_dir: Path, dirty: bool):
        from mkdocs.config import load_config
        from mkdocs.exceptions import Abort, ConfigurationError

        try:
            config = load_config(config_file=str(self.project / "mkdocs.yml"), site_dir=str(site_dir))
        except (Abort, ConfigurationError) as exc:
            raise BuildFailed(f"mkdocs.yml: {exc}", 2) from None
        config.plugins["kbgen/serve"] = self._plugin()
        config.plugins.on_startup(command="build", dirty=dirty)
        self.incremental = _incremental(config)
        return config

    def _build(self, config, dirty: bool) -> None:
        run_mkdocs(config, dirty=dirty)
        self.config = config
        self.dest_of = {f.src_uri: f.abs_dest_path for f in self.files}

    # -- the three ways --------------------------------------------------

    def render(self, plan, changed: set[str], docs: set[str], marks: Boxes | None) -> Result:
        """Bring the site up to date with plan (kbgen.site.stage.Staged), given
        the project paths changed since the last render and the docs files
        staged now. marks: the search box on each page, or None for none."""
        start = time.perf_counter()
        self.plan, self.rendered = plan, 0
        settings = {k: v for k, v in plan.config.items() if k != "nav"}
        shape = NavShape.of(plan.config.get("nav"), plan.pages)
        features = (plan.config.get("theme") or {}).get("features") or []
        changed_docs = {p[5:] for p in changed if p.startswith("docs/")}
        from mkdocs.utils import is_markdown_file
        all_pages = {p for p in docs if is_markdown_file(p)}
        listings = {p for p, pg in plan.pages.items() if TAGS_DIRECTIVE in pg.markdown}
        filters = marks.signature() if marks is not None else None
        filters_changed = self.settings is not None and filters != self.filters  # in the box on every page
        self.marks, self.filters = marks, filters
        if (self.settings is None or self.shape is None or settings != self.settings or any(p.startswith("overrides/") for p in changed)
                or not self.site.is_dir() or not self.incremental or filters_changed):
            way = self._full()
        else:
            touch = nav_affected(self.shape, shape, features)
            touch = all_pages if touch is ALL else touch & all_pages
            pages = {p for p in changed_docs if p in all_pages}
            moved = {p for p in all_pages if plan.sources.get(p) != self.sources.get(p)}
            if touch or moved or docs != self.doc_set or self.files is None:
                render = touch | pages | moved | (listings if pages or touch else set())
                if self._grow(render, docs - self.doc_set, self.doc_set - docs, changed_docs - pages):
                    way = "grow"
                else:
                    way = self._dirty(touch | pages | moved, changed_docs - docs, listings if pages or touch else set())
            elif not self._quick(pages, changed_docs - pages):
                way = self._dirty(pages, set(), listings)
            else:
                way = "quick"
        self.settings, self.shape, self.sources, self.doc_set = settings, shape, dict(plan.sources), set(docs)
        return Result(way, self.rendered, time.perf_counter() - start)

    def _full(self) -> str:
        if not self.site.is_dir():
            self._build(self._load(self.site, dirty=False), dirty=False)
            copy_assets(self.site)
            return "full"
        # a new folder swapped in: the old site stays served while this builds
        new = self.site.with_name(self.site.name + ".new")
        old = self.site.with_name(self.site.name + ".old")
        shutil.rmtree(new, ignore_errors=True)
        self._build(self._load(new, dirty=False), dirty=False)
        copy_assets(new)
        if (self.site / FOLDER).is_dir():  # the last index until the Refresher makes the next
            shutil.copytree(self.site / FOLDER, new / FOLDER)
        for name in ("kb.json", "kb.schema.json", "llms.txt"):
            if (self.site / name).is_file():
                shutil.copy2(self.site / name, new / name)
        shutil.rmtree(old, ignore_errors=True)
        os.rename(self.site, old)
        os.rename(new, self.site)
        shutil.rmtree(old, ignore_errors=True)
        # MkDocs' objects name the folder they were built into: the next rebuild loads them again
        self.config = self.files = self.nav = self.env = None
        return "full"

    def _dirty(self, touch: set[str], removed: set[str], listings: set[str]) -> str:
        docs = self.project / "docs"
        now = time.time()
        for p in touch | listings:
            if (docs / p).is_file():
                os.utime(docs / p, (now, now))  # newer than its HTML: MkDocs renders it
        for p in removed:  # pages and files no longer staged leave the site too
            self._remove_output(self.dest_of.get(p))
        self._build(self._load(self.site, dirty=True), dirty=True)
        return "dirty"

    def _grow(self, pages: set[str], added: set[str], removed: set[str], others: set[str]) -> bool:
        """Files added or removed, or a navigation that changed, with the
        objects of the last render: MkDocs' Files gain the new files and lose
        the removed ones, the navigation is made again from them (MkDocs keeps
        the Page of every file it knows, so the pages not rendered keep their
        titles and meta), and only `pages` (changed, or their navigation did)
        and the new pages are rendered; the theme's own pages (404, sitemap)
        are written again. False when that would not be right: a plugin other
        than those known to need nothing more (MkDocs' search; it is off in a
        site kbgen serves) may keep state over the whole set of files."""
        try:
            from mkdocs.commands.build import _build_theme_template, _populate_page
            from mkdocs.structure.files import File, set_exclusions
            from mkdocs.structure.nav import get_navigation
            from mkdocs.utils import is_markdown_file
        except ImportError:  # another MkDocs: its dirty build does it
            return False
        config, files = self.config, self.files
        if config is None or files is None or self.env is None or set(config.plugins) - GROW_PLUGINS:
            return False
        for p in removed:
            f = files.get_file_from_path(p)
            if f is not None:
                files.remove(f)
            self._remove_output(self.dest_of.pop(p, None))
        new = [File(p, config.docs_dir, config.site_dir, config.use_directory_urls) for p in sorted(added)]
        set_exclusions(new, config)
        for f in new:
            files.append(f)
            self.dest_of[f.src_uri] = f.abs_dest_path
        # the new pages' edit links, and those of pages whose source moved (they are in `pages`)
        edit_links([*new, *filter(None, map(files.get_file_from_path, pages))], self.plan.sources, self.edit_root)
        # MkDocs keeps a known page's title from the navigation it was made
        # with: give each page the title its entry has now (or none, to take
        # its own), as a full build's new Page objects get it
        config["nav"] = self.plan.config.get("nav")  # the staged navigation now (the rest of mkdocs.yml is the same)
        titles = nav_titles(config["nav"])
        for f in files.documentation_pages():
            page = f.page
            if page is None:
                continue
            if f.src_uri in titles:
                page.title = titles[f.src_uri]
                self.restored.discard(f.src_uri)
            elif f.src_uri not in self.restored:
                page.__dict__.pop("title", None)
        nav = get_navigation(files, config)
        self.nav = nav = config.plugins.on_nav(nav, config=config, files=files)
        render = set(pages) | {f.src_uri for f in new if is_markdown_file(f.src_uri)}
        objects = []
        for p in sorted(render):
            f = files.get_file_from_path(p)
            # get_navigation gave every included page its Page, in the navigation or not
            if f is None or not f.is_documentation_page() or not f.inclusion.is_included():
                continue
            self._own_title(f.page, p)
            _populate_page(f.page, config, files)
            objects.append(f.page)
        self._write(objects, nav)
        for f in new:
            if not f.is_documentation_page() and f.inclusion.is_included():
                f.copy_file(dirty=False)
        self._copy(others)
        for template in config.theme.static_templates:
            _build_theme_template(template, self.env, files, config, nav)
        return True

    def _quick(self, pages: set[str], others: set[str]) -> bool:
        """Render only `pages` again with the objects of the last render, and
        copy the other changed files; False when that would not be right (a
        page's tags or title changed and the tags plugin lists them): then
        the caller does a dirty build."""
        try:
            from mkdocs.commands.build import _populate_page
        except ImportError:  # another MkDocs: its dirty build does it
            return False
        config, files = self.config, self.files
        tags = _tags_plugin(config)
        objects = []
        for p in sorted(pages):
            f = files.get_file_from_path(p)
            if f is None or f.page is None:
                return False
            page = f.page
            before = self.titles.get(p)
            self._own_title(page, p)
            _populate_page(page, config, files)
            after = self.titles.get(p)
            if tags is not None and (before is None or after is None or before[0] != after[0]
                                     or before[1].get("tags") != after[1].get("tags")):
                return False
            objects.append(page)
        self._write(objects, self.nav)
        self._copy(others)
        return True

    # -- what the quick and grow ways share ---------------------------------

    def _own_title(self, page, path: str) -> None:
        """A page about to be read takes its title from its reading, not from
        the one _restore_unread gave it."""
        if path in self.restored:
            page.__dict__.pop("title", None)
            self.restored.discard(path)

    def _write(self, pages: list, nav) -> None:
        """Convert and write pages already read (_populate_page)."""
        from mkdocs.commands.build import _build_page
        config, files = self.config, self.files
        doc_files = files.documentation_pages()
        for page in pages:
            _build_page(page, config, doc_files, nav, self.env)
            page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)

    def _copy(self, changed: set[str]) -> None:
        """Copy the changed files that are not pages (images...) into the site."""
        for p in sorted(changed):
            f = self.files.get_file_from_path(p)
            if f is not None and not f.is_documentation_page():
                f.copy_file(dirty=False)

    def _remove_output(self, dest: str | None) -> None:
        """A file no longer staged leaves the site, and its folder when that is empty now."""
        if dest and os.path.isfile(dest):
            os.unlink(dest)
            parent = os.path.dirname(dest)
            if parent != str(self.site) and not os.listdir(parent):
                os.rmdir(parent)


# -- kb.json, llms.txt and the search index, in the background --------------
