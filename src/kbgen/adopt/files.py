"""A repository as `kbgen adopt` first looks at it: its files (build output
and dot-names skipped), its Markdown pages' front matter and headings, a
Hugo config, and the links that leave the pages folder. Quick and
forgiving: a guess at conventions, not validation (kbgen validate reads
every page with kbgen's own readers)."""
from __future__ import annotations

import os
import posixpath
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..markdown import scan_markdown
from ..model.links import is_external
from ..read.files import split_front_matter
from ..read.yamlload import load

MD_EXT = (".md", ".markdown")


YAML_EXT = (".yaml", ".yml")


MAX_READ = 1024 * 1024


# Repository files at the root that are about the repository, not the KB.
REPO_DOCS = {"readme.md", "contributing.md", "changelog.md", "code_of_conduct.md", "security.md", "license.md",
             "maintainers.md", "governance.md", "support.md"}


SITE_DIRS = ("site", "site-internal", "public", "_site", "node_modules", "vendor", "themes", "resources")


IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")


HUGO_CONFIGS = ("hugo.yaml", "hugo.yml", "hugo.toml", "config.yaml", "config.yml", "config.toml")


@dataclass
class MdFile:
    rel: str
    meta: dict
    h1: list[str]
    sections: list[str]      # the section-level headings' texts
    body: str
    body_line: int
    labels: list[str] = field(default_factory=list)       # bold labels that open a paragraph (**Impact:** ...)
    subsections: list[str] = field(default_factory=list)  # every heading below the title


def inside(root: Path, path: Path) -> Path | None:
    """What path is, links followed, when that is inside root; else None (a
    link out of the repository, a dangling one, a loop): never read, as
    validation refuses it (KB115)."""
    try:
        real = path.resolve(strict=True)
        top = root.resolve()
    except (OSError, RuntimeError):
        return None
    return real if real == top or top in real.parents else None


def repo_files(root: Path, refused: list[str] | None = None):
    """Every file under root, dot-names and build output skipped; a symbolic
    link whose target is outside root (or missing) is not a file of the
    repository: added to refused, never read."""
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and not (rel_dir == "." and d in SITE_DIRS))
        for name in sorted(filenames):
            if not name.startswith("."):
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                path = Path(dirpath) / name
                if path.is_symlink() and inside(root, path) is None:
                    if refused is not None:
                        refused.append(rel)
                    continue
                yield rel


def read_small(path: Path, root: Path) -> str | None:
    """A file of the repository, up to the size validation reads (1 MiB):
    None for a larger one, one that is not a regular file (a link to
    /dev/zero), or one outside root."""
    real = inside(root, path)
    if real is None:
        return None
    try:
        st = real.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_READ:
            return None
        with open(real, "rb") as fh:
            data = fh.read(MAX_READ + 1)  # never more, whatever stat said
    except OSError:
        return None
    if len(data) > MAX_READ:
        return None
    return data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")


_HEAD = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")


def headings(body: str) -> list[tuple[int, str]]:
    """ATX headings outside fences: a first look at a file, enough to guess
    conventions (validation reads pages with kbgen's Markdown reader). A
    fence that never closes is not code, as in Python-Markdown."""
    lines = body.split("\n")
    marks = [i for i, line in enumerate(lines) if line.lstrip().startswith(("```", "~~~"))]
    code: set[int] = set()
    for a, b in zip(marks[0::2], marks[1::2]):
        code.update(range(a, b + 1))
    out = []
    for i, line in enumerate(lines):
        if i not in code:
            m = _HEAD.match(line)
            if m:
                out.append((len(m.group(1)), m.group(2).strip().strip("*_`")))
    return out


def read_md(root: Path, rel: str) -> MdFile | None:
    text = read_small(root / rel, root)
    if text is None:
        return None
    fm = split_front_matter(text)
    meta = fm.meta.data if fm.meta is not None and isinstance(fm.meta.data, dict) else {}
    heads = headings(fm.body)
    h1 = [t for lvl, t in heads if lvl == 1]
    h2 = [t for lvl, t in heads if lvl == 2]
    if not h2:
        deeper = [lvl for lvl, _ in heads if lvl > 1]
        h2 = [t for lvl, t in heads if deeper and lvl == min(deeper)]
    below = [t for lvl, t in heads if lvl > 1]
    return MdFile(rel, meta, h1, h2, fm.body, fm.body_line, _labels(fm.body), below)


_LABEL = re.compile(r"^[ \t]*(?:\*\*|__)([^*_\n]{2,60}?)(?::[ \t]*)?(?:\*\*|__)[ \t]*:?")


def _labels(body: str) -> list[str]:
    """Bold labels that open a paragraph (`**Meaning:** ...`, `**Impact**`),
    outside code: the sections of runbooks written without headings."""
    if "**" not in body and "__" not in body:
        return []
    out, fence, prev_blank = [], False, True
    for line in body.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        elif not fence and prev_blank:
            m = _LABEL.match(line)
            if m:
                out.append(m.group(1).strip().rstrip(":"))
        prev_blank = not line.strip() or bool(_LABEL.match(line))
    return out


def hugo_config(root: Path) -> tuple[str | None, dict]:
    for name in HUGO_CONFIGS:
        path = root / name
        if not path.is_file():
            continue
        text = read_small(path, root) or ""
        data: Any
        if name.endswith(".toml"):
            try:
                import tomllib
                data = tomllib.loads(text)
            except Exception:  # a broken Hugo config is Hugo's to report
                data = {}
        else:
            data = load(text).data
        if isinstance(data, dict) and ("baseURL" in data or "theme" in data or "languages" in data
                                       or "contentDir" in data or name.startswith("hugo")):
            return name, data
    return None, {}


def links_out(root: Path, docs_dir: str, md_files: list[str]) -> list[str]:
    """Files outside the pages folder that its pages link to (links read with
    kbgen's Markdown reader)."""
    out = []
    for rel in md_files:
        if not rel.startswith(docs_dir + "/"):
            continue
        text = read_small(root / rel, root)
        if not text or "](" not in text:
            continue
        fm = split_front_matter(text)
        for link in scan_markdown(fm.body, fm.body_line).links:
            target = unquote(link.target.split("#", 1)[0].split("?", 1)[0])
            if not target or is_external(target) or target.startswith("/"):
                continue
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
            if not joined.startswith(docs_dir + "/") and not joined.startswith("..") and (root / joined).exists():
                out.append(joined)
    return sorted(set(out))
