"""`kbgen build` orchestration, independent of the renderer: validate, filter
by audience, render into a temporary directory next to the site, add kb.json
and friends, then swap the new site in. A failed or interrupted build leaves
the previous site exactly as it was.

The renderer never reads the knowledge base: kbgen.stage writes the view as
a plain site project, and kbgen.mkdocs.build runs MkDocs, ProperDocs or
Zensical on it (imported only when a build runs, so importing this module
loads no MkDocs). Steps that work on the built HTML (post_build) run on the
temporary site before the swap."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import sys
from pathlib import Path

from .config import Config, find_plugin_options
from .diagnostics.problems import format_text
from .errors import BuildFailed
from .model.audience import for_audience
from .validate import validate_config


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


def check_site_dir(cfg: Config, site_dir: Path) -> None:
    """Refuse a site dir that is, holds or sits inside the KB's sources (the
    swap would delete them)."""
    root = cfg.root.resolve()
    site = Path(site_dir).resolve()
    if site.exists() and not site.is_dir():
        raise BuildFailed(f"refusing to build into {site_dir}: it is a file, not a folder", 2)
    sources = [cfg.content_dir.resolve(), cfg.runbooks_dir.resolve(), root / "overrides"]
    if site == root or site in root.parents:
        raise BuildFailed(f"refusing to build into {site_dir}: it would replace the knowledge base itself", 2)
    for src in sources:
        if site == src or site in src.parents or src in site.parents:
            raise BuildFailed(f"refusing to build into {site_dir}: it would overwrite the knowledge base's sources", 2)


SITE_MARKER = ".kbgen-site"  # in every site kbgen builds: only such a folder is replaced


def check_replaceable(site_dir: Path, force: bool = False, marker: str = SITE_MARKER) -> None:
    """A build replaces site_dir whole: only a folder kbgen built (it has the
    marker), an empty one or a missing one, unless --force."""
    site = Path(site_dir)
    if force or not site.is_dir() or (site / marker).is_file():
        return
    try:
        empty = next(site.iterdir(), None) is None
    except OSError as exc:
        raise BuildFailed(f"refusing to build into {site_dir}: {exc.strerror}", 2) from None
    if not empty:
        raise BuildFailed(f"refusing to replace {site_dir}: it is not empty and kbgen did not build it (no {marker} "
                          "in it); choose another folder, empty it, or pass --force to replace it", 2)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clean_leftovers(site_dir: Path) -> None:
    """Remove what a killed build (SIGKILL, power loss) left next to the site:
    its temporary dir, or the previous site if it died between the renames."""
    for p in site_dir.parent.glob(f".{site_dir.name}.*-*"):
        kind, _, pid = p.name[len(site_dir.name) + 2:].rpartition("-")
        if kind not in ("building", "old", "stage") or not pid.isdigit() or _alive(int(pid)):
            continue
        if kind == "old" and not site_dir.exists():
            os.rename(p, site_dir)  # the last good site comes back
        else:
            shutil.rmtree(p, ignore_errors=True)


@contextlib.contextmanager
def _swap_lock(parent: Path):
    # Two builds into the same folder must not interleave their renames.
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Windows
        yield
        return
    fd = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: cleaned up like Ctrl-C (the CLI reports it so)."""


@contextlib.contextmanager
def signals_interrupt():
    """SIGTERM and SIGHUP raise like SIGINT, so every `finally` and the swap's
    clean-up run whichever way a build is stopped."""
    def handler(signum, frame):
        raise Terminated(signal.Signals(signum).name)
    names = [n for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
    try:
        old = {n: signal.signal(getattr(signal, n), handler) for n in names}
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        for n, h in old.items():
            signal.signal(getattr(signal, n), h)


@contextlib.contextmanager
def staged(site_dir: Path):
    """Yield an empty temporary dir next to site_dir; when the block succeeds,
    it replaces site_dir. On any exception (KeyboardInterrupt included) the
    temporary dir is removed and site_dir is left as it was."""
    site_dir = Path(site_dir).absolute()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(site_dir)
    tmp = site_dir.parent / f".{site_dir.name}.building-{os.getpid()}"
    old = site_dir.parent / f".{site_dir.name}.old-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
        with _swap_lock(site_dir.parent):
            if site_dir.exists():
                os.rename(site_dir, old)
            os.rename(tmp, site_dir)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not site_dir.exists():
            os.rename(old, site_dir)  # put the last good site back
        raise


def build_site(cfg: Config, audience: str, site_dir: Path, strict: bool = False, offline: bool = False,
               quiet: bool = False, echo=None, fail_on_overdue: bool = False, renderer: str = "mkdocs",
               force: bool = False) -> Path:
    """Build one audience's site into site_dir, atomically. Raises BuildFailed."""
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
            # process that has ended before Pagefind starts (isolated)
            marked = isolated(_html_site, cfg, audience, tmp, project, renderer, strict, offline, quiet, echo,
                              fail_on_overdue)
        finally:
            shutil.rmtree(project, ignore_errors=True)
        release_memory(cfg)  # what is left here, and all of it where the build ran in this process
        finish_site(tmp, audience, marked)
    return Path(site_dir)


def _html_site(cfg: Config, audience: str, tmp: Path, project: Path, renderer: str, strict: bool, offline: bool,
               quiet: bool, echo, fail_on_overdue: bool) -> tuple[int, int] | None:
    """Validate, filter, stage, render and post-process the HTML of one build
    into tmp: every step that needs the knowledge base. Returns what
    post_html does. Raises BuildFailed."""
    kb, report = validate_config(cfg)  # the one validation of this build
    if report.problems:
        (echo or _stderr)(format_text(report))
    if report.failed(strict, overdue=fail_on_overdue):  # overdue reviews alone never fail --strict
        raise BuildFailed("validation failed; the previous site was left untouched")
    view = for_audience(kb, audience)
    del kb, report
    from .errors import StageError
    from .mkdocs.build import render, staged_edit_root
    from .stage import stage
    shutil.rmtree(project, ignore_errors=True)
    try:
        with _log_to_stderr(quiet):
            plan = stage(cfg, view, project, offline=offline, own_search=True)  # Pagefind: finish_site
    except StageError as exc:
        raise BuildFailed(str(exc), exc.exit_code) from None
    # the date comes from this audience's content: a public sitemap does not
    # carry the review date of an internal page
    render(renderer, plan, tmp, strict=strict, quiet=quiet, epoch=source_date_epoch(view),
           edit_root=staged_edit_root(cfg))
    # MkDocs keeps its last configuration (and so the run-time plugin that holds
    # the staged pages) in class attributes: empty what we handed it
    plan.pages.clear()
    plan.sources.clear()
    shutil.rmtree(project, ignore_errors=True)
    check_output(view, tmp)
    return post_html(view, tmp)


def isolated(fn, *args):
    """fn(*args) in a forked child process, its result or exception passed
    back. The child holds the KB, the staged pages and MkDocs' state (500 MB
    at 10,000 pages); when it ends all of that goes back to the system, so
    Pagefind (850 MB at 10,000 pages) runs beside a small process. Python
    cannot give that memory back by itself: its small-object arenas stay
    while any object in them lives. In-process where fork is missing
    (Windows) or unsafe (a caller with threads: only this one would be
    copied); release_memory then frees what it can."""
    import threading
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return fn(*args)
    import pickle
    import traceback
    r, w = os.pipe()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    # No signal between the fork and the parent's try below: one raised there
    # (or inside the fork's own handlers, where Python ignores it) would leave
    # the child building into a folder the parent has already removed.
    stops = {signal.SIGINT, signal.SIGTERM} | ({signal.SIGHUP} if hasattr(signal, "SIGHUP") else set())
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    try:
        pid = os.fork()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        raise
    if pid == 0:  # the child: never returns, so it never runs the caller's clean-up
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(r)
        try:
            try:
                answer = ("value", fn(*args))
            except BaseException as exc:  # every outcome goes back to the parent
                if not isinstance(exc, (BuildFailed, KeyboardInterrupt)):  # a bug: where it was, for KBGEN_DEBUG
                    exc.add_note("".join(traceback.format_exception(exc)).rstrip())
                answer = ("raise", exc)
            try:
                data = pickle.dumps(answer)
                pickle.loads(data)  # noqa: S301 - checked here, where a failure can still be told
            except Exception:  # an exception that does not pickle (or unpickle): its text does
                data = pickle.dumps(("raise", RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}")))
            with os.fdopen(w, "wb") as pipe:
                pipe.write(data)
        finally:
            try:
                for stream in (sys.stdout, sys.stderr):
                    stream.flush()
            finally:
                os._exit(0)
    try:
        os.close(w)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a signal that came meanwhile is raised here
        with os.fdopen(r, "rb") as pipe:
            data = pipe.read()
    except BaseException:  # interrupted (Ctrl-C reaches both processes, SIGTERM only this one): stop the child
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
        raise
    _, status = os.waitpid(pid, 0)
    if not data:
        raise BuildFailed(f"the build process died ({_status(status)}); the previous site was left untouched")
    kind, value = pickle.loads(data)  # noqa: S301 - our own child, over our own pipe
    if kind == "raise":
        raise value
    return value


def _status(status: int) -> str:
    if os.WIFSIGNALED(status):
        try:
            return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
        except ValueError:
            return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit {os.WEXITSTATUS(status)}"


def stage_site(cfg: Config, audience: str, out: Path, strict: bool = False, offline: bool = False,
               echo=None, force: bool = False, fail_on_overdue: bool = False) -> Path:
    """`kbgen stage`: validate, filter, and write the plain site project into
    out, atomically (kbgen.stage). Raises BuildFailed."""
    from .errors import StageError
    from .stage import STAGE_MARKER, stage
    out = Path(out).absolute()
    check_site_dir(cfg, out)
    check_replaceable(out, force, marker=STAGE_MARKER)
    kb, report = validate_config(cfg)
    if report.problems:
        (echo or _stderr)(format_text(report))
    if report.failed(strict, overdue=fail_on_overdue):
        raise BuildFailed("validation failed; nothing was staged")
    view = for_audience(kb, audience)
    with signals_interrupt(), staged(out) as tmp:
        try:
            stage(cfg, view, tmp, offline=offline)
        except StageError as exc:
            raise BuildFailed(str(exc), exc.exit_code) from None
    return out


def post_build(view, site: Path) -> None:
    """Steps on the built site, before it replaces the previous one (the
    place for steps that read or rewrite the HTML: a search index, a CSP).
    An exception here keeps the previous site. build_site runs the two
    halves apart, to give memory back between them."""
    finish_site(site, view.audience, post_html(view, site))


def post_html(view, site: Path) -> tuple[int, int] | None:
    """The steps that need the view: kb.json and friends, Pagefind's marks and
    the search box on every page, the CSP. Returns (pages marked, of which
    listings) for Pagefind to index, or None for an offline build (it keeps
    Material's lunr search)."""
    _write_outputs(view, site)  # the staged copies, whatever the renderer did with them
    from .pagefind import is_offline, mark_site
    marked = None if is_offline(site) else mark_site(view, site)  # browser search (kbgen.pagefind)
    from .csp import apply_csp
    # last HTML step: hashes the theme's inline scripts as written (kbgen.csp);
    # Pagefind reads the pages, it does not change them
    apply_csp(view, site, wasm=marked is not None)
    return marked


def finish_site(site: Path, audience: str, marked: tuple[int, int] | None) -> None:
    """The steps that need no view: the Pagefind index of the marked pages,
    then the marker that lets the next build replace this site."""
    if marked is not None:
        import time

        from .pagefind import log as pagefind_log
        from .pagefind import run_pagefind
        start = time.perf_counter()
        run_pagefind(site)
        pagefind_log.info("browser search: Pagefind indexed %d pages (%d by title only) in %.1f s", *marked,
                          time.perf_counter() - start)
    (site / SITE_MARKER).write_text(f"built by kbgen for the {audience} audience\n", encoding="utf-8")


def release_memory(cfg: Config | None = None) -> None:
    """Give back to the system what the build no longer needs, before Pagefind
    runs: Pagefind holds its whole index (850 MB at 10,000 pages), and the
    build's own peak (MkDocs' pages) would add to it. Python frees the
    objects; glibc keeps freed memory for reuse unless asked to trim it."""
    if cfg is not None:
        # kbgen.markdown's readings: validation saved them to disk already
        getattr(cfg, "__dict__", {}).pop("_reading_cache", None)
    import gc
    gc.collect()
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def check_output(view, out_dir: Path) -> None:
    """The guard: a renderer that wrote elsewhere or nothing must not replace
    a good site with an empty one. Every page the KB has (its entities' pages,
    the generated indexes, the home page) must be in out_dir."""
    from .text.anchors import page_url
    expected = {e.page for e in view.entities.values() if e.page} | {"runbooks/index.md", "error-codes/index.md"}

    def written(page: str) -> bool:
        stem = page.rsplit(".", 1)[0]
        return (out_dir / page_url(page) / "index.html").is_file() or (out_dir / f"{stem}.html").is_file()

    missing = sorted(p for p in expected if not written(p))
    if missing:
        home = "no home page, " if "index.md" in missing else ""
        raise BuildFailed(f"the renderer wrote {home}{len(expected) - len(missing)} of the {len(expected)} pages the "
                          f"knowledge base has (missing: {', '.join(missing[:3])}{', ...' if len(missing) > 3 else ''});"
                          " the previous site was left untouched")


@contextlib.contextmanager
def _log_to_stderr(quiet: bool):
    import logging
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


def _write_outputs(view, out_dir: Path) -> None:
    try:
        from .outputs import write_outputs
    except ImportError:  # outputs are optional for the site itself
        return
    write_outputs(view, out_dir)
