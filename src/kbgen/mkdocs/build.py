"""Render an audience-filtered KB with MkDocs + Material into a directory.
kbgen.site does the rest of `kbgen build` (validation, outputs, the swap)."""
from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path

from ..config import Config
from ..site import BuildFailed


@contextlib.contextmanager
def _env(**values):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update({k: str(v) for k, v in values.items()})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def _logging(quiet: bool):
    # MkDocs logs under "mkdocs."; its CLI installs the handler we add here.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    handler.setLevel(logging.WARNING if quiet else logging.INFO)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def mkdocs_config(cfg: Config, site_dir: Path, strict: bool, offline: bool):
    from mkdocs.config import load_config as mk_load_config
    # docs_dir as kbgen resolved it: content/ when mkdocs.yml does not say
    overrides = {"site_dir": str(site_dir), "strict": strict, "docs_dir": str(cfg.content_dir)}
    if offline or cfg.options.offline:
        plugins = list(cfg.raw.get("plugins") or [])
        names = [p if isinstance(p, str) else next(iter(p)) for p in plugins]
        if "offline" not in names and "material/offline" not in names:
            plugins.append("offline")
        overrides.update(plugins=plugins, use_directory_urls=False)
    path = cfg.root / "mkdocs.yml"
    if not path.exists():
        path = cfg.root / "mkdocs.yaml"
    return mk_load_config(config_file=str(path), **overrides)


def render(cfg: Config, view, out_dir: Path, strict: bool = False, offline: bool = False, quiet: bool = False,
           epoch: int = 0) -> None:
    """Build the site of `view` (a KB already validated and filtered by
    kbgen.audience) into out_dir. Raises BuildFailed."""
    from jinja2 import TemplateError
    from mkdocs.commands.build import build as mk_build
    from mkdocs.exceptions import Abort, ConfigurationError, MkDocsException

    with _logging(quiet), _env(KBGEN_AUDIENCE=view.audience, SOURCE_DATE_EPOCH=epoch):
        try:
            mk_cfg = mkdocs_config(cfg, out_dir, strict, offline)
        except (Abort, ConfigurationError) as exc:  # MkDocs logged the details above
            raise BuildFailed(f"mkdocs.yml: {exc}", 2) from None
        plugin = mk_cfg.plugins.get("kbgen")
        if plugin is None:
            raise BuildFailed("mkdocs.yml does not enable the kbgen plugin (add `- kbgen` under plugins)", 2)
        plugin.handoff = view  # validated once, by kbgen.site; the plugin does not load the KB again
        mk_cfg.plugins.on_startup(command="build", dirty=False)
        try:
            mk_build(mk_cfg)
        except (Abort, MkDocsException) as exc:
            raise BuildFailed(f"MkDocs: {exc}") from None
        except TemplateError as exc:  # a broken template in overrides/
            where = f" ({exc.filename}:{exc.lineno})" if getattr(exc, "filename", None) else ""
            raise BuildFailed(f"theme template error{where}: {exc}", 2) from None
        finally:
            mk_cfg.plugins.on_shutdown()
