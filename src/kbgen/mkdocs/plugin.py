"""The `kbgen` MkDocs plugin, for people who run `mkdocs build` or
`mkdocs serve` themselves (`kbgen build` does not use it).

It loads, validates and filters the KB with the core, stages the site
project into a temporary folder (kbgen.site.stage, the same staging as `kbgen
build`) and points MkDocs at it: MkDocs only ever reads the staged pages, so
nothing the core did not validate and filter reaches the site. Options are
kbgen.config.PluginOptions, declared once there.
"""
from __future__ import annotations

import os
import posixpath
import shutil
import tempfile
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files, InclusionLevel

from ..config import ConfigError, PluginOptions, load_config
from ..diagnostics.problems import Severity, format_text
from ..errors import StageError
from ..model.audience import AUDIENCES, for_audience
from ..site.csp import apply_csp
from ..site.stage import stage
from ..validate import validate_config
from .build import normal_url, staged_edit_root

log = get_plugin_logger(__name__)


class _Any(c.BaseConfigOption):
    """Any value: kbgen validates its options itself, with PluginOptions."""

    def run_validation(self, value):
        return value


# The plugin's options are PluginOptions' fields: declared once, in kbgen.config.
KbgenConfig = type("KbgenConfig", (base.Config,), {name: c.Optional(_Any()) for name in PluginOptions.model_fields})


def _has_plugin(config, *names: str) -> bool:
    return any(n in config.plugins for n in names)


class KbgenPlugin(BasePlugin[KbgenConfig]):  # type: ignore[valid-type]  # a class made from PluginOptions
    supports_multiple_instances = False

    def on_startup(self, *, command, dirty):
        # Defining on_startup keeps one plugin instance across `serve` rebuilds.
        self.command = command
        self.stages: list[Path] = []

    @event_priority(100)  # before other plugins see the config
    def on_config(self, config):
        self.root = Path(config.config_file_path).resolve().parent
        self.kb = self._load(config)
        kbc = self.kb.config
        self._clean(keep_first=True)
        work = Path(tempfile.mkdtemp(prefix="kbgen-stage-"))
        if not hasattr(self, "stages"):
            self.stages = []
        self.stages.append(work)
        try:
            self.staged = stage(kbc, self.kb, work / "project", offline=bool(kbc.options.offline))
        except StageError as exc:
            raise PluginError(f"kbgen: {exc}") from None
        sc = self.staged.config
        config.docs_dir = str(self.staged.docs)
        for key in ("site_name", "site_description", "site_author"):  # escaped as in the staged mkdocs.yml
            if isinstance(sc.get(key), str):
                config[key] = sc[key]
        config.nav = sc["nav"]
        self._markdown(config, sc["markdown_extensions"])
        features = config.theme.get("features")
        if features is not None:
            features.extend(f for f in sc["theme"].get("features") or [] if f not in features)
        config.extra_css.append("assets/kbgen/kbgen.css")
        config.extra_javascript.append("assets/kbgen/mermaid-loader.js")
        config.extra["kbgen_audience"] = self.kb.audience
        if "polyfills" in sc.get("extra", {}):
            config.extra["polyfills"] = sc["extra"]["polyfills"]
        if sc.get("use_directory_urls") is False:
            config.use_directory_urls = False
        if kbc.options.offline and not _has_plugin(config, "offline", "material/offline"):
            self._add_offline(config)
        # `mkdocs serve` watches the writers' folders, not the staged copy
        for folder in (kbc.content_dir, kbc.runbooks_dir):
            if folder.is_dir():
                config.watch.append(str(folder))
        return config

    def _load(self, config):
        """Load, validate and filter the KB."""
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
        # plain `mkdocs build` has no --audience: the environment or the option says, else public
        audience = cfg.audience_for(os.environ.get("KBGEN_AUDIENCE"))
        if audience not in AUDIENCES:
            raise PluginError(f"kbgen: unknown audience {audience!r} (KBGEN_AUDIENCE or the option `audience`); "
                              "use public or internal")
        if audience == "internal":
            self._internal_allowed(config)
        return for_audience(kb, audience)

    def _internal_allowed(self, config) -> None:
        """An internal site never goes where public deploys take theirs from:
        `site/` (MkDocs' default site_dir) or `mkdocs gh-deploy`."""
        command = getattr(self, "command", "build")
        if command == "gh-deploy":
            raise PluginError("kbgen: refusing to deploy the internal audience with `mkdocs gh-deploy` (it publishes "
                              "the site); deploy the public site, or build the internal one with `kbgen build "
                              "--audience internal` and serve it behind your authentication")
        site = Path(config.site_dir).resolve()
        if command == "build" and site == self.root / "site":
            raise PluginError("kbgen: refusing to build the internal audience into site/, the folder public deploys "
                              "publish; build it elsewhere (`mkdocs build -d site-internal`, or `kbgen build "
                              "--audience internal`, which writes site-internal/)")

    @staticmethod
    def _add_offline(config):
        from material.plugins.offline.plugin import OfflinePlugin
        plugin = OfflinePlugin()
        errors, _ = plugin.load_config({})
        if not errors:
            # registered while on_config runs: MkDocs' event loop reaches it after this plugin
            config.plugins["material/offline"] = plugin

    @staticmethod
    def _markdown(config, staged_exts: list) -> None:
        """The staged project's extensions (the site's own, then kbgen's)."""
        from pymdownx.superfences import fence_code_format
        exts, configs = config.markdown_extensions, config.mdx_configs
        for entry in staged_exts:
            name, opts = next(iter(entry.items()))
            opts = dict(opts)
            if name == "pymdownx.superfences":
                opts["custom_fences"] = [dict(f, format=fence_code_format) if f.get("name") == "mermaid"
                                         and not callable(f.get("format")) else f
                                         for f in opts.get("custom_fences", [])]
            if name not in exts:
                exts.append(name)
            configs[name] = {**configs.get(name, {}), **opts}

    def on_files(self, files, config):
        custom_dir = config.theme.custom_dir and os.path.normpath(config.theme.custom_dir)
        docs_dir = os.path.normpath(config.docs_dir)
        edit_root = staged_edit_root(self.kb.config)
        out = []
        for f in files:
            src_dir = f.src_dir and os.path.normpath(f.src_dir)
            if src_dir and src_dir == custom_dir and f.src_uri.startswith("kbgen/"):
                continue  # kbgen's page templates are not static files
            if src_dir == docs_dir:
                if f.inclusion == InclusionLevel.EXCLUDED and not f.src_uri.startswith("."):
                    f.inclusion = InclusionLevel.INCLUDED  # a templates/ folder is published too
                source = self.staged.sources.get(f.src_uri)
                if source:
                    f.edit_uri = posixpath.relpath(source, edit_root or ".")
            out.append(f)
        return Files(out)

    def on_pre_page(self, page, config, files):
        if page.edit_url and "/." in page.edit_url:
            page.edit_url = normal_url(page.edit_url)
        return page

    def _clean(self, keep_first: bool = False) -> None:
        # `mkdocs serve` watches the first staged folder it was given: keep it until the end
        stages = getattr(self, "stages", [])
        for p in stages[1 if keep_first else 0:]:
            shutil.rmtree(p, ignore_errors=True)
        self.stages = stages[:1] if keep_first else []

    @event_priority(-100)  # after other plugins changed the HTML: the policy hashes the scripts as written
    def on_post_build(self, config):
        if getattr(self, "command", "build") in ("build", "gh-deploy"):
            # the same Content-Security-Policy and _headers as `kbgen build` (public, online sites)
            apply_csp(self.kb, Path(config.site_dir))
        if getattr(self, "command", "build") == "build":
            self._clean()

    def on_build_error(self, error):
        if getattr(self, "command", "build") == "build":
            self._clean()

    def on_shutdown(self):
        self._clean()
