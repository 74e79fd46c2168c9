"""Shared fixtures: expensive builds run once per session.

- example_public / example_internal: the example KB at the repo root, built
  with `kbgen build --strict` for each audience.
- generated_kb: a synthetic KB of ~600 pages (bench/gen_kb.py), for tests of
  scale behaviour; generated_site: its internal build, with the build's stderr.
- work: tmp/work/c1, a KB made by `kbgen init`, and tmp/elsewhere/deep, another folder.
"""
from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

# kbgen keeps Markdown readings in the user's cache folder: tests keep theirs apart
os.environ.setdefault("KBGEN_CACHE_DIR", os.path.join(tempfile.gettempdir(), "kbgen-test-cache"))

from kbfactory import ROOT, run_kbgen  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from gen_kb import generate  # noqa: E402

GENERATED_ARTICLES = GENERATED_RUNBOOKS = 300


@pytest.fixture(scope="session")
def example_public(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("public") / "site"
    run_kbgen("build", ROOT, "--audience", "public", "--site-dir", site, "--strict", "-q", check=True)
    return site


@pytest.fixture(scope="session")
def example_internal(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("internal") / "site"
    run_kbgen("build", ROOT, "--audience", "internal", "--site-dir", site, "--strict", "-q", check=True)
    return site


@pytest.fixture(scope="session")
def generated_kb(tmp_path_factory) -> Path:
    """Read-only for tests: build it into your own site dir."""
    return generate(tmp_path_factory.mktemp("gen") / "kb", GENERATED_ARTICLES, GENERATED_RUNBOOKS, seed=1)


@dataclass
class BuiltSite:
    site: Path
    stderr: str


@pytest.fixture(scope="session")
def generated_site(generated_kb, tmp_path_factory) -> BuiltSite:
    site = tmp_path_factory.mktemp("gen-site") / "site"
    proc = run_kbgen("build", generated_kb, "--audience", "internal", "--site-dir", site, check=True)
    return BuiltSite(site, proc.stderr)


@pytest.fixture
def work(tmp_path):
    """tmp/work/c1: a KB made by `kbgen init`, as in the issue; tmp/elsewhere/deep: another folder."""
    work = tmp_path / "work"
    work.mkdir()
    run_kbgen("init", "c1", "--no-git", cwd=work, check=True)
    (tmp_path / "elsewhere" / "deep").mkdir(parents=True)
    return work
