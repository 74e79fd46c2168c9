"""The security suite runs each batch of cases once (validate, build, one
browser pass) and hands every case its verdict. Under pytest-xdist the
workers share the results through files guarded by a lock, so a batch is
never built twice."""
from __future__ import annotations

import fcntl
import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import BATCHES


@pytest.fixture(scope="session")
def batch_results(tmp_path_factory):
    """batch name -> {case id: verdict}, computed on first use."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    shared = shared / "security-batches"
    shared.mkdir(exist_ok=True)
    cache: dict[str, dict] = {}

    def get(name: str) -> dict:
        if name in cache:
            return cache[name]
        result = shared / f"{name}.json"
        with open(shared / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not result.exists():
                from runner import run_batch
                out = run_batch(BATCHES[name], tmp_path_factory.mktemp(name))
                tmp = result.with_suffix(".tmp")
                tmp.write_text(json.dumps(out))
                tmp.rename(result)
        cache[name] = json.loads(result.read_text())
        return cache[name]

    return get
