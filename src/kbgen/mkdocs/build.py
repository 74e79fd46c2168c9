"""Run a renderer on a staged site project (kbgen.site.stage) into a directory.

MkDocs runs in this process, through its API, with a small run-time plugin
for what a plain project cannot say (edit links to the sources, progress on
long builds). ProperDocs and Zensical run as their own commands on the
staged mkdocs.yml as it is. kbgen.site.build does the rest of `kbgen build`,
with the render step renderer() gives it.
"""
from __future__ import annotations

import contextlib
import logging
import os
import posixpath
import subprocess
import sys
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ..errors import BuildFailed

RENDERERS = ("mkdocs", "properdocs", "zensical")
PROGRESS_EVERY = 250  # pages; only builds of 500+ pages report progress


@contextlib.contextmanager
def _logging(quiet: bool):
    # MkDocs logs under "mkdocs."; its CLI installs the handler we add here.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    handler.setLevel(logging.WARNING if quiet else logging.INFO)
    # MkDocs names the temporary folder it renders into: the user gave another one
    handler.addFilter(lambda r: not r.getMessage().startswith(("Building documentation to directory",
                                                                "Cleaning site directory")))
    loggers = [logging.getLogger("mkdocs")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


@contextlib.contextmanager
def epoch_env(epoch: int):
    # MkDocs reads the build date (sitemap, gzip header) from the environment
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def render(renderer: str, staged, out_dir: Path, strict: bool = False, quiet: bool = False, epoch: int = 0,
           edit_root: str = "") -> None:
    """Build the staged project into out_dir with `renderer`. Raises BuildFailed."""
    if renderer == "mkdocs":
        return _mkdocs(staged, out_dir, strict, quiet, epoch, edit_root)
    if renderer in ("properdocs", "zensical"):
        return _command(renderer, staged, out_dir, strict, quiet, epoch)
    raise BuildFailed(f"unknown renderer {renderer!r}: use one of {', '.join(RENDERERS)}", 2)


def renderer(name: str, cfg):
    """The render step of kbgen.site.build.build_site for a KB's Config:
    render(staged, out_dir, strict=, quiet=, epoch=) with `name`."""
    return partial(render, name, edit_root=staged_edit_root(cfg))


def run_mkdocs(mk_cfg, dirty: bool = False) -> None:
    """MkDocs' build of a loaded configuration, its failures as BuildFailed
    (a broken theme template with its place); the plugins shut down either way."""
    from jinja2 import TemplateError
    from mkdocs.commands.build import build as mk_build
    from mkdocs.exceptions import Abort, MkDocsException
    try:
        mk_build(mk_cfg, dirty=dirty)
    except (Abort, MkDocsException) as exc:
        raise BuildFailed(f"MkDocs: {exc}") from None
    except TemplateError as exc:  # a broken template in overrides/
        filename, lineno = getattr(exc, "filename", None), getattr(exc, "lineno", None)
        where = f" ({filename}:{lineno})" if filename else ""
        raise BuildFailed(f"theme template error{where}: {exc}", 2) from None
    finally:
        mk_cfg.plugins.on_shutdown()


def _mkdocs(staged, out_dir: Path, strict: bool, quiet: bool, epoch: int, edit_root: str) -> None:
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    with _logging(quiet), epoch_env(epoch):
        try:
            mk_cfg = load_config(config_file=str(staged.config_file), site_dir=str(out_dir), strict=strict)
        except (Abort, ConfigurationError) as exc:  # MkDocs logged the details above
            raise BuildFailed(f"mkdocs.yml: {exc}", 2) from None
        mk_cfg.plugins["kbgen/run"] = _run_plugin(staged, edit_root)
        mk_cfg.plugins.on_startup(command="build", dirty=False)
        run_mkdocs(mk_cfg)


def normal_url(url: str) -> str:
    # edit links to sources outside docs_dir (../runbooks/x.yaml) read
    # .../content/../runbooks/x.yaml; browsers and git hosts want it resolved
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=posixpath.normpath(parts.path)))


def edit_links(files, sources: dict, edit_root: str | None):
    """Each staged page's edit link names the source file it was made from."""
    for f in files:
        source = sources.get(f.src_uri)
        if source:
            f.edit_uri = posixpath.relpath(source, edit_root or ".")
    return files


def normal_edit_url(page):
    if page.edit_url and "/." in page.edit_url:
        page.edit_url = normal_url(page.edit_url)
    return page


def _run_plugin(staged, edit_root: str):
    """Edit links to the pages' source files and progress for long builds:
    run-time only, the staged project itself names no kbgen plugin."""
    from mkdocs.plugins import BasePlugin

    class Run(BasePlugin):
        def __init__(self):
            super().__init__()
            self.total = len(staged.pages)
            self.converted = self.written = 0

        def on_files(self, files, config):
            return edit_links(files, staged.sources, edit_root)

        def on_pre_page(self, page, config, files):
            return normal_edit_url(page)

        def on_page_markdown(self, markdown, page, config, files):
            self.converted += 1
            self._progress("converted", self.converted)
            return markdown

        def on_post_page(self, output, page, config):
            self.written += 1
            self._progress("wrote", self.written)
            return output

        def _progress(self, what: str, n: int) -> None:
            if self.total >= 2 * PROGRESS_EVERY and n % PROGRESS_EVERY == 0:
                logging.getLogger("mkdocs.plugins.kbgen").info(f"{what} {n}/{self.total} pages")

    plugin = Run()
    plugin.load_config({})
    return plugin


def _command(renderer: str, staged, out_dir: Path, strict: bool, quiet: bool, epoch: int) -> None:
    """ProperDocs or Zensical as their own process, on the staged project."""
    config = staged.config_file
    if renderer == "properdocs":
        args = [sys.executable, "-m", "properdocs", "build", "-f", str(config), "-d", str(out_dir)]
        args += ["--strict"] if strict else []
        args += ["-q"] if quiet else []
    else:
        # Zensical writes only inside the project (site_dir: site); the result is moved after
        args = [sys.executable, "-m", "zensical", "build", "-f", str(config)] + (["-s"] if strict else [])
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch))
    proc = subprocess.Popen(args, cwd=staged.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, errors="replace")
    try:
        output, _ = proc.communicate()
    except BaseException:  # interrupted: the renderer goes too, before the temporary site is removed
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        raise
    if output and (not quiet or proc.returncode):
        sys.stderr.write(output)
    if proc.returncode:
        raise BuildFailed(f"{renderer} failed (exit {proc.returncode}); see its output above")
    if renderer == "zensical":
        if strict and _zensical_warned(output):
            raise BuildFailed("zensical reported warnings and --strict is on")
        built = staged.root / str(staged.config.get("site_dir", "site"))
        for p in sorted(built.iterdir()):
            os.replace(p, Path(out_dir) / p.name)


def _zensical_warned(output: str) -> bool:
    return any(line.lstrip().lower().startswith(("warning", "warn")) for line in output.splitlines())


def staged_edit_root(cfg) -> str:
    """Where edit links start: the docs folder as the KB names it (content)."""
    rel = Path(os.path.relpath(cfg.content_dir, cfg.root)).as_posix()
    return "" if rel == "." else rel
