"""The `kbgen` MkDocs plugin: loads and validates the KB with the core, filters
it by audience, and hands the generated pages, navigation and redirects to
MkDocs. Options are kbgen.config.PluginOptions, declared once there."""
from __future__ import annotations

import os
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from ..audience import for_audience
from ..config import ConfigError, PluginOptions, load_config
from ..diagnostics import Severity, format_text
from ..pages import nav as make_nav
from ..pages import Page, redirects, render_pages
from ..validate import validate_config

log = get_plugin_logger(__name__)
ASSETS = Path(__file__).resolve().parent.parent / "assets"

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


class KbgenPlugin(BasePlugin[KbgenConfig]):
    supports_multiple_instances = False

    def on_startup(self, *, command, dirty):
        # Defining on_startup keeps one plugin instance across `serve` rebuilds.
        self.command = command

    @event_priority(100)  # before other plugins see the config
    def on_config(self, config):
        root = Path(config.config_file_path).resolve().parent
        overrides = {k: v for k, v in self.config.items() if v is not None}
        try:
            cfg = load_config(root, config_file=Path(config.config_file_path).name)
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
            raise PluginError(f"kbgen: unknown audience {audience!r}; use public or internal")
        self.audience = audience
        self.kb = for_audience(kb, audience)
        self.pages = render_pages(self.kb)
        self.redirects = redirects(self.kb, directory_urls=config.use_directory_urls)
        has_tags = "tags" in config.plugins or "material/tags" in config.plugins
        if has_tags and "tags.md" not in self.pages:
            # Material's tags plugin lists every tag of this build's pages here
            self.pages["tags.md"] = Page("tags.md", '---\ntitle: "Tags"\n---\n\n# Tags\n\n<!-- material/tags -->\n', "Tags")
        self.docs_dir = Path(config.docs_dir).resolve()
        self.total = len(self.pages)
        self.rendered = 0
        if not config.nav:
            config.nav = make_nav(self.kb, {p: pg for p, pg in self.pages.items() if p != "tags.md"})
            if "tags.md" in self.pages:
                config.nav.append({"Tags": "tags.md"})
        self._markdown(config)
        config.extra_javascript.append("assets/kbgen/mermaid.min.js")
        if "offline" in config.plugins or "material/offline" in config.plugins:
            # Material's offline plugin would load this shim from unpkg; air-gapped readers have no internet.
            config.extra.setdefault("polyfills", []).append("assets/kbgen/iframe-worker-shim.js")
        config.extra_css.append("assets/kbgen/kbgen.css")
        config.watch.append(str(cfg.runbooks_dir))
        config.extra["kbgen_audience"] = audience
        return config

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
        keep_assets = {a for a in self.kb.assets}
        docs_prefix = self.kb.config.docs_dir.rstrip("/") + "/"
        out = Files([])
        for f in files:
            src = Path(f.abs_src_path).resolve() if f.abs_src_path else None
            if src is None or self.docs_dir not in src.parents:
                out.append(f)  # theme files and other plugins' files
                continue
            if f.src_uri.endswith((".md", ".markdown", ".yaml", ".yml")):
                continue  # every page comes from the core; raw YAML is never published
            if docs_prefix + f.src_uri in keep_assets:
                out.append(f)
        for path, page in self.pages.items():
            # explicitly included: MkDocs' default exclude_docs would drop a templates/ folder
            gen = File.generated(config, path, content=page.markdown, inclusion=InclusionLevel.INCLUDED)
            if page.source:
                gen.edit_uri = page.source
            out.append(gen)
        for path, html in self.redirects.items():
            out.append(File.generated(config, path, content=html, inclusion=InclusionLevel.NOT_IN_NAV))
        for name in ("mermaid.min.js", "kbgen.css", "iframe-worker-shim.js"):
            if (ASSETS / name).exists():
                out.append(File.generated(config, f"assets/kbgen/{name}", abs_src_path=str(ASSETS / name)))
        return out

    def on_page_markdown(self, markdown, page, config, files):
        self.rendered += 1
        if self.total >= 500 and self.rendered % 250 == 0:
            log.info(f"rendered {self.rendered}/{self.total} pages")
        return markdown
