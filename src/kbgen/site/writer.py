"""How the stage writes the project: Writer writes every file whole (kbgen
build, kbgen stage); SyncWriter, for kbgen serve, keeps one project between
rebuilds and writes only what changed, noting it for the incremental
renderer (kbgen.mkdocs.incremental). Every file is a regular file, written
or copied; nothing is linked."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path


def copy_file(src: Path, dest: Path) -> None:
    """A regular file's bytes, never a link (a symlink inside the KB was
    validated as what it points to; the copy holds that content)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest, follow_symlinks=True)


def write_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


class Writer:
    """How stage() puts files in the project: every file, written whole
    (kbgen build, kbgen stage). kbgen serve keeps one project between rebuilds
    and passes a writer that writes only what changed (kbgen.mkdocs.incremental)."""
    outputs = True  # kb.json, kb.schema.json and llms.txt in docs/

    def text(self, path: Path, text: str) -> None:
        write_file(path, text)

    def copy(self, src: Path, dest: Path) -> None:
        copy_file(src, dest)

    def exists(self, path: Path) -> bool:
        return path.exists()

    def done(self, docs: Path) -> None:
        """Every file of docs/ and overrides/ is staged (before the case check)."""

    def files(self, docs: Path) -> set[str] | None:
        """The docs-relative paths staged (None: read the folder)."""
        return None


class SyncWriter(Writer):
    """stage() writes through it into one project kept between rebuilds. A
    file is written only when its content differs from the last time (so its
    mtime moves only then), and what is no longer staged is deleted.
    `pending` holds the project-relative paths changed since the last render
    that succeeded (the caller clears it): a render that fails leaves them for
    the next one."""

    outputs = False  # kb.json and co. go into the site itself (Refresher)

    def __init__(self, root: Path):
        self.root = Path(root)
        self.prefix = os.fspath(self.root) + os.sep
        self.known: dict[str, object] = {}  # path -> digest of what is on disk
        self.seen: set[str] = set()
        self.pending: set[str] = set()
        self.writes = 0

    def begin(self) -> None:
        self.seen = set()
        self.writes = 0

    def _rel(self, path: Path) -> str:
        text = os.fspath(path)  # stage() names every file under root; strings are cheaper than Paths here
        if text.startswith(self.prefix):
            return text[len(self.prefix):].replace(os.sep, "/")
        return Path(path).relative_to(self.root).as_posix()

    def _put(self, rel: str, key: object, write) -> None:
        self.seen.add(rel)
        if self.known.get(rel) == key:
            return
        write()
        self.known[rel] = key
        self.pending.add(rel)
        self.writes += 1

    def text(self, path: Path, text: str) -> None:
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        self._put(self._rel(path), key, lambda: write_file(path, text))

    def copy(self, src: Path, dest: Path) -> None:
        st = os.stat(src)
        self._put(self._rel(dest), (str(src), st.st_size, st.st_mtime_ns), lambda: copy_file(src, dest))

    def exists(self, path: Path) -> bool:
        return self._rel(path) in self.seen

    def done(self, docs: Path) -> None:
        for rel in [r for r in self.known if r not in self.seen and r.startswith(("docs/", "overrides/"))]:
            (self.root / rel).unlink(missing_ok=True)
            del self.known[rel]
            self.pending.add(rel)

    def files(self, docs: Path) -> set[str]:
        """docs-relative paths of the files staged now."""
        return {r[5:] for r in self.known if r.startswith("docs/")}
