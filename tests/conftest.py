"""Shared fixtures: expensive builds run once per session."""
from __future__ import annotations

from pathlib import Path

import pytest

from kbfactory import ROOT, run_kbgen


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
