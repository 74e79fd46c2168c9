"""`kbgen build` and `kbgen stage`, independent of the renderer: validate,
filter by audience, stage the view as a plain site project (kbgen.site.stage),
render it into a temporary folder next to the site, post-process the HTML
(kbgen.site.post), then swap the new site in (kbgen.site.swap). A failed or
interrupted build leaves the previous site exactly as it was.

The renderer never reads the knowledge base, and this package never imports
it: build_site is given the render step (`render(staged, out_dir, strict=,
quiet=, epoch=)`); the command line passes kbgen.mkdocs.build's, which runs
MkDocs, ProperDocs or Zensical on the staged project."""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from ..config import Config, find_plugin_options
from ..diagnostics.problems import format_text
from ..errors import BuildFailed, StageError
from ..model.audience import for_audience
from ..validate import validate_config
from .isolate import isolated, release_memory
from .post import check_output, finish_site, post_html
from .searchbox import offline_site
from .stage import STAGE_MARKER, Staged, stage
from .swap import check_replaceable, check_site_dir, signals_interrupt, staged

# The render step: the staged project into out_dir (kbgen.mkdocs.build.renderer)
Render = Callable[..., None]


def default_site_dir(root: Path, audience: str) -> Path:
    # Separate folders, so an internal site is never published by mistake
    # from the folder a public deploy picks up.
    return Path(root) / ("site" if audience == "public" else "site-internal")


def source_date_epoch(kb) -> int:
    """Dates in the output (sitemap lastmod, the gzip header) come from the
    content, not the clock, so two builds are byte-identical: the newest
    last_reviewed, unless SOURCE_DATE_EPOCH is set already."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.isdigit():
        return int(env)
    dates = [e.last_reviewed for e in kb.entities.values() if e.last_reviewed]
    if not dates:
        return 0
    return int((max(dates) - dt.date(1970, 1, 1)).total_seconds())


def build_site(cfg: Config, audience: str, site_dir: Path, render: Render, strict: bool = False,
               offline: bool = False, quiet: bool = False, echo=None, fail_on_overdue: bool = False,
               force: bool = False) -> Path:
    """Build one audience's site into site_dir with `render`, atomically. Raises BuildFailed."""
    site_dir = Path(site_dir).absolute()  # a renderer would read a relative one against mkdocs.yml's folder
    if not cfg.has_config_file:
        raise BuildFailed(f"no mkdocs.yml in {cfg.root}: create one with `kbgen init`, or add it with the kbgen plugin", 2)
    if find_plugin_options(cfg.raw)[0] is None:
        raise BuildFailed("mkdocs.yml does not enable the kbgen plugin (add `- kbgen` under plugins)", 2)
    check_site_dir(cfg, site_dir)
    check_replaceable(site_dir, force)
    with signals_interrupt(), staged(site_dir) as tmp:
        project = tmp.parent / f".{site_dir.name}.stage-{os.getpid()}"
        try:
            # every step that holds the KB or MkDocs' pages runs in a child
            # process: when it ends, all of that memory goes back to the system (isolated)
            isolated(_html_site, cfg, audience, tmp, project, render, strict, offline, quiet, echo, fail_on_overdue)
        finally:
            shutil.rmtree(project, ignore_errors=True)
        release_memory(cfg)  # what is left here, and all of it where the build ran in this process
        finish_site(tmp, audience)
    return Path(site_dir)


def _html_site(cfg: Config, audience: str, tmp: Path, project: Path, render: Render, strict: bool, offline: bool,
               quiet: bool, echo, fail_on_overdue: bool) -> None:
    """Validate, filter, stage, render and post-process the HTML of one build
    into tmp: every step that needs the knowledge base. Raises BuildFailed."""
    kb, report = validate_config(cfg)  # the one validation of this build
    if report.problems:
        (echo or _stderr)(format_text(report))
    if report.failed(strict, overdue=fail_on_overdue):  # overdue reviews alone never fail --strict
        raise BuildFailed("validation failed; the previous site was left untouched")
    view = for_audience(kb, audience)
    if not view.entities:
        raise BuildFailed(empty_site(kb, audience))
    del kb, report
    shutil.rmtree(project, ignore_errors=True)
    try:
        with log_to_stderr(quiet):
            plan: Staged = stage(cfg, view, project, offline=offline, own_search=True)  # kbgen's search box: post_html
    except StageError as exc:
        raise BuildFailed(str(exc), exc.exit_code) from None
    # the date comes from this audience's content: a public sitemap does not
    # carry the review date of an internal page
    render(plan, tmp, strict=strict, quiet=quiet, epoch=source_date_epoch(view))
    # MkDocs keeps its last configuration (and so the run-time plugin that holds
    # the staged pages) in class attributes: empty what we handed it
    plan.pages.clear()
    plan.sources.clear()
    shutil.rmtree(project, ignore_errors=True)
    check_output(view, tmp)
    with log_to_stderr(quiet):
        post_html(view, tmp, offline=offline_site(plan.config))


def stage_site(cfg: Config, audience: str, out: Path, strict: bool = False, offline: bool = False,
               echo=None, force: bool = False, fail_on_overdue: bool = False) -> Path:
    """`kbgen stage`: validate, filter, and write the plain site project into
    out, atomically (kbgen.site.stage). Raises BuildFailed."""
    out = Path(out).absolute()
    check_site_dir(cfg, out)
    check_replaceable(out, force, marker=STAGE_MARKER)
    kb, report = validate_config(cfg)
    if report.problems:
        (echo or _stderr)(format_text(report))
    if report.failed(strict, overdue=fail_on_overdue):
        raise BuildFailed("validation failed; nothing was staged")
    view = for_audience(kb, audience)
    if not view.entities:
        raise BuildFailed(empty_site(kb, audience))
    with signals_interrupt(), staged(out) as tmp:
        try:
            stage(cfg, view, tmp, offline=offline)
        except StageError as exc:
            raise BuildFailed(str(exc), exc.exit_code) from None
    return out


def empty_site(kb, audience: str) -> str:
    """Why a build would publish no page, and what to change (never a site
    with nothing in it, built without a word)."""
    n = len(kb.entities)
    if not n:
        return "no pages: the knowledge base has no content to build (nothing was changed)"
    where = kb.config.config_file
    docs = kb.config.docs_dir.strip("/")
    folder = "" if docs in ("", ".") else docs + "/"
    return (f"the {audience} site would have no page: all {n} pages are internal (unmarked pages are internal: "
            f"default_audience is {kb.config.options.default_audience}); nothing was changed. "
            f"To publish, mark what is public: `default_audience: public` under the kbgen plugin in {where}, "
            f"a folder default (`defaults: [{{path: \"{folder}**\", audience: public}}]`), or `audience: public` "
            "in a page's front matter; or build the internal site (--audience internal)")


@contextlib.contextmanager
def log_to_stderr(quiet: bool):
    """kbgen's own log lines (the stage's) on stderr while the block runs."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    handler.setLevel(logging.WARNING if quiet else logging.INFO)
    logger = logging.getLogger("kbgen")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _stderr(text: str) -> None:
    print(text, file=sys.stderr)
