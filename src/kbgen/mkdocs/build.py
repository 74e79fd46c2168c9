"""`kbgen build`: validate, render with MkDocs into a temporary directory,
add kb.json and friends, then swap the new site in. A failed or interrupted
build leaves the previous site exactly as it was."""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import sys
from pathlib import Path

import click

from ..config import Config
from ..diagnostics import format_text
from ..validate import validate_config


class BuildFailed(Exception):
    """The build did not produce a site (the message says why)."""


def default_site_dir(root: Path, audience: str) -> Path:
    return root / ("site" if audience == "public" else "site-internal")


def source_date_epoch(kb) -> int:
    """Builds are byte-identical: dates in the output (sitemap lastmod, the
    gzip header) come from the content, not the clock."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.isdigit():
        return int(env)
    dates = [e.last_reviewed for e in kb.entities.values() if e.last_reviewed]
    if not dates:
        return 0
    return int((max(dates) - dt.date(1970, 1, 1)).total_seconds())


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


def _check_site_dir(cfg: Config, site_dir: Path) -> None:
    root = cfg.root.resolve()
    site = site_dir.resolve()
    for forbidden in (root, cfg.content_dir.resolve(), cfg.runbooks_dir.resolve(), root / "overrides"):
        if site == forbidden or site in forbidden.parents or forbidden in site.parents and forbidden != root:
            raise BuildFailed(f"refusing to build into {site_dir}: it would overwrite the knowledge base's sources")


def _logging(quiet: bool) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    handler.setLevel(logging.WARNING if quiet else logging.INFO)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handler


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


def build_site(cfg: Config, audience: str, site_dir: Path, strict: bool = False, offline: bool = False,
               quiet: bool = False, echo=click.echo) -> Path:
    """Build one audience's site into site_dir, atomically. Raises BuildFailed."""
    from mkdocs.commands.build import build as mk_build
    from mkdocs.exceptions import Abort, MkDocsException

    from ..config import find_plugin_options
    if not cfg.has_config_file:
        raise BuildFailed(f"no mkdocs.yml in {cfg.root}: create one with `kbgen init`, or add it with the kbgen plugin")
    if find_plugin_options(cfg.raw)[0] is None:
        raise BuildFailed("mkdocs.yml does not enable the kbgen plugin (add `- kbgen` under plugins)")
    kb, report = validate_config(cfg)
    if report.problems:
        echo(format_text(report), err=True)
    if report.errors or (strict and report.warnings):
        raise BuildFailed("validation failed; the previous site was left untouched")
    _check_site_dir(cfg, site_dir)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = site_dir.parent / f".{site_dir.name}.building-{os.getpid()}"
    old = site_dir.parent / f".{site_dir.name}.old-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    handler = _logging(quiet)
    try:
        with _env(KBGEN_AUDIENCE=audience, SOURCE_DATE_EPOCH=source_date_epoch(kb)):
            mk_cfg = mkdocs_config(cfg, tmp, strict, offline)
            try:
                mk_build(mk_cfg)
            except (Abort, MkDocsException) as exc:
                raise BuildFailed(f"MkDocs: {exc}") from None
            plugin = mk_cfg.plugins.get("kbgen")
            if plugin is None:
                raise BuildFailed("mkdocs.yml does not enable the kbgen plugin (add `- kbgen` under plugins)")
            _write_outputs(plugin.kb, tmp)
        if site_dir.exists():
            os.rename(site_dir, old)
        os.rename(tmp, site_dir)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not site_dir.exists():
            os.rename(old, site_dir)  # put the last good site back
        raise
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    return site_dir


def _write_outputs(kb, out_dir: Path) -> None:
    from ..outputs import write_outputs
    write_outputs(kb, out_dir)
