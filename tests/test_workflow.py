"""Writers' workflow: new, init, report, pre-commit and CI workflow files."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kbfactory import ROOT, json_problems, run_kbgen, write_kb

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


def test_new_writes_every_kind_of_the_registry_and_a_markdown_runbook(tmp_path):
    """Issue 24, item 13: one file per kind the KB knows (the registry, not a
    list of its own), each loading clean but for its placeholders (KB212), a
    Markdown runbook with the sections the KB requires; clear usage errors."""
    from kbgen.config import load_config
    kb = write_kb(tmp_path / "kb")
    kinds = ["article", *load_config(kb).kinds.names()]
    assert {"runbook", "error-codes", "sla", "tiers", "contacts", "templates", "faq", "alerts"} <= set(kinds)
    for kind in kinds:
        proc = run_kbgen("new", kb, kind, f"New {kind}", env=TODAY)
        assert proc.returncode == 0, (kind, proc.stderr)
    md = run_kbgen("new", kb, "runbook", "Restore from backup", "--format", "md", env=TODAY, check=True)
    assert md.stdout.strip() == "runbooks/restore-from-backup.md"
    text = (kb / "runbooks" / "restore-from-backup.md").read_text()
    assert [line for line in text.splitlines() if line.startswith("## ")] == \
        ["## Symptoms", "## Diagnosis", "## Resolution"]
    proc = run_kbgen("validate", kb, "--format", "json", env=TODAY)
    problems = json_problems(proc)
    assert proc.returncode == 0 and {p["code"] for p in problems} == {"KB212"}, problems
    assert len({p["file"] for p in problems}) == len(kinds) + 1  # every new file has something to replace
    # usage errors say what the kinds are
    bad = run_kbgen("new", kb, "tier", "X")
    assert bad.returncode == 2 and "unknown kind 'tier' (did you mean 'tiers'?)" in bad.stderr
    assert "article, runbook, error-codes" in bad.stderr
    assert "(got" not in run_kbgen("new", "tiers", "x", cwd=tmp_path).stderr
    fmt = run_kbgen("new", kb, "faq", "X", "--format", "md")
    assert fmt.returncode == 2 and "only a runbook comes in two formats" in fmt.stderr


def test_new_refuses_taken_id_and_bad_input(tmp_path):
    kb = write_kb(tmp_path / "kb")
    assert run_kbgen("new", "runbook", "X", "--root", kb, "--id", "public-rb").returncode == 1
    assert run_kbgen("new", "runbook", "X", "--root", kb, "--product", "nope").returncode == 2
    assert run_kbgen("new", "widget", "X", "--root", kb).returncode == 2
    assert run_kbgen("new", "article", "X", "--root", kb, "--dir", "../outside").returncode == 2


def test_init_creates_a_kb_that_validates_and_builds(tmp_path):
    target = tmp_path / "newkb"
    proc = run_kbgen("init", target, "--name", "Acme help", "--site-url", "https://help.acme.test/")
    assert proc.returncode == 0, proc.stderr
    for rel in ("mkdocs.yml", "content/index.md", "runbooks/example-runbook.yaml", "overrides/main.html",
                ".github/workflows/pr.yml", ".github/workflows/publish.yml", ".pre-commit-config.yaml", ".gitignore",
                "schemas/runbook.schema.json", "README.md"):
        assert (target / rel).exists(), rel
    assert run_kbgen("validate", target, "--strict").returncode == 0
    site = tmp_path / "site"
    assert run_kbgen("build", target, "--site-dir", site, "--strict", "-q").returncode == 0
    assert "Acme help" in (site / "index.html").read_text()
    assert '<link rel="canonical" href="https://help.acme.test/">' in (site / "index.html").read_text()
    assert "Acme help" in (target / "README.md").read_text()


def test_init_says_what_to_set_before_publishing_and_warns_until_site_url_is_set(tmp_path):
    """Issue 24, items 6, 13, 15: the placeholder site_url never reaches a
    deployed site unnoticed; init's output and the new README say what to do
    once (site_url, Pages source, a private repository) and where the docs are."""
    target = tmp_path / "kb"
    proc = run_kbgen("init", target, "--no-git", "--package", "x")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "README.md there is the writers' guide" in out
    assert "set site_url in mkdocs.yml" in out
    assert 'Settings > Pages > Build and deployment > Source: "GitHub Actions"' in out
    assert "keep the repository private" in out and "writers.md" in out
    readme = (target / "README.md").read_text()
    for said in ("site_url", "Source: **GitHub Actions**", "**private**", "kbgen new runbook", "--format md",
                 "kbgen validate", "kbgen serve", "fields.md"):
        assert said in readme, said
    warned = run_kbgen("validate", target, "--format", "json")
    assert warned.returncode == 0
    assert [(p["file"], p["line"], p["code"]) for p in json_problems(warned)] == [("mkdocs.yml", 2, "KB214")]
    assert run_kbgen("validate", target, "--strict").returncode == 1
    assert run_kbgen("build", target, "--site-dir", tmp_path / "site", "--strict", "-q").returncode == 1
    assert not (tmp_path / "site").exists()


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



SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


@pytest.mark.parametrize("folder", [ROOT / ".github" / "workflows",
                                    ROOT / "src" / "kbgen" / "scaffold" / "kb" / ".github" / "workflows"])
def test_workflows_pin_actions_and_give_pages_rights_to_the_deploy_job_only(folder):
    """Issue 24, items 14-15: every action pinned by commit with its version in
    a comment; the Pages permissions on the deploy job alone; the first-deploy
    setting and the private repository said in the workflow."""
    for name in ("pr.yml", "publish.yml"):
        text = (folder / name).read_text()
        uses = re.findall(r"uses: (.+)", text)
        assert uses and all(SHA_PIN.match(u) for u in uses), [u for u in uses if not SHA_PIN.match(u)]
        flow = yaml.safe_load(text)
        assert flow["permissions"] == {"contents": "read"}
    publish = yaml.safe_load((folder / "publish.yml").read_text())
    assert publish["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert "permissions" not in publish["jobs"]["build"]
    assert 'Source: "GitHub Actions"' in (folder / "publish.yml").read_text()


def test_the_new_kb_publishes_from_its_default_branch(tmp_path):
    """A repository whose default branch is master (git's default on many
    machines) or trunk publishes too: the publish jobs run for the default
    branch, whatever its name, and only for it."""
    kb = tmp_path / "kb"
    run_kbgen("init", kb, "--no-git", "--package", "x", check=True)
    text = (kb / ".github" / "workflows" / "publish.yml").read_text()
    flow = yaml.safe_load(text)
    assert flow[True]["push"] is None  # YAML 1.1 reads `on` as true; no branch filter
    assert flow["jobs"]["build"]["if"] == "github.ref_name == github.event.repository.default_branch"
    assert flow["jobs"]["deploy"]["needs"] == "build"
    assert "private" in text and "private" in (kb / ".github" / "workflows" / "pr.yml").read_text()


def _install_step(workflow: Path) -> str:
    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    steps = [s for job in jobs.values() for s in job.get("steps", [])]
    return next(s["run"] for s in steps if s.get("name") == "Install kbgen")


def test_init_workflows_install_kbgen_from_a_requirement_not_the_index(tmp_path):
    kb = tmp_path / "kb"
    run_kbgen("init", kb, "--no-git", "--package", "git+https://git.example/org/kbgen@v0.1.0", check=True)
    for name in ("pr.yml", "publish.yml"):
        step = _install_step(kb / ".github" / "workflows" / name)
        assert 'spec="${KBGEN_PACKAGE:-git+https://git.example/org/kbgen@v0.1.0}"' in step
        assert "pip install kbgen" not in step and ":-kbgen}" not in step
    # the step's shell logic with a stand-in pip: the variable wins, then the requirement
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pip").write_text("#!/bin/sh\necho \"pip $*\"\n")
    (fake / "pip").chmod(0o755)
    env = dict(os.environ, PATH=f"{fake}:{os.environ['PATH']}")
    step = _install_step(kb / ".github" / "workflows" / "pr.yml")
    out = subprocess.run(["bash", "-c", step], env=dict(env, KBGEN_PACKAGE=""), capture_output=True, text=True)
    assert out.stdout.strip() == "pip install git+https://git.example/org/kbgen@v0.1.0"
    out = subprocess.run(["bash", "-c", step], env=dict(env, KBGEN_PACKAGE="/wheels/kbgen.whl"),
                         capture_output=True, text=True)
    assert out.stdout.strip() == "pip install /wheels/kbgen.whl"


def test_init_without_a_requirement_fails_ci_with_what_to_set(tmp_path):
    kb = tmp_path / "kb"
    proc = run_kbgen("init", kb, "--no-git", "--package", "")
    assert proc.returncode == 0
    assert "KBGEN_PACKAGE" in proc.stderr  # init says it too
    step = _install_step(kb / ".github" / "workflows" / "publish.yml")
    out = subprocess.run(["bash", "-c", step], env=dict(os.environ, KBGEN_PACKAGE=""), capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stdout.startswith("::error title=kbgen not configured::kbgen is not on PyPI. Set the repository "
                                 "variable KBGEN_PACKAGE")


def test_new_placeholders_fail_strict_until_replaced(tmp_path):
    kb = write_kb(tmp_path / "kb")
    rel = run_kbgen("new", kb, "runbook", "Payment webhook failures", env=TODAY, check=True).stdout.strip()
    assert rel == "runbooks/payment-webhook-failures.yaml"
    art = run_kbgen("new", kb, "article", "How to reset 2FA", env=TODAY, check=True).stdout.strip()
    assert run_kbgen("validate", kb, env=TODAY).returncode == 0  # loads fine
    strict = run_kbgen("validate", kb, "--strict", "--format", "json", env=TODAY)
    assert strict.returncode == 1
    flagged = sorted((p["file"], p["line"]) for p in json_problems(strict) if p["code"] == "KB212")
    assert flagged == [(art, 4), (art, 13), (rel, 5), (rel, 11), (rel, 14), (rel, 15), (rel, 17), (rel, 19)]
    # filled in: clean
    path = kb / rel
    path.write_text(path.read_text()
                    .replace("One line on when to use this runbook.", "Webhooks from the payment provider stop.")
                    .replace("What the customer or the alert reports", "Orders stay pending")
                    .replace('echo "replace with the command to run"', "curl -s https://pay.example/health")
                    .replace("What a healthy system shows", "HTTP 200")
                    .replace("Describe the fix", "Replay failed deliveries")
                    .replace("How to prove it is fixed", "A test payment completes"))
    (kb / art).unlink()
    assert run_kbgen("validate", kb, "--strict", env=TODAY).returncode == 0


@pytest.mark.parametrize("title", ["", "   "])
def test_new_refuses_an_empty_title(tmp_path, title):
    kb = write_kb(tmp_path / "kb")
    before = sorted(p.relative_to(kb) for p in kb.rglob("*"))
    proc = run_kbgen("new", "runbook", title, cwd=kb)
    assert proc.returncode == 2
    assert "give the runbook a title" in proc.stderr
    assert sorted(p.relative_to(kb) for p in kb.rglob("*")) == before
    assert run_kbgen("new", "runbook", cwd=kb).returncode == 2


def test_new_says_when_it_writes_schemas(tmp_path):
    kb = write_kb(tmp_path / "kb")
    first = run_kbgen("new", kb, "runbook", "One", env=TODAY, check=True)
    assert "wrote the editor schemas in schemas/" in first.stderr
    assert (kb / "schemas" / "runbook.schema.json").is_file()
    second = run_kbgen("new", kb, "runbook", "Two", env=TODAY, check=True)
    assert "schemas" not in second.stderr  # up to date: nothing written, nothing said
    (kb / "schemas" / "runbook.schema.json").write_text("{}")
    third = run_kbgen("new", kb, "runbook", "Three", env=TODAY, check=True)
    assert "updated the editor schemas in schemas/" in third.stderr


def test_init_runs_git_init_and_matches_the_example(tmp_path):
    target = tmp_path / "kb"
    proc = run_kbgen("init", target, "--package", "x", env={"GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig")})
    assert proc.returncode == 0, proc.stderr
    assert (target / ".git").is_dir()
    # main, whatever git's own default is (master here: no init.defaultBranch in the empty config)
    head = subprocess.run(["git", "-C", str(target), "symbolic-ref", "--short", "HEAD"], capture_output=True, text=True)
    assert head.stdout.strip() == "main" and "branch main" in proc.stdout
    run_kbgen("init", tmp_path / "kb3", "--branch", "trunk", "--package", "x", check=True)
    head = subprocess.run(["git", "-C", str(tmp_path / "kb3"), "symbolic-ref", "--short", "HEAD"],
                          capture_output=True, text=True)
    assert head.stdout.strip() == "trunk"
    assert run_kbgen("init", tmp_path / "kb4", "--branch", "a b").returncode == 2
    status = subprocess.run(["git", "-C", str(target), "status", "--porcelain"], capture_output=True, text=True)
    assert status.returncode == 0 and "mkdocs.yml" in status.stdout
    assert yaml.safe_load((target / "mkdocs.yml").read_text())["theme"]["font"] is False
    assert not (tmp_path / "kb2").exists()
    run_kbgen("init", tmp_path / "kb2", "--no-git", "--package", "x", check=True)
    assert not (tmp_path / "kb2" / ".git").exists()


def test_init_into_a_non_empty_folder_says_what_to_do(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    proc = run_kbgen("init", tmp_path)
    assert proc.returncode == 2  # a usage error
    assert "is not empty" in proc.stderr and "kbgen init my-kb" in proc.stderr
    assert f"kbgen adopt {tmp_path}" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_report_wording(tmp_path):
    kb = write_kb(tmp_path / "kb")
    text = run_kbgen("report", kb, env=TODAY).stdout
    assert "Runbooks not linked from any error code or alert: 1" in text
    assert "no error code or alert points to" not in text


def test_init_next_steps_work_as_printed_when_kbgen_is_not_on_path(tmp_path):
    kbgen = Path(sys.executable).parent / "kbgen"
    env = dict(os.environ, PATH="/usr/bin:/bin")  # the venv's bin/ is not on PATH, as in a new shell
    proc = subprocess.run([str(kbgen), "init", "kb", "--no-git", "--package", "x"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    steps = proc.stdout.strip().splitlines()[-2:]
    assert steps == [f"  {kbgen.resolve()} validate", f"  {kbgen.resolve()} serve"]
    check = subprocess.run(steps[0].split(), cwd=tmp_path / "kb", env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
