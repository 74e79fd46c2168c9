"""Writers' workflow: new, init, report, pre-commit and CI workflow files."""
from __future__ import annotations

import json
from pathlib import Path

import yaml

from kbfactory import ROOT, run_kbgen, write_kb

TODAY = {"KBGEN_TODAY": "2026-06-01"}


def test_new_scaffolds_valid_files_with_unique_ids(tmp_path):
    kb = write_kb(tmp_path / "kb")
    made = []
    for kind, title in (("runbook", "Gateway timeouts"), ("runbook", "Disk full"), ("article", "How to reset 2FA"),
                        ("error-codes", "Billing errors"), ("sla", "Gold plan SLA")):
        proc = run_kbgen("new", kind, title, "--root", kb, "--product", "prod", env=TODAY)
        assert proc.returncode == 0, proc.stderr
        made.append(kb / proc.stdout.strip())
    # the title "Gateway timeouts" slugs to an id already taken by... nothing: but a second one gets -2
    again = run_kbgen("new", "runbook", "Disk full", "--root", kb, env=TODAY)
    assert again.stdout.strip() == "runbooks/disk-full-2.yaml"
    assert made[0].name == "gateway-timeouts.yaml" and made[2].suffix == ".md"
    text = made[0].read_text()
    assert text.startswith("# yaml-language-server: $schema=../schemas/runbook.schema.json\n")
    assert "last_reviewed: 2026-06-01" in text
    assert (kb / "schemas" / "runbook.schema.json").exists()
    proc = run_kbgen("validate", kb, "--format", "json", env=TODAY)
    assert proc.returncode == 0, proc.stdout
    assert json.loads(proc.stdout)["summary"]["errors"] == 0


def test_new_refuses_taken_id_and_bad_input(tmp_path):
    kb = write_kb(tmp_path / "kb")
    assert run_kbgen("new", "runbook", "X", "--root", kb, "--id", "public-rb").returncode == 1
    assert run_kbgen("new", "runbook", "X", "--root", kb, "--product", "nope").returncode == 2
    assert run_kbgen("new", "widget", "X", "--root", kb).returncode == 2
    assert run_kbgen("new", "article", "X", "--root", kb, "--dir", "../outside").returncode == 2


def test_init_creates_a_kb_that_validates_and_builds(tmp_path):
    target = tmp_path / "newkb"
    proc = run_kbgen("init", target, "--name", "Acme help")
    assert proc.returncode == 0, proc.stderr
    for rel in ("mkdocs.yml", "content/index.md", "runbooks/example-runbook.yaml", "overrides/main.html",
                ".github/workflows/pr.yml", ".github/workflows/publish.yml", ".pre-commit-config.yaml", ".gitignore",
                "schemas/runbook.schema.json"):
        assert (target / rel).exists(), rel
    assert run_kbgen("validate", target, "--strict").returncode == 0
    site = tmp_path / "site"
    assert run_kbgen("build", target, "--site-dir", site, "--strict", "-q").returncode == 0
    assert "Acme help" in (site / "index.html").read_text()
    assert run_kbgen("init", target).returncode == 1  # not empty


def test_report_on_a_fixture(tmp_path):
    kb = write_kb(tmp_path / "kb", {
        "runbooks/old.yaml": "kind: runbook\nid: old\nowner: team-a\nlast_reviewed: 2025-01-01\nresolution: [a]\n",
        "runbooks/soon.yaml": "kind: runbook\nid: soon\nowner: team-b\nlast_reviewed: 2025-06-20\n"
                              "last_tested: 2026-01-01\nresolution: [a]\n",
    })
    proc = run_kbgen("report", kb, "--format", "json", "--today", "2026-06-01")
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    assert [i["id"] for i in r["stale_by_owner"]["team-a"]] == ["old"]
    assert r["stale_by_owner"]["team-a"][0]["due"] == "2026-01-01"
    assert [i["id"] for i in r["due_soon"]] == ["soon"]
    assert [i["code"] for i in r["codes_without_runbook"]] == ["429"]
    assert {i["id"] for i in r["runbooks_not_linked"]} == {"internal-rb", "old", "soon"}
    assert "soon" not in {i["id"] for i in r["runbooks_never_tested"]}
    assert r["pages_per_product"]["prod"] == {"public": 1, "internal": 0}
    text = run_kbgen("report", kb, "--today", "2026-06-01").stdout
    assert "Stale pages (review overdue): 1" in text and "team-a:" in text and "Error codes without a runbook: 1" in text


def test_pre_commit_hook_and_workflows():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["id"] == "kbgen-validate" and hooks[0]["entry"] == "kbgen validate"
    assert hooks[0]["pass_filenames"] is False
    pr = yaml.safe_load((ROOT / ".github" / "workflows" / "pr.yml").read_text())
    steps = " ".join(s.get("run", "") for s in pr["jobs"]["validate-and-build"]["steps"])
    assert "kbgen validate --format github" in steps
    assert "--audience public" in steps and "--audience internal" in steps
    pub = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text())
    assert pub[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads `on` as true
    uses = [s.get("uses", "") for job in pub["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("actions/deploy-pages") for u in uses)
    assert any(u.startswith("actions/upload-artifact") for u in uses)
    scaffold = Path(__file__).resolve().parents[1] / "src" / "kbgen" / "scaffold" / "kb" / ".github" / "workflows"
    assert yaml.safe_load((scaffold / "publish.yml").read_text())["permissions"]["pages"] == "write"
