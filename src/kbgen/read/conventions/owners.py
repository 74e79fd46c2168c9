"""Owners from the files a repository already has: CODEOWNERS (GitHub and
GitLab: the last matching line wins, its first owner is the page's owner)
and Kubernetes-style OWNERS files (the nearest one above a file: its first
approver, else its first reviewer)."""
from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from pathlib import Path

from ...text.globs import compile_glob
from ..yamlload import load

CODEOWNERS_PLACES = ("CODEOWNERS", ".github/CODEOWNERS", ".gitlab/CODEOWNERS", "docs/CODEOWNERS")
OWNER_FILES = frozenset({"OWNERS", "OWNERS_ALIASES", "CODEOWNERS"})  # never content


def _codeowners_pattern(p: str) -> str:
    # CODEOWNERS uses .gitignore rules: "/x" is anchored at the root, "x/" is a
    # folder, a bare name matches anywhere; "*" alone is everything.
    if p == "*":
        return "**"
    anchored = p.startswith("/") or "/" in p.rstrip("/")
    p = p.lstrip("/")
    if p.endswith("/"):
        p += "**"
    elif "*" not in p and "." not in posixpath.basename(p):
        p += "/**"  # most likely a folder written without its slash
    return p if anchored else "**/" + p


class Owners:
    def __init__(self, root: Path, sources: Sequence[str]):
        self.rules: list[tuple[re.Pattern[str], str]] = []
        self.owners_files: dict[str, str] = {}   # folder -> owner
        if "CODEOWNERS" in sources:
            for place in CODEOWNERS_PLACES:
                path = root / place
                if path.is_file():
                    self._read_codeowners(path)
                    break
        if "OWNERS" in sources:
            for path in sorted(root.rglob("OWNERS")):
                if any(part.startswith(".") for part in path.relative_to(root).parts):
                    continue
                owner = _owners_file_owner(path)
                if owner:
                    folder = path.parent.relative_to(root).as_posix()
                    self.owners_files["" if folder == "." else folder] = owner

    def _read_codeowners(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        for line in text.splitlines():
            line = line.split(" #", 1)[0].strip()
            if not line or line.startswith(("#", "[", "^[")):
                continue  # comments and GitLab sections
            parts = line.split()
            if len(parts) < 2:
                continue
            self.rules.append((compile_glob(_codeowners_pattern(parts[0])), parts[1].lstrip("@")))

    def owner_of(self, rel: str) -> str | None:
        found = None
        for pattern, owner in self.rules:
            if pattern.match(rel):
                found = owner
        if found:
            return found
        folder = posixpath.dirname(rel)
        while True:
            if folder in self.owners_files:
                return self.owners_files[folder]
            if not folder:
                return None
            folder = posixpath.dirname(folder)


def _owners_file_owner(path: Path) -> str | None:
    try:
        data = load(path.read_text(encoding="utf-8", errors="replace")).data
    except OSError:
        return None
    if not isinstance(data, dict):
        return None
    for key in ("approvers", "reviewers"):
        people = data.get(key)
        if isinstance(people, list) and people and isinstance(people[0], str):
            return people[0]
    return None
