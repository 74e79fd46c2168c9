"""A site folder replaced whole, or not at all: the new site is made in a
temporary folder beside it and renamed into place when every step has
succeeded; a failed or interrupted build (Ctrl-C, SIGTERM, SIGHUP; a killed
one is cleaned up by the next) leaves the last good site as it was. Only a
folder kbgen built (SITE_MARKER), an empty or a missing one is replaced, and
never one that holds the knowledge base's sources."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
from pathlib import Path

from ..config import Config
from ..errors import BuildFailed


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
