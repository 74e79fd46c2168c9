"""Memory between the steps of a build: the steps that hold the knowledge
base and MkDocs' pages run in a forked child process (isolated), so what
they held goes back to the system when they end, and the process that swaps
the site in stays small."""
from __future__ import annotations

import contextlib
import os
import signal
import sys

from ..config import Config
from ..errors import BuildFailed


def isolated(fn, *args):
    """fn(*args) in a forked child process, its result or exception passed
    back. The child holds the KB, the staged pages and MkDocs' state (500 MB
    at 10,000 pages); when it ends all of that goes back to the system, and
    the process that swaps the site in stays small. Python cannot give that
    memory back by itself: its small-object arenas stay while any object in
    them lives. In-process where fork is missing
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


def release_memory(cfg: Config | None = None) -> None:
    """Give back to the system what the build no longer needs (MkDocs' pages),
    where the build ran in this process. Python frees the objects; glibc
    keeps freed memory for reuse unless asked to trim it."""
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
