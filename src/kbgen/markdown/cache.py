"""A cache of page readings, so that re-validating an unchanged KB does not
parse its Markdown again (a pre-commit hook, `kbgen serve`, CI re-runs).

Kept in the user's cache folder (`$XDG_CACHE_HOME/kbgen`, else
`~/.cache/kbgen`; `KBGEN_CACHE_DIR` moves it, `KBGEN_CACHE_DIR=off` turns it
off), one pickle per KB root, written atomically: nothing is written into
the knowledge base itself. A reading is reused only for the same
text, the same first line, the same Markdown settings, and the same versions
of kbgen's reader, Python-Markdown and pymdown-extensions; pages that
include other files are never cached (their text depends on those files).
The file holds only the readings of the last run, so it does not grow. Any
problem with it (unreadable, read-only checkout, another version's pickle)
means no cache, never an error.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from pathlib import Path

READER_VERSION = 1  # bump when kbgen.markdown.reader changes what a Reading holds


def cache_file(root: Path) -> Path | None:
    where = os.environ.get("KBGEN_CACHE_DIR")
    if where and where.lower() in ("off", "0", "none", "false"):
        return None
    base = Path(where) if where else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kbgen"
    digest = hashlib.sha1(str(Path(root).resolve()).encode()).hexdigest()[:16]
    return base / "markdown" / f"{digest}.pickle"


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


class ReadingCache:
    def __init__(self, path: Path | None):
        self.path = path
        self.old: dict = {}
        self.new: dict = {}
        self.hits = 0
        if self.path is not None and self.path.is_file():
            try:
                with open(self.path, "rb") as fh:
                    data = pickle.load(fh)
                self.old = data if isinstance(data, dict) else {}
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
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.path.parent)
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(self.new, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only checkout: no cache
        self.old = dict(self.new)
