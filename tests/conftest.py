"""Shared fixtures: expensive builds run once per session."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KBGEN = [sys.executable, "-m", "kbgen.cli"]


def run_kbgen(*args, cwd=None, env=None, check=False) -> subprocess.CompletedProcess:
    """The real command line, in a subprocess."""
    import os
    full_env = dict(os.environ, **(env or {}))
    proc = subprocess.run([*KBGEN, *map(str, args)], cwd=cwd, env=full_env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"kbgen {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


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
