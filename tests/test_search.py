"""`kbgen search` through the command line, on the example KB and fixtures."""
from __future__ import annotations

import json
import os
import time

import pytest

from kbfactory import ROOT, run_kbgen, write_kb


@pytest.fixture(scope="module")
def search_env(tmp_path_factory):
    # keep the test's indexes out of the repository
    return {"KBGEN_SEARCH_DIR": str(tmp_path_factory.mktemp("search"))}


def search(*args, env=None):
    proc = run_kbgen("search", *args, "--json", env=env)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else None, proc.stderr


def test_json_shape_and_exact_code_first(search_env):
    code, data, _ = search("QT-001", "--root", ROOT, env=search_env)
    assert code == 0
    assert set(data) == {"query", "results", "suggestion"}
    assert data["query"] == "QT-001" and data["suggestion"] is None
    first, second = data["results"][:2]
    assert set(first) == {"id", "type", "title", "url", "score", "snippet"}
    assert (first["id"], first["type"]) == ("mwrasp-error-codes:QT-001", "error-code")
    assert (second["id"], second["type"]) == ("quantum-gateway-unreachable", "runbook")
    assert first["url"] == "https://kb.example.com/reference/mwrasp-error-codes/#qt-001"


@pytest.mark.parametrize("spelling", ["qt001", "qt-001", "QT 001", "Qt_001"])
def test_code_spellings(search_env, spelling):
    _, data, _ = search(spelling, "--root", ROOT, env=search_env)
    assert data["results"][0]["id"] == "mwrasp-error-codes:QT-001"


def test_public_audience_never_returns_internal(search_env):
    _, data, _ = search("QT-001", "--root", ROOT, "--audience", "public", "--limit", "50", env=search_env)
    ids = [r["id"] for r in data["results"]]
    assert ids[0] == "mwrasp-error-codes:QT-001"
    assert "quantum-gateway-unreachable" not in ids
    kb = json.loads(run_kbgen("search", "gateway quantum runbook", "--root", ROOT, "--audience", "public",
                              "--json", "--limit", "100", env=search_env).stdout or '{"results": []}')
    internal = {"quantum-gateway-unreachable", "ai-agent-behavioral-issues", "mwrasp-incident-response"}
    assert not internal & {r["id"] for r in kb["results"]}


def test_filters(search_env):
    _, data, _ = search("authentication", "--root", ROOT, "--type", "runbook", "--product", "anya-core", env=search_env)
    assert data["results"] and all(r["type"] == "runbook" for r in data["results"])
    assert data["results"][0]["id"] in ("anya-authentication-failures", "anya-two-factor-authentication")


def test_no_match_exits_1_with_suggestion(search_env):
    code, data, _ = search("quantm gatewy entropyy", "--root", ROOT, env=search_env)
    assert code == 0 and data["results"]  # typos still find the gateway runbook
    code, data, _ = search("zzqxj", "--root", ROOT, env=search_env)
    assert code == 1 and data["results"] == []


def test_snippet_marks_matched_words(search_env):
    _, data, _ = search("wallet not detected", "--root", ROOT, env=search_env)
    top = data["results"][0]
    assert top["id"] == "anya-wallet-connection-failures"
    assert "**" in top["snippet"]


def test_index_lives_outside_the_site_and_rebuilds_on_change(tmp_path):
    kb = write_kb(tmp_path / "kb")
    code, data, _ = search("gateway", "--root", kb)
    assert code == 0 and (kb / ".kbgen" / "search-internal" / "kbgen-fingerprint").exists()
    stamp = (kb / ".kbgen" / "search-internal" / "kbgen-fingerprint").read_text()
    # unchanged content: the index is reused
    search("gateway", "--root", kb)
    assert (kb / ".kbgen" / "search-internal" / "kbgen-fingerprint").read_text() == stamp
    rb = kb / "runbooks" / "internal-rb.yaml"
    rb.write_text(rb.read_text().replace("Internal procedure", "Flux capacitor procedure"))
    os.utime(rb, (time.time() + 5, time.time() + 5))
    _, data, _ = search("flux capacitor", "--root", kb)
    assert data["results"][0]["id"] == "internal-rb"


def test_text_output_and_usage_errors(tmp_path):
    kb = write_kb(tmp_path / "kb")
    proc = run_kbgen("search", "gateway", "--root", kb)
    assert proc.returncode == 0 and "Gateway timeouts  [runbook]" in proc.stdout
    assert run_kbgen("search", "x", "--root", kb, "--product", "nope").returncode == 2
    assert run_kbgen("search", "x", "--root", kb, "--type", "nope").returncode == 2
