"""kb.json against its schema with a real validator, llms.txt, and the export."""
from __future__ import annotations

import json

import jsonschema

from kbfactory import ROOT, run_kbgen


def test_kb_json_validates_against_its_schema(example_public, example_internal):
    for site in (example_public, example_internal):
        schema = json.loads((site / "kb.schema.json").read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        data = json.loads((site / "kb.json").read_text())
        errors = list(jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(data))
        assert not errors, errors[:3]


def test_kb_json_content(example_public, example_internal):
    pub = json.loads((example_public / "kb.json").read_text())
    intl = json.loads((example_internal / "kb.json").read_text())
    assert pub["generator"].startswith("kbgen ") and pub["site"]["url"] == "https://kb.example.com/"
    types = {e["type"] for e in intl["entities"]}
    assert types == {"runbook", "article", "error-code", "error-table", "sla", "tiers", "contacts", "templates",
                     "faq", "alerts"}
    by_id = {e["id"]: e for e in intl["entities"]}
    qt = by_id["mwrasp-error-codes:QT-001"]
    assert qt["data"]["code"] == "QT-001" and qt["data"]["message"] == "Quantum gateway timeout"
    assert qt["data"]["runbook_url"] == "https://kb.example.com/runbooks/quantum-gateway-unreachable/"
    assert qt["url"] == "https://kb.example.com/reference/mwrasp-error-codes/#qt-001"
    rb = by_id["quantum-gateway-unreachable"]
    assert rb["path"] == "runbooks/quantum-gateway-unreachable/"
    assert rb["data"]["escalation"] == {"to": "tier3", "after": "30m", "after_seconds": 1800,
                                        "when": ["Quantum algorithm issues", "Code-level investigation needed"]}
    sla = by_id["mwrasp-sla"]["data"]
    assert sla["targets"][0]["response_seconds"] == 900 and sla["targets"][0]["resolution_seconds"] == 14400
    # public: nothing internal, and a public code never names its internal runbook
    assert all(e["audience"] == "public" for e in pub["entities"])
    pub_qt = {e["id"]: e for e in pub["entities"]}["mwrasp-error-codes:QT-001"]
    assert "runbook" not in pub_qt["data"] and "runbook_url" not in pub_qt["data"]
    assert "quantum-gateway-unreachable" not in json.dumps(pub)


def test_llms_txt(example_public):
    text = (example_public / "llms.txt").read_text()
    lines = text.splitlines()
    assert lines[0] == "# Support Knowledge Base" and lines[2].startswith("> ")
    assert "## Runbooks" in lines and "## Error codes" in lines
    assert "- [Two-factor authentication problems](https://kb.example.com/runbooks/anya-two-factor-authentication/):" in text
    assert "quantum-gateway-unreachable" not in text


def test_export_opensearch_bulk(tmp_path):
    out = tmp_path / "kb.ndjson"
    proc = run_kbgen("export", ROOT, "--format", "opensearch", "--audience", "internal", "--out", out, "--index", "support")
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text().splitlines()
    assert len(lines) % 2 == 0
    actions, docs = lines[0::2], [json.loads(d) for d in lines[1::2]]
    assert all(json.loads(a)["index"]["_index"] == "support" for a in actions)
    assert [json.loads(a)["index"]["_id"] for a in actions] == [d["id"] for d in docs]
    assert len({d["id"] for d in docs}) == len(docs)  # stable, unique ids
    cause = next(d for d in docs if d["id"] == "quantum-gateway-unreachable#firewall-port-9443")
    assert cause["anchor"] == "firewall-port-9443" and cause["error_codes"] == ["QT-001", "QT-002"]
    assert cause["hierarchy"] == ["Agents cannot connect to the quantum gateway", "Firewall blocking port 9443"]
    assert "firewall-cmd --add-port=9443/tcp --permanent" in cause["text"]
    assert cause["severity"] == "P1" and cause["audience"] == "internal"
    code = next(d for d in docs if d["id"] == "system-errors:ENOSPC")
    assert code["error_codes"] == ["ENOSPC"] and code["url"].endswith("/reference/system-errors/#enospc")


def test_export_jsonl_public_is_deterministic(tmp_path):
    a = run_kbgen("export", ROOT, "--format", "jsonl").stdout
    b = run_kbgen("export", ROOT, "--format", "jsonl").stdout
    assert a == b and a
    docs = [json.loads(x) for x in a.splitlines()]
    assert all(d["audience"] == "public" for d in docs)
