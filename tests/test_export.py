"""`kbgen export`: one record per page section, as OpenSearch bulk NDJSON or
JSON Lines, through the real command line."""
from __future__ import annotations

import json

from kbfactory import ROOT, run_kbgen, write_kb
from kbgen.validate import validate

FIELDS = {"id", "url", "anchor", "hierarchy", "type", "products", "audience", "severity", "tags", "error_codes", "text"}

EXTRA = {
    "content/guide.md": """\
        ---
        audience: public
        products: [prod]
        ---
        # Setup guide

        Read this **first**.

        ## Install the agent {#install}

        Run the installer:

        ```bash
        sudo ./install.sh --mode=full
        ```

        | option | meaning |
        |---|---|
        | `--mode` | what to install |

        ## Check it works

        See [the runbook](../runbooks/public-rb.yaml) and ![a picture](img.png).
        """,
    "content/img.png": b"\x89PNG\r\n\x1a\n",
    "content/faq.yaml": """\
        kind: faq
        id: faq
        title: FAQ
        audience: public
        questions:
          - {q: How do I reset my password?, a: Use the *Forgot password* link.}
          - {id: limits, q: What are the limits?, a: 100 requests a minute.}
        """,
    "runbooks/md-rb.md": """\
        ---
        audience: internal
        error_codes: [429, QT-001]
        severity: P1
        ---
        # Markdown runbook

        ## Symptoms

        Too many requests.

        ## Diagnosis

        Look at the logs.

        ## Resolution

        Wait.
        """,
}


def export(root, *args) -> tuple[int, list[dict], str]:
    proc = run_kbgen("export", root, *args)
    return proc.returncode, [json.loads(x) for x in proc.stdout.splitlines()], proc.stderr


def test_records_per_section(tmp_path):
    root = write_kb(tmp_path / "kb", EXTRA)
    code, docs, _ = export(root, "--format", "jsonl", "--audience", "internal")
    assert code == 0 and all(set(d) == FIELDS for d in docs)
    by_id = {d["id"]: d for d in docs}
    assert len(by_id) == len(docs)
    # an article: the intro, then one record per H2, anchors as on the page
    guide = [d for d in docs if d["id"].startswith("guide")]
    assert [d["id"] for d in guide] == ["guide", "guide#install", "guide#check-it-works"]
    install = by_id["guide#install"]
    assert install["url"] == "https://kb.test/guide/#install" and install["anchor"] == "install"
    assert install["hierarchy"] == ["Setup guide", "Install the agent"] and install["products"] == ["prod"]
    assert "sudo ./install.sh --mode=full" in install["text"]  # code kept, fences gone
    assert "```" not in install["text"] and "|" not in install["text"] and "{#" not in install["text"]
    assert by_id["guide#check-it-works"]["text"] == "See the runbook and a picture ."
    assert by_id["guide"]["anchor"] is None and by_id["guide"]["text"] == "Setup guide Read this first."
    # anchors are the page's own: every record's anchor exists on its page
    kb, _ = validate(root)
    for d in docs:
        ent = kb.entities[d["id"].split("#")[0]]
        assert d["anchor"] is None or d["anchor"] in ent.anchors, d["id"]
    # each code, each question, each runbook section
    assert by_id["errors:QT-001"]["error_codes"] == ["QT-001"]
    assert by_id["errors:QT-001"]["hierarchy"] == ["Errors", "QT-001: Gateway timeout"]
    assert by_id["errors:429"]["url"] == "https://kb.test/reference/errors/#429"
    assert by_id["faq#limits"]["hierarchy"] == ["FAQ", "What are the limits?"]
    assert by_id["faq#how-do-i-reset-my-password"]["text"] == "Use the Forgot password link."
    diag = by_id["public-rb#diagnostics"]
    assert diag["error_codes"] == ["QT-001"] and diag["severity"] == "P2"
    assert "curl https://gw.example/health" in diag["text"]
    assert by_id["public-rb#escalation"]["text"] == "Escalate to Specialists after 30 minutes"
    md = by_id["md-rb#symptoms"]
    assert md["error_codes"] == ["429", "QT-001"] and md["severity"] == "P1" and md["audience"] == "internal"
    assert by_id["sla#p1"]["hierarchy"] == ["SLA", "P1 Critical"]
    assert "tiers#tier2" in by_id


def test_public_export_has_nothing_internal(tmp_path):
    root = write_kb(tmp_path / "kb", EXTRA)
    code, docs, _ = export(root, "--format", "jsonl")  # public is the default
    assert code == 0 and docs
    assert all(d["audience"] == "public" for d in docs)
    text = json.dumps(docs)
    assert "md-rb" not in text and "internal-rb" not in text and "tier2" not in text
    # the escalation of a public runbook to an internal tier does not name it
    assert {d["id"]: d for d in docs}["public-rb#escalation"]["text"] == "Escalate after 30 minutes"


def test_opensearch_bulk_to_a_file(tmp_path):
    root = write_kb(tmp_path / "kb", EXTRA)
    out = tmp_path / "kb.ndjson"
    proc = run_kbgen("export", root, "--format", "opensearch", "--out", out, "--index", "support")
    assert proc.returncode == 0 and proc.stdout == ""
    lines = out.read_text().splitlines()
    assert len(lines) % 2 == 0
    assert f"wrote {len(lines) // 2} records to {out}" in proc.stderr
    actions, docs = [json.loads(a) for a in lines[0::2]], [json.loads(d) for d in lines[1::2]]
    assert actions == [{"index": {"_index": "support", "_id": d["id"]}} for d in docs]


def test_errors_and_usage(tmp_path):
    root = write_kb(tmp_path / "kb", {"runbooks/bad.yaml": "kind: runbook\nid: bad\n"})
    proc = run_kbgen("export", root)
    assert proc.returncode == 1 and "nothing was exported" in proc.stderr and proc.stdout == ""
    assert "Traceback" not in proc.stderr
    proc = run_kbgen("export", root, "--format", "csv")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    proc = run_kbgen("export", tmp_path / "missing")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_example_opensearch_bulk(tmp_path):
    out = tmp_path / "kb.ndjson"
    proc = run_kbgen("export", ROOT, "--format", "opensearch", "--audience", "internal", "--out", out)
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text().splitlines()
    actions, docs = [json.loads(a) for a in lines[0::2]], [json.loads(d) for d in lines[1::2]]
    assert all(a["index"]["_index"] == "kb" for a in actions)
    assert len({d["id"] for d in docs}) == len(docs)  # stable, unique ids
    cause = next(d for d in docs if d["id"] == "quantum-gateway-unreachable#firewall-port-9443")
    assert cause["anchor"] == "firewall-port-9443" and cause["error_codes"] == ["QT-001", "QT-002"]
    assert cause["hierarchy"] == ["Agents cannot connect to the quantum gateway", "Firewall blocking port 9443"]
    assert "firewall-cmd --add-port=9443/tcp --permanent" in cause["text"]
    assert cause["severity"] == "P1" and cause["audience"] == "internal"
    code = next(d for d in docs if d["id"] == "system-errors:ENOSPC")
    assert code["error_codes"] == ["ENOSPC"] and code["url"].endswith("/reference/system-errors/#enospc")


def test_example_public_jsonl_is_deterministic():
    a = run_kbgen("export", ROOT, "--format", "jsonl").stdout
    b = run_kbgen("export", ROOT, "--format", "jsonl").stdout
    assert a == b and a
    assert all(json.loads(x)["audience"] == "public" for x in a.splitlines())


def test_outputs_search_and_export_never_import_mkdocs(tmp_path):
    """They are core: another renderer must be able to take their place."""
    import subprocess
    import sys
    root = write_kb(tmp_path / "kb", EXTRA)
    code = f"""
import sys
from pathlib import Path
from kbgen.model.audience import for_audience
from kbgen.config import load_config
from kbgen.outputs import write_outputs
from kbgen.outputs.export import export
from kbgen.search.service import search
from kbgen.validate import validate
kb, _ = validate(Path({str(root)!r}))
write_outputs(for_audience(kb, "public"), Path({str(tmp_path / "out")!r}))
export(for_audience(kb, "internal"), "opensearch")
assert search(load_config(Path({str(root)!r})), "gateway").results
print(sorted(m for m in sys.modules if m.split(".")[0] in ("mkdocs", "material")))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
