"""`kbgen search` through the command line, on the example KB and fixtures."""
from __future__ import annotations

import json
import os
import time

import pytest

from kbfactory import MKDOCS, ROOT, run_kbgen, write_kb


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


EXTRA = {
    "content/faq.yaml": """\
        kind: faq
        id: faq
        title: Questions
        audience: public
        questions:
          - {q: How do I rotate my API token?, a: Open settings and press *Rotate*.}
          - {id: quotas, q: What are the request quotas?, a: A hundred requests a minute per key.}
        """,
    "runbooks/md-rb.md": """\
        ---
        audience: internal
        ---
        # Disk cleanup

        ## Symptoms

        Writes fail.

        ## Diagnosis

        ```bash
        journalctl --vacuum-size=200M
        ```

        ## Resolution

        Free space.
        """,
}


def test_faq_question_links_to_its_answer(tmp_path):
    kb = write_kb(tmp_path / "kb", EXTRA)
    _, data, _ = search("request quotas", "--root", kb)
    top = data["results"][0]
    assert (top["id"], top["type"], top["title"]) == ("faq", "faq", "What are the request quotas?")
    assert top["url"] == "https://kb.test/faq/#quotas"
    assert [r["id"] for r in data["results"]].count("faq") == 1  # one result per entity


def test_priority_id_and_commands_in_code_blocks(tmp_path):
    kb = write_kb(tmp_path / "kb", EXTRA)
    _, data, _ = search("p1", "--root", kb)
    assert data["results"][0]["id"] == "sla"
    _, data, _ = search("journalctl vacuum", "--root", kb)
    assert data["results"][0]["id"] == "md-rb"


@pytest.mark.parametrize("q", ["AND", "title:gateway OR", "gate*", "(((", '"unclosed', "NOT", "~2", "é 日本"])
def test_query_syntax_is_just_text(tmp_path_factory, q):
    kb = tmp_path_factory.getbasetemp() / "syntax-kb"
    if not kb.exists():
        write_kb(kb)
    proc = run_kbgen("search", "--root", kb, "--json", "--", q)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert json.loads(proc.stdout)["query"] == q


def test_default_audience_follows_the_plugin_option(tmp_path):
    kb = write_kb(tmp_path / "kb", mkdocs=MKDOCS.replace("      default_audience: internal\n",
                                                         "      default_audience: internal\n      audience: public\n"))
    _, data, _ = search("internal procedure restart", "--root", kb)
    assert "internal-rb" not in [r["id"] for r in data["results"]]
    assert (kb / ".kbgen" / "search-public").is_dir() and not (kb / ".kbgen" / "search-internal").exists()
    _, data, _ = search("internal procedure restart", "--root", kb, "--audience", "internal")
    assert data["results"][0]["id"] == "internal-rb"


def test_damaged_index_is_rebuilt_and_unwritable_dir_is_a_clear_error(tmp_path):
    kb = write_kb(tmp_path / "kb")
    assert search("gateway", "--root", kb)[0] == 0
    for f in (kb / ".kbgen" / "search-internal").glob("*.toc"):
        f.unlink()
    code, data, _ = search("gateway", "--root", kb)
    assert code == 0 and data["results"]
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    proc = run_kbgen("search", "gateway", "--root", kb, env={"KBGEN_SEARCH_DIR": str(blocker / "idx")})
    assert proc.returncode == 2 and "cannot write the search index" in proc.stderr and "Traceback" not in proc.stderr


def test_typos_are_corrected_and_suggested(tmp_path):
    kb = write_kb(tmp_path / "kb")
    code, data, _ = search("gatewya timeuot", "--root", kb)
    assert code == 0 and data["results"][0]["id"] == "errors:QT-001"
    assert data["suggestion"] == "gateway timeout"
    code, data, _ = search("gateway", "--root", kb)
    assert data["suggestion"] is None  # nothing to correct
    proc = run_kbgen("search", "timeuot zzqx", "--root", kb, "--type", "sla")
    assert proc.returncode == 1
    assert proc.stdout.strip() == "No results for 'timeuot zzqx'. Did you mean: timeout zzqx?"


def test_public_index_never_answers_with_internal_content(tmp_path):
    """Every labelled query, plus code-only and empty-ish ones, against the public index of the example KB."""
    from test_relevance import QUERIES

    from kbgen.audience import for_audience
    from kbgen.config import load_config
    from kbgen.search.service import Searcher, ensure_index
    from kbgen.validate import validate_config
    cfg = load_config(ROOT, overrides={"search_dir": str(tmp_path)})
    kb, _ = validate_config(cfg)
    public = set(for_audience(kb, "public").entities)
    internal = set(kb.entities) - public
    assert internal
    path, _ = ensure_index(cfg, "public")
    s = Searcher(path)
    try:
        for q in [item["q"] for item in QUERIES] + ["quantum gateway unreachable", "incident", "tier3", "on-call"]:
            ids = {h.id for h in s.query(q, limit=100).results}
            assert ids <= public, (q, ids & internal)
    finally:
        s.close()
