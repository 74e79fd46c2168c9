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
    """`kbgen search ... --json`: internal unless the test says (the default is public)."""
    if "--audience" not in args:
        args = (*args, "--audience", "internal")
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


def _repeats(text: str) -> list[str]:
    """Runs of 3+ words said twice in a row ("Time synchronization issues Time synchronization issues")."""
    words = text.split()
    out = []
    for n in range(3, len(words) // 2 + 1):
        for i in range(len(words) - 2 * n + 1):
            if words[i:i + n] == words[i + n:i + 2 * n]:
                out.append(" ".join(words[i:i + n]))
    return out


@pytest.mark.parametrize("q", ["wallet not detected", "time synchronization", "P1 response time", "2fa",
                               "quantum gateway", "disk full", "escalation"])
def test_snippets_are_plain_text_without_repeats(search_env, q):
    """Issue 14 item 9: no literal ** markers, no text said twice."""
    _, data, _ = search(q, "--root", ROOT, env=search_env)
    assert data["results"]
    for r in data["results"]:
        assert "**" not in r["snippet"], r
        assert not _repeats(r["snippet"]), (r["id"], _repeats(r["snippet"]))
    if q == "time synchronization":
        top = data["results"][0]
        assert top["id"] == "anya-two-factor-authentication"
        assert top["snippet"].count("Time synchronization issues") == 1


def test_wallet_snippet_shows_the_matched_symptom(search_env):
    _, data, _ = search("wallet not detected", "--root", ROOT, env=search_env)
    top = data["results"][0]
    assert top["id"] == "anya-wallet-connection-failures"
    assert "Wallet not detected" in top["snippet"]


def test_index_lives_outside_the_site_and_rebuilds_on_change(tmp_path):
    kb = write_kb(tmp_path / "kb")
    # files written long enough ago for their times to tell (else the index is
    # stamped again once they settle, which a slow first search may see)
    past = time.time() - 60
    for f in kb.rglob("*"):
        os.utime(f, (past, past))
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
    """Without --audience: the plugin option `audience`, else public (and a note says so)."""
    kb = write_kb(tmp_path / "kb", mkdocs=MKDOCS.replace("      default_audience: internal\n",
                                                         "      default_audience: internal\n      audience: internal\n"))
    proc = run_kbgen("search", "internal procedure restart", "--root", kb, "--json")
    assert json.loads(proc.stdout)["results"][0]["id"] == "internal-rb"
    assert "public content only" not in proc.stderr
    assert (kb / ".kbgen" / "search-internal").is_dir() and not (kb / ".kbgen" / "search-public").exists()
    (kb / "mkdocs.yml").write_text(MKDOCS)
    proc = run_kbgen("search", "internal procedure restart", "--root", kb, "--json")
    assert "internal-rb" not in [r["id"] for r in json.loads(proc.stdout)["results"]]
    assert "kbgen search: public content only (the default); --audience internal includes internal content" \
        in proc.stderr


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
    from kbgen.config import load_config
    from kbgen.model.audience import for_audience
    from kbgen.search.service import Searcher, ensure_index
    from kbgen.validate import validate_config
    from test_relevance import QUERIES
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


# --- issue 14 item 9 and issue 11: search on real content ---------------------------------------


def test_typo_suggestion_is_shown_in_text_output_too(search_env):
    proc = run_kbgen("search", "quantm gatewy", "--root", ROOT, "--limit", "3", env=search_env)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0
    assert lines[0].startswith("Did you mean: quantum gateway?")
    assert lines[1].startswith(" 1. ")  # the results follow


def test_who_to_page_for_a_sev1_finds_on_call_and_contacts(search_env):
    _, data, _ = search("who do I page for a sev1", "--root", ROOT, env=search_env)
    top3 = [r["id"] for r in data["results"][:3]]
    on_call = {"on-call-rotation", "ops-on-call-handoff", "mwrasp-contacts", "ops-contacts"}
    assert on_call & set(top3), top3
    assert {r["type"] for r in data["results"][:5]} & {"contacts", "article", "runbook"}


def test_paging_vocabulary_is_data_the_kb_can_replace(tmp_path):
    """The sev1/page synonyms come from the shipped data file: a KB that replaces
    the defaults loses them, a KB that adds its own gains them."""
    files = {"content/oncall.md": "---\naudience: public\n---\n# On-call rotation\n\nThe on-call engineer answers.\n"}
    kb = write_kb(tmp_path / "kb", files)
    _, data, _ = search("page sev1", "--root", kb)
    assert "oncall" in [r["id"] for r in data["results"][:2]]  # beside the SLA's P1 (sev1 is P1)
    mk = MKDOCS.replace("      default_audience: internal\n", "      default_audience: internal\n      synonyms: synonyms.yaml\n")
    kb2 = write_kb(tmp_path / "kb2", {**files, "synonyms.yaml": "replace_defaults: true\nexpand:\n  flux: [gateway]\n"},
                   mkdocs=mk)
    code, data, _ = search("page sev1", "--root", kb2)
    assert "oncall" not in [r["id"] for r in data["results"]]
    _, data, _ = search("flux", "--root", kb2)
    assert data["results"][0]["id"] in ("public-rb", "errors:QT-001")
    (kb2 / "synonyms.yaml").write_text("expand: [not, a, mapping\n")
    proc = run_kbgen("search", "flux", "--root", kb2)
    assert proc.returncode == 2 and "synonyms.yaml:" in proc.stderr and "Traceback" not in proc.stderr


def test_product_filter_keeps_runbooks(search_env):
    _, data, _ = search("login", "--root", ROOT, "--product", "mwrasp", env=search_env)
    ids = [r["id"] for r in data["results"]]
    assert "mwrasp-authentication-failure" in ids[:3], ids
    assert not [i for i in ids if i.startswith("anya-")]  # other products' pages stay out
    _, data, _ = search("login", "--root", ROOT, "--product", "mwrasp", "--type", "runbook", env=search_env)
    assert data["results"][0]["id"] == "mwrasp-authentication-failure"


TIME_OUT = {
    "runbooks/slow-upload.yaml": """\
        kind: runbook
        id: slow-upload
        title: Uploads fail
        audience: public
        symptoms: [Large uploads time out after a minute]
        resolution: [Raise the proxy's read limit]
        """,
    "runbooks/socket.yaml": """\
        kind: runbook
        id: socket
        title: Sockets close early
        audience: public
        symptoms: [The socket hits its timeout]
        resolution: [Raise the keep-alive]
        """,
}


def test_timeout_also_matches_time_out(tmp_path):
    kb = write_kb(tmp_path / "kb", TIME_OUT)
    _, data, _ = search("timeout", "--root", kb)
    ids = [r["id"] for r in data["results"]]
    assert "slow-upload" in ids and "socket" in ids
    assert ids.index("socket") < ids.index("slow-upload")
    _, data, _ = search("time out", "--root", kb)
    ids = [r["id"] for r in data["results"]]
    assert "slow-upload" in ids and "socket" in ids
    assert ids.index("slow-upload") < ids.index("socket")  # the words as typed rank first


def test_sla_hit_snippet_shows_the_target_asked_for(tmp_path):
    kb = write_kb(tmp_path / "kb")
    _, data, _ = search("P2 resolution time", "--root", kb)
    top = data["results"][0]
    assert top["id"] == "sla" and top["url"] == "https://kb.test/sla/#p2"
    assert "P2 phone: response 1 hour, resolution 8 hours" in top["snippet"], top["snippet"]
    assert "critical" not in top["snippet"].lower()  # not every priority's name


IDENTIFIERS = {
    "runbooks/node-fs.md": """\
        ---
        id: node-fs
        audience: public
        alerts: [NodeFilesystemAlmostOutOfSpace]
        ---
        # NodeFilesystemAlmostOutOfSpace

        ## Symptoms

        The alert fires at 95% use.

        ## Diagnosis

        Run `df -h`.

        ## Resolution

        Delete old files.
        """,
    "content/space.md": """\
        ---
        audience: public
        ---
        # Space planning for a node

        Almost every filesystem runs out of space one day: plan the space of each node.
        """,
    "content/pg.md": """\
        ---
        audience: public
        ---
        # Stuck queries

        Look at `pg_stat_activity` for queries waiting on a lock.
        """,
    "content/pg-decoy.md": """\
        ---
        audience: public
        ---
        # Statistics activity

        The pg stat pages list activity; stat counters show pg activity and more stat activity.
        """,
}


def test_identifiers_are_indexed_as_words_and_exact_names_rank_first(tmp_path):
    kb = write_kb(tmp_path / "kb", IDENTIFIERS)
    _, data, _ = search("node filesystem almost out of space", "--root", kb)
    assert data["results"][0]["id"] == "node-fs", [r["id"] for r in data["results"]]
    _, data, _ = search("NodeFilesystemAlmostOutOfSpace", "--root", kb)
    assert data["results"][0]["id"] == "node-fs"
    _, data, _ = search("pg_stat_activity", "--root", kb)
    ids = [r["id"] for r in data["results"]]
    assert ids[0] == "pg" and "pg-decoy" in ids  # exact name first; its words still find the decoy
    _, data, _ = search("pg stat activity", "--root", kb)
    assert {"pg", "pg-decoy"} <= {r["id"] for r in data["results"]}


DISK = {
    "runbooks/disk.yaml": """\
        kind: runbook
        id: disk
        title: Disk cleanup
        audience: public
        symptoms: [The disk is at 100%]
        resolution: [Delete old logs]
        """,
    "content/reference/sys.yaml": """\
        kind: error-codes
        id: sys
        title: System errors
        audience: public
        codes:
          - {code: ENOSPC, message: No space left on device}
        """,
}


def test_synonyms_add_alternatives_and_never_drop_the_words_typed(tmp_path):
    kb = write_kb(tmp_path / "kb", DISK)
    _, data, _ = search("disk full", "--root", kb)
    ids = [r["id"] for r in data["results"]]
    assert ids[0] == "disk"  # the reader's word "disk" ranks above the synonym's match
    assert "sys:ENOSPC" in ids  # and the synonym added "no space left on device"


ALERTS = {
    "content/alerts.yaml": """\
        kind: alerts
        id: alerts
        title: Alerts
        audience: public
        alerts:
          - {name: GatewayDown, condition: "up == 0", severity: P1, runbook: public-rb}
          - {name: DiskPressure, condition: "disk > 0.9", severity: P2, description: Volumes nearly full.}
        """,
}


def test_catalogue_hits_link_to_the_entry_anchor(tmp_path):
    kb = write_kb(tmp_path / "kb", {**ALERTS, **EXTRA})
    _, data, _ = search("DiskPressure", "--root", kb)
    top = data["results"][0]
    assert (top["id"], top["type"]) == ("alerts", "alerts")
    assert top["url"] == "https://kb.test/alerts/#diskpressure" and top["title"] == "DiskPressure"
    _, data, _ = search("disk pressure", "--root", kb)
    assert data["results"][0]["url"] == "https://kb.test/alerts/#diskpressure"
    _, data, _ = search("rotate API token", "--root", kb)
    assert data["results"][0]["url"].startswith("https://kb.test/faq/#")
    _, data, _ = search("QT-001", "--root", kb)
    assert data["results"][0]["url"] == "https://kb.test/reference/errors/#qt-001"


def test_markdown_alert_catalogue_entries_link_to_their_heading(tmp_path):
    mk = MKDOCS.replace("      default_audience: internal\n",
                        "      default_audience: internal\n      alert_catalogues: [content/catalogue.md]\n")
    files = {"content/catalogue.md": "---\naudience: public\n---\n# Alerts\n\n## GatewayFlapping\n\n"
                                     "The gateway restarts often.\n\n## QueueStalled\n\nThe queue does not move.\n"}
    kb = write_kb(tmp_path / "kb", files, mkdocs=mk)
    _, data, _ = search("QueueStalled", "--root", kb)
    top = data["results"][0]
    assert (top["id"], top["title"]) == ("catalogue", "QueueStalled")
    assert top["url"] == "https://kb.test/catalogue/#queuestalled"
    _, data, _ = search("queue stalled", "--root", kb)
    assert data["results"][0]["url"] == "https://kb.test/catalogue/#queuestalled"


def test_one_edit_reindexes_only_that_document(tmp_path):
    from kbgen.config import load_config
    from kbgen.search.service import Searcher, refresh_index
    kb = write_kb(tmp_path / "kb", {**EXTRA, **DISK})
    cfg = load_config(kb)
    _, _, first = refresh_index(cfg, "internal")
    assert first.rebuilt and first.changed == first.documents > 5
    _, _, again = refresh_index(cfg, "internal")
    assert again is None  # unchanged: the fingerprint check alone
    rb = kb / "runbooks" / "disk.yaml"
    rb.write_text(rb.read_text().replace("Disk cleanup", "Flux capacitor cleanup"))
    os.utime(rb, (time.time() + 5, time.time() + 5))
    path, _, edit = refresh_index(cfg, "internal")
    assert not edit.rebuilt and (edit.changed, edit.removed) == (1, 0)
    (kb / "content" / "faq.yaml").unlink()
    _, _, gone = refresh_index(cfg, "internal")
    assert gone.changed == 0 and gone.removed == 3  # the FAQ page and its two questions
    s = Searcher(path)
    try:
        assert s.query("flux capacitor").results[0].id == "disk"
        assert "faq" not in {h.id for h in s.query("request quotas", limit=50).results}
    finally:
        s.close()


def test_an_index_of_another_format_is_replaced(tmp_path):
    """An index left by another kbgen version (other tables, other columns) is started afresh."""
    import sqlite3
    kb = write_kb(tmp_path / "kb")
    idx = kb / ".kbgen" / "search-internal"
    idx.mkdir(parents=True)
    db = sqlite3.connect(idx / "index.sqlite")
    db.executescript("CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT); INSERT INTO meta VALUES ('format', '0.0.1/1/internal');"
                     "CREATE VIRTUAL TABLE ftitle USING fts5(title);")
    db.close()
    (idx / "kbgen-fingerprint").write_text("stale")
    code, data, err = search("gateway", "--root", kb)
    assert code == 0 and data["results"][0]["id"] in ("public-rb", "errors:QT-001"), err
