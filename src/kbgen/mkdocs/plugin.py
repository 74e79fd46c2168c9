"""The `kbgen` MkDocs plugin: loads and validates the KB with the core, filters
it by audience, and hands the generated pages, navigation and redirects to
MkDocs. Options are kbgen.config.PluginOptions, declared once there."""
from __future__ import annotations

import os
import posixpath
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from ..audience import for_audience
from ..config import ConfigError, PluginOptions, load_config
from ..diagnostics import Severity, format_text
from ..pages import Page, redirects, render_pages
from ..pages import nav as make_nav
from ..validate import validate_config

log = get_plugin_logger(__name__)
ASSETS = Path(__file__).resolve().parent.parent / "assets"
ASSET_FILES = ("mermaid.min.js", "kbgen.css", "iframe-worker-shim.js")
PROGRESS_EVERY = 250  # pages; only builds of 500+ pages report progress
PRUNE_LINKS, PRUNE_PAGES = 100, 500  # above either, carrying the whole nav in every page costs most of the build

# Search separator: kbgen keeps Material's default ([\s\-]+ and friends) on
# purpose. A separator without "-" makes QT-001 one token in the index, but
# lunr's query lexer keeps splitting queries on "-" (it captured the default
# before Material's config is read), so "QT-001" would then find nothing.
# Split on both sides, the section holding both "qt" and "001" ranks first.

EXTENSIONS = {
    "attr_list": {}, "md_in_html": {}, "admonition": {}, "tables": {}, "def_list": {},
    "toc": {"permalink": True},
    "pymdownx.details": {}, "pymdownx.highlight": {"anchor_linenums": False}, "pymdownx.inlinehilite": {},
    "pymdownx.tabbed": {"alternate_style": True}, "pymdownx.tasklist": {"custom_checkbox": True},
}


class _Any(c.BaseConfigOption):
    """Any value: kbgen validates its options itself, with PluginOptions."""

    def run_validation(self, value):
        return value


# The plugin's options are PluginOptions' fields: declared once, in kbgen.config.
KbgenConfig = type("KbgenConfig", (base.Config,), {name: c.Optional(_Any()) for name in PluginOptions.model_fields})


def _has_plugin(config, *names: str) -> bool:
    return any(n in config.plugins for n in names)


def _normal_url(url: str) -> str:
    # edit links to sources outside docs_dir (../runbooks/x.yaml) read
    # .../content/../runbooks/x.yaml; browsers and git hosts want it resolved
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=posixpath.normpath(parts.path)))


def _count_links(nav) -> int:
    if isinstance(nav, dict):
        return sum(_count_links(v) for v in nav.values())
    if isinstance(nav, list):
        return sum(_count_links(v) for v in nav)
    return 1


class KbgenPlugin(BasePlugin[KbgenConfig]):
    supports_multiple_instances = False
    handoff = None  # a filtered KB from kbgen.site: `kbgen build` validated already

    def on_startup(self, *, command, dirty):
        # Defining on_startup keeps one plugin instance across `serve` rebuilds.
        self.command = command

    @event_priority(100)  # before other plugins see the config
    def on_config(self, config):
        self.root = Path(config.config_file_path).resolve().parent
        if self.handoff is not None:
            self.kb, self.handoff = self.handoff, None  # used once: serve rebuilds reload
        else:
            self.kb = self._load(config)
        self.audience = self.kb.audience
        options = self.kb.config.options
        self.pages = render_pages(self.kb)
        if _has_plugin(config, "tags", "material/tags") and "tags.md" not in self.pages:
            # Material's tags plugin lists every tag of this build's pages here
            self.pages["tags.md"] = Page("tags.md", '---\ntitle: "Tags"\n---\n\n# Tags\n\n<!-- material/tags -->\n', "Tags")
        self.total = len(self.pages)
        self.converted = self.written = 0
        if not config.nav:
            config.nav = make_nav(self.kb, {p: pg for p, pg in self.pages.items() if p != "tags.md"})
            if "tags.md" in self.pages:
                config.nav.append({"Tags": "tags.md"})
        self._prune(config)
        self._markdown(config)
        if options.offline and not _has_plugin(config, "offline", "material/offline"):
            self._add_offline(config)  # `kbgen build --offline` adds it itself; plain `mkdocs build` does not
        config.extra_javascript.append("assets/kbgen/mermaid.min.js")
        if _has_plugin(config, "offline", "material/offline"):
            # Material's offline plugin would load this shim from unpkg; air-gapped readers have no internet.
            config.extra.setdefault("polyfills", []).append("assets/kbgen/iframe-worker-shim.js")
        config.extra_css.append("assets/kbgen/kbgen.css")
        if self.kb.config.runbooks_dir.is_dir():  # watching a missing folder would stop `serve`
            config.watch.append(str(self.kb.config.runbooks_dir))
        config.extra["kbgen_audience"] = self.audience
        return config

    def _load(self, config):
        """Load, validate and filter the KB (plain `mkdocs build` and `serve`)."""
        config_file = Path(config.config_file_path).name
        overrides = {k: v for k, v in self.config.items() if v is not None}
        try:
            cfg = load_config(self.root, config_file=config_file)
            cfg.options = PluginOptions.model_validate({**cfg.options.model_dump(exclude_unset=True), **overrides})
        except (ConfigError, ValueError) as exc:
            raise PluginError(f"kbgen: {exc}") from None
        kb, report = validate_config(cfg)
        if report.errors:
            raise PluginError("kbgen: the knowledge base has errors; nothing was built.\n" + format_text(report))
        for p in report.sorted():
            if p.severity is Severity.WARNING:
                log.warning(f"{p.file}:{p.line}:{p.column}: {p.code} {p.message}")
        audience = os.environ.get("KBGEN_AUDIENCE") or cfg.options.audience or "internal"
        if audience not in ("public", "internal"):
            raise PluginError(f"kbgen: unknown audience {audience!r} (KBGEN_AUDIENCE or the option `audience`); "
                              "use public or internal")
        return for_audience(kb, audience)

    def _prune(self, config):
        """Material renders the whole navigation into every page: its size
        times the number of pages is most of a big site's size and build time
        (1,000 pages: 205 MB on disk and 25 s without navigation.prune, 49 MB and 10 s with)."""
        features = config.theme.get("features")
        if features is None or "navigation.prune" in features:
            return
        links = _count_links(config.nav)
        if links <= PRUNE_LINKS and self.total <= PRUNE_PAGES:
            return
        if "navigation.expand" in features:  # Material: the two do not combine
            log.info(f"the navigation has {links} links and navigation.expand is on: every page carries all of them")
            return
        features.append("navigation.prune")
        log.info(f"{self.total} pages, {links} navigation links: turned Material's navigation.prune on")

    @staticmethod
    def _add_offline(config):
        from material.plugins.offline.plugin import OfflinePlugin
        plugin = OfflinePlugin()
        errors, _ = plugin.load_config({})
        if not errors:
            # registered while on_config runs: MkDocs' event loop reaches it after this plugin
            config.plugins["material/offline"] = plugin

    def _markdown(self, config):
        exts = config.markdown_extensions
        configs = config.mdx_configs
        for name, options in EXTENSIONS.items():
            if name not in exts:
                exts.append(name)
                configs[name] = dict(options)
        if "pymdownx.superfences" not in exts:
            exts.append("pymdownx.superfences")
        fences = configs.setdefault("pymdownx.superfences", {}).setdefault("custom_fences", [])
        if not any(f.get("name") == "mermaid" for f in fences):
            from pymdownx.superfences import fence_code_format
            fences.append({"name": "mermaid", "class": "mermaid", "format": fence_code_format})

    def on_files(self, files: Files, config):
        docs_dir = os.path.normpath(config.docs_dir)
        kbc = self.kb.config
        docs_rel = Path(os.path.relpath(kbc.content_dir, kbc.root)).as_posix()  # as the core names sources
        docs_prefix = "" if docs_rel == "." else docs_rel + "/"
        custom_dir = config.theme.custom_dir and os.path.normpath(config.theme.custom_dir)
        keep_assets = self.kb.assets_set if self.kb.assets_set else set(self.kb.assets)
        out = Files([])
        for f in files:
            src_dir = f.src_dir and os.path.normpath(f.src_dir)
            if src_dir != docs_dir:
                if src_dir and src_dir == custom_dir and f.src_uri.startswith("kbgen/"):
                    continue  # kbgen's page template overrides are not static files
                out.append(f)  # theme files and other plugins' files
            elif f.is_documentation_page():
                continue  # every page comes from the core (internal ones not at all in a public build)
            elif f.inclusion == InclusionLevel.EXCLUDED:
                out.append(f)  # never written (dotfiles such as Material's .meta.yml)
            elif f.src_uri.endswith((".yaml", ".yml")):
                continue  # raw YAML is never published
            elif docs_prefix + f.src_uri in keep_assets:
                out.append(f)  # an asset this audience may see
        for page in self.pages.values():
            out.append(self._page_file(config, page, docs_rel))
        # after every on_config: Material's offline plugin may have turned directory URLs off
        for path, html in redirects(self.kb, directory_urls=config.use_directory_urls).items():
            out.append(File.generated(config, path, content=html, inclusion=InclusionLevel.NOT_IN_NAV))
        for name in ASSET_FILES:
            if (ASSETS / name).exists():
                out.append(File.generated(config, f"assets/kbgen/{name}", abs_src_path=str(ASSETS / name)))
        return out

    def _page_file(self, config, page: Page, docs_rel: str) -> File:
        # explicitly included: MkDocs' default exclude_docs would drop a templates/ folder
        f = File.generated(config, page.path, content=page.markdown, inclusion=InclusionLevel.INCLUDED)
        if page.source:
            # The page's source file, for the edit button and for plugins that
            # read it (git dates); MkDocs renders the content given above.
            source = self.root / page.source
            f.abs_src_path = str(source)
            f.edit_uri = posixpath.relpath(page.source, docs_rel)
        return f

    def on_pre_page(self, page, config, files):
        if page.edit_url and "/." in page.edit_url:
            page.edit_url = _normal_url(page.edit_url)
        return page

    def on_page_markdown(self, markdown, page, config, files):
        self.converted += 1
        self._progress("converted", self.converted)
        return markdown

    def on_post_page(self, output, page, config):
        self.written += 1
        self._progress("wrote", self.written)
        return output

    def _progress(self, what: str, n: int) -> None:
        # Long builds say how far they are (INFO: hidden by -q, shown by MkDocs' CLI).
        if self.total >= 2 * PROGRESS_EVERY and n % PROGRESS_EVERY == 0:
            log.info(f"{what} {n}/{self.total} pages")
