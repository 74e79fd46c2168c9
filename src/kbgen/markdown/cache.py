"""A cache of page readings, so that re-validating an unchanged KB does not
parse its Markdown again (a pre-commit hook, `kbgen serve`, CI re-runs).

Kept in the user's cache folder (`$XDG_CACHE_HOME/kbgen`, else
`~/.cache/kbgen`; `KBGEN_CACHE_DIR` moves it, `KBGEN_CACHE_DIR=off` turns it
off), one JSON file per KB root, written atomically: nothing is written into
the knowledge base itself. JSON, not pickle: reading a cache file cannot run
code, whoever wrote it. The folders and the file must be the user's own and
writable by no one else (made so when kbgen creates them); otherwise the
cache is not used, and a warning says why (someone else could change what
validation reports). A reading is reused only for the same
text, the same first line, the same Markdown settings, and the same versions
of kbgen's reader, Python-Markdown and pymdown-extensions; pages that
include other files are never cached (their text depends on those files).
The file holds only the readings of the last run, so it does not grow. Any
other problem with it (unreadable, read-only checkout, another version's
file) means no cache, never an error.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import stat
import tempfile
from pathlib import Path

READER_VERSION = 2  # bump when kbgen.markdown.reader changes what a Reading holds
log = logging.getLogger("kbgen.cache")


def cache_file(root: Path) -> Path | None:
    where = os.environ.get("KBGEN_CACHE_DIR")
    if where and where.lower() in ("off", "0", "none", "false"):
        return None
    base = Path(where) if where else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kbgen"
    digest = hashlib.sha1(str(Path(root).resolve()).encode()).hexdigest()[:16]
    return base / "markdown" / f"{digest}.json"


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version
    # the reader's own code: any change to how kbgen reads invalidates the cache by itself
    here = Path(__file__).resolve().parent
    code = hashlib.sha1(b"".join((here / n).read_bytes() for n in ("reader.py", "sanitize.py", "settings.py", "lines.py")
                                 if (here / n).exists())).hexdigest()
    out = [str(READER_VERSION), code]
    for dist in ("kbgen", "Markdown", "pymdown-extensions"):
        try:
            out.append(version(dist))
        except PackageNotFoundError:
            out.append("?")
    return "/".join(out)


def fingerprint(settings) -> str:
    def name(o):
        return f"{getattr(o, '__module__', '')}.{getattr(o, '__qualname__', type(o).__name__)}"
    raw = json.dumps([settings.extensions, settings.configs], sort_keys=True, default=name)
    return hashlib.sha1((_versions() + raw).encode()).hexdigest()


def _private(path: Path, folder: bool) -> str | None:
    """Why path is not the user's own (a folder or file someone else can
    change), else None. Not checked where the system has no owners (Windows)."""
    if not hasattr(os, "getuid"):
        return None
    st = os.lstat(path)
    if not (stat.S_ISDIR(st.st_mode) if folder else stat.S_ISREG(st.st_mode)):
        return f"{path} is not a {'folder' if folder else 'file'}"
    if st.st_uid != os.getuid():
        return f"{path} belongs to another user"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"{path} is writable by others (chmod go-w {path})"
    return None


def _own_folder(path: Path) -> str | None:
    """Make the cache's folders (only the user may write there), or say why they cannot be trusted."""
    try:
        path.parent.parent.parent.mkdir(parents=True, exist_ok=True)  # ~/.cache, as the system makes it
    except OSError:
        return "unusable"
    for folder in (path.parent.parent, path.parent):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass
        except OSError:
            return "unusable"
        why = _private(folder, folder=True)
        if why:
            return why
    return None


def _to_json(reading) -> dict:
    d = dataclasses.asdict(reading)
    d["anchors"] = sorted(d["anchors"])
    return d


def _from_json(d: dict):
    from .reader import Heading, Include, Link, Reading, Unsafe
    return Reading(**{
        **d,
        "headings": [Heading(**h) for h in d["headings"]],
        "links": [Link(**{**x, "target_at": tuple(x["target_at"]) if x.get("target_at") else None}) for x in d["links"]],
        "anchors": set(d["anchors"]),
        "includes": [Include(**i) for i in d["includes"]],
        "unsafe": [Unsafe(**u) for u in d["unsafe"]],
        "too_complex": tuple(d["too_complex"]) if d.get("too_complex") else None,
    })


class ReadingCache:
    def __init__(self, path: Path | None):
        self.path = path
        self.old: dict = {}
        self.new: dict = {}
        self.hits = 0
        if self.path is None:
            return
        why = _own_folder(self.path)
        if why is None and self.path.exists():
            why = _private(self.path, folder=False)
        if why:
            if why != "unusable":
                log.warning(f"kbgen: the Markdown cache is not used: {why}")
            self.path = None
            return
        if self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self.old = {k: _from_json(v) for k, v in data.items()} if isinstance(data, dict) else {}
            except Exception:  # noqa: BLE001 - a stale or foreign file is simply not a cache
                self.old = {}
    @staticmethod
    def key(fp: str, text: str, first_line: int) -> str:
        return hashlib.sha1(f"{fp}\0{first_line}\0{text}".encode()).hexdigest()

    def get(self, key: str):
        hit = self.old.get(key)
        if hit is not None:
            self.hits += 1
            self.new[key] = hit
        return hit

    def put(self, key: str, reading) -> None:
        self.new[key] = reading

    def flush(self) -> None:
        if self.path is None or (self.new.keys() == self.old.keys()):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.path.parent)  # mode 0600
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({k: _to_json(v) for k, v in self.new.items()}, fh, separators=(",", ":"))
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only checkout: no cache
        self.old = dict(self.new)
