"""Issue 14: what a writer, a newcomer and CI meet every day. One test (or a
few) per numbered item of the issue; serve (item 8) is in test_serve.py and
paths (issue 15) in test_cli_paths.py."""
from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from kbfactory import ROOT, run_kbgen, write_kb

TODAY = {"KBGEN_TODAY": "2026-06-01"}
TEN_YEARS = {"KBGEN_TODAY": (dt.date.today() + dt.timedelta(days=3653)).isoformat()}


def _problems(proc) -> list[dict]:
    return json.loads(proc.stdout)["problems"]


# 1. README's first screen says how to run kbgen after set-up ---------------

def test_readme_first_screen_says_how_to_run_kbgen():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    setup = lines.index("## Set-up: two commands")
    first_screen = "\n".join(lines[: setup + 40])
    assert "source .venv/bin/activate" in first_screen
    assert ".venv/bin/kbgen" in first_screen
    assert "not published on PyPI" in first_screen


# 2. A folder that is not a KB: every command says so, exit 2, leaves nothing --

@pytest.mark.parametrize("args", [["validate"], ["report"], ["export"], ["build"], ["serve"],
                                  ["search", "login"], ["new", "runbook", "Disk full"]])
def test_commands_in_a_folder_that_is_not_a_kb(tmp_path, args):
    proc = run_kbgen(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "is not a knowledge base" in proc.stderr or "no mkdocs.yml in" in proc.stderr
    assert "kbgen init" in proc.stderr  # says what to do
    assert "Traceback" not in proc.stderr and "All checks passed" not in proc.stdout
    assert list(tmp_path.iterdir()) == []  # no .kbgen/, no schemas/, no site/


def test_a_folder_with_content_but_no_mkdocs_yml_still_validates(tmp_path):
    write_kb(tmp_path, mkdocs=None)
    assert run_kbgen("validate", tmp_path, env=TODAY).returncode in (0, 1)  # checked, not refused
    assert "not a knowledge base" not in run_kbgen("validate", tmp_path, env=TODAY).stderr


# 3. Freshness: time alone never turns green red ------------------------------

def test_example_ten_years_ahead_validates_strict_and_reports_overdue_pages():
    proc = run_kbgen("validate", ROOT, "--strict", "--format", "json", env=TEN_YEARS)
    assert proc.returncode == 0, proc.stdout[-2000:]
    problems = _problems(proc)
    overdue = {p["file"] for p in problems if p["code"] == "KB601"}
    assert len(overdue) > 50  # every reviewed page of the example is overdue by then
    assert {p["code"] for p in problems} == {"KB601"}
    text = run_kbgen("validate", ROOT, "--strict", env=TEN_YEARS)
    assert text.returncode == 0
    assert f"{len(overdue)} page reviews are overdue (KB601): reported, not failing" in text.stderr
    # teams that want it
    assert run_kbgen("validate", ROOT, "--fail-on-overdue", env=TEN_YEARS).returncode == 1
    # the weekly report lists the same pages
    report = json.loads(run_kbgen("report", ROOT, "--format", "json", env=TEN_YEARS).stdout)
    assert {i["source"] for items in report["stale_by_owner"].values() for i in items} == overdue


@pytest.mark.slow
def test_example_ten_years_ahead_builds_strict_with_a_note_for_internal_readers(tmp_path):
    pub = run_kbgen("build", ROOT, "--audience", "public", "--site-dir", tmp_path / "pub", "--strict", "-q",
                    env=TEN_YEARS)
    assert pub.returncode == 0, pub.stderr[-2000:]
    assert len(re.findall(r"warning KB601 review overdue", pub.stderr)) > 50  # reported
    internal = run_kbgen("build", ROOT, "--audience", "internal", "--site-dir", tmp_path / "int", "--strict", "-q",
                         env=TEN_YEARS)
    assert internal.returncode == 0, internal.stderr[-2000:]
    # the note: under the title of internal pages, never on public ones
    page = BeautifulSoup((tmp_path / "int" / "index.html").read_text(), "html.parser")
    note = page.select_one("article .admonition")
    assert note is not None and note.select_one(".admonition-title").get_text(strip=True) == "Review overdue"
    assert "was due for review on" in note.get_text()
    assert note.find_previous("h1") is not None  # after the title
    noted = [p for p in (tmp_path / "int").rglob("*.html") if "Review overdue" in p.read_text()]
    assert len(noted) > 50
    assert not [p for p in (tmp_path / "pub").rglob("*.html") if "Review overdue" in p.read_text()]
    # --fail-on-overdue: the build fails, before anything is rendered
    failing = run_kbgen("build", ROOT, "--site-dir", tmp_path / "x", "--fail-on-overdue", "-q", env=TEN_YEARS)
    assert failing.returncode == 1 and not (tmp_path / "x").exists()


def test_no_note_when_reviews_are_current(tmp_path):
    kb = write_kb(tmp_path / "kb")
    run_kbgen("build", kb, "--audience", "internal", "--site-dir", tmp_path / "site", "-q", env=TODAY, check=True)
    assert not [p for p in (tmp_path / "site").rglob("*.html") if "Review overdue" in p.read_text()]


# 4. CI workflows: kbgen is not on PyPI ---------------------------------------

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


# 5. kbgen new: placeholders never pass --strict; a title is required ---------

def test_new_placeholders_fail_strict_until_replaced(tmp_path):
    kb = write_kb(tmp_path / "kb")
    rel = run_kbgen("new", kb, "runbook", "Payment webhook failures", env=TODAY, check=True).stdout.strip()
    assert rel == "runbooks/payment-webhook-failures.yaml"
    art = run_kbgen("new", kb, "article", "How to reset 2FA", env=TODAY, check=True).stdout.strip()
    assert run_kbgen("validate", kb, env=TODAY).returncode == 0  # loads fine
    strict = run_kbgen("validate", kb, "--strict", "--format", "json", env=TODAY)
    assert strict.returncode == 1
    flagged = sorted((p["file"], p["line"]) for p in _problems(strict) if p["code"] == "KB212")
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


# 6. All of a file's problems in one pass --------------------------------------

def test_an_error_in_a_block_does_not_hide_the_rest_of_it(tmp_path):
    kb = write_kb(tmp_path / "kb", {"runbooks/rb.yaml": (
        "kind: runbook\nid: rb\ntitle: R\nescalation:\n  to: anya-tier99\n  when: 5\n  after: soon\n  colour: red\n"
        "resolution: [a]\n"),
        "content/reference/more.yaml": (
            "kind: error-codes\nid: more\ntitle: More\ncodes:\n"
            "  - {code: M-1, message: One, causes: 5, runbook: nope-too}\n"
            "  - {code: M-2, message: Two, runbook: nope}\n"
            "  - {code: M-3, message: Three, http_status: lots, runbook: also-nope}\n")})
    proc = run_kbgen("validate", kb, "--format", "json", env=TODAY)
    got = sorted((p["file"], p["line"], p["code"]) for p in _problems(proc))
    assert got == sorted([
        ("runbooks/rb.yaml", 5, "KB306"),   # the tier, checked although `when` and `after` are wrong
        ("runbooks/rb.yaml", 6, "KB203"),
        ("runbooks/rb.yaml", 7, "KB207"),
        ("runbooks/rb.yaml", 8, "KB202"),
        ("content/reference/more.yaml", 5, "KB203"),
        ("content/reference/more.yaml", 5, "KB305"),
        ("content/reference/more.yaml", 6, "KB305"),
        ("content/reference/more.yaml", 7, "KB203"),
        ("content/reference/more.yaml", 7, "KB305"),  # the code with a bad http_status keeps its runbook check
    ])


# 7. Hints list the valid ids ---------------------------------------------------

def test_unknown_tier_and_unknown_error_code_hints(tmp_path):
    kb = write_kb(tmp_path / "kb", {"runbooks/rb.yaml": (
        "kind: runbook\nid: rb\ntitle: R\nerror_codes: [E42]\nescalation: {to: anya-tier99}\nresolution: [a]\n")})
    problems = {p["code"]: p for p in _problems(run_kbgen("validate", kb, "--format", "json", env=TODAY))}
    assert problems["KB306"]["hint"].endswith("Tiers: tier1, tier2, tier3.")
    assert problems["KB303"]["hint"] is not None
    assert "error-code table (errors)" in problems["KB303"]["hint"]
    no_tiers = write_kb(tmp_path / "kb2", {"content/tiers.yaml": None, "runbooks/rb.yaml": (
        "kind: runbook\nid: rb\ntitle: R\nescalation: {to: tier1}\nresolution: [a]\n")})
    hints = [p["hint"] for p in _problems(run_kbgen("validate", no_tiers, "--format", "json", env=TODAY))
             if p["code"] == "KB306"]
    assert hints and set(hints) == {"no tiers file defines any tier"}


# 10. No links outside the repository; a field reference that never drifts ----

def test_docs_link_nothing_outside_the_repository():
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        assert "../shared" not in path.read_text(encoding="utf-8"), path.name
    for path in [ROOT / "README.md", *(ROOT / "docs" / n for n in ("writers.md", "ci.md", "fields.md"))]:
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)", text):
            if "://" in target or target.startswith("mailto:"):
                continue
            assert (path.parent / target).exists(), f"{path.name} links to missing {target}"


def _gen():
    spec = importlib.util.spec_from_file_location("gen_fields_doc", ROOT / "scripts" / "gen_fields_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fields_reference_is_up_to_date_and_complete():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_fields_doc.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    gen = _gen()
    assert gen.missing_notes() == []  # every field of every kind has a meaning
    text = (ROOT / "docs" / "fields.md").read_text()
    from kbgen.outputs.schemas import all_names, kind_schema
    for name in all_names():
        assert f"\n## {name}\n" in text
        section = text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
        for field in kind_schema(name)["properties"]:
            assert f"| `{field}` |" in section, (name, field)
        assert "Example:" in section


def test_fields_reference_check_fails_when_stale(tmp_path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "scripts" / "gen_fields_doc.py", tmp_path / "scripts")
    (tmp_path / "docs" / "fields.md").write_text("# Field reference\n\nold\n")
    proc = subprocess.run([sys.executable, str(tmp_path / "scripts" / "gen_fields_doc.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "out of date" in proc.stderr


def test_every_example_in_the_field_reference_validates(tmp_path):
    kb = tmp_path / "kb"
    run_kbgen("init", kb, "--no-git", "--package", "x", check=True)
    gen = _gen()
    where = {"article": "content/reset-2fa.md", "runbook-markdown": "runbooks/disk-full.md",
             "runbook": "runbooks/payment-webhook-failures.yaml"}
    for kind, text in gen.EXAMPLES.items():
        path = kb / where.get(kind, f"content/{kind}.yaml")
        path.write_text(text, encoding="utf-8")
    proc = run_kbgen("validate", kb, "--strict", "--format", "json")
    assert proc.returncode == 0, proc.stdout
    assert json.loads(proc.stdout)["summary"]["files"] >= len(gen.EXAMPLES) + 3


# 11. The small things ---------------------------------------------------------

def test_home_title_and_error_code_index_and_build_log(tmp_path):
    kb = write_kb(tmp_path / "kb")
    proc = run_kbgen("build", ".", "--audience", "public", "--site-dir", "pub", cwd=kb, env=TODAY)
    assert proc.returncode == 0, proc.stderr
    # the log names the folder the user gave, never the temporary one
    assert ".building-" not in proc.stderr + proc.stdout and ".stage-" not in proc.stderr + proc.stdout
    assert "Built the public site in pub" in proc.stdout
    home = BeautifulSoup((kb / "pub" / "index.html").read_text(), "html.parser")
    assert home.title.get_text() == "Test KB"  # not "Home - Test KB"
    index = BeautifulSoup((kb / "pub" / "error-codes" / "index.html").read_text(), "html.parser")
    rows = {tr.find_all("td")[0].get_text(strip=True): tr.find_all("td")[3] for tr in index.select("article tbody tr")}
    assert rows["QT-001"].get_text(strip=True) == "Gateway timeouts"  # the runbook's title, not its id
    assert rows["QT-001"].a["href"].rstrip("/").endswith("runbooks/public-rb")
    assert rows["429"].get_text(strip=True) == ""


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
    proc = run_kbgen("init", target, "--package", "x")
    assert proc.returncode == 0, proc.stderr
    assert (target / ".git").is_dir()
    status = subprocess.run(["git", "-C", str(target), "status", "--porcelain"], capture_output=True, text=True)
    assert status.returncode == 0 and "mkdocs.yml" in status.stdout
    assert yaml.safe_load((target / "mkdocs.yml").read_text())["theme"]["font"] is False
    assert not (tmp_path / "kb2").exists()
    run_kbgen("init", tmp_path / "kb2", "--no-git", "--package", "x", check=True)
    assert not (tmp_path / "kb2" / ".git").exists()


def test_init_into_a_non_empty_folder_says_what_to_do(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    proc = run_kbgen("init", tmp_path)
    assert proc.returncode == 1
    assert "is not empty" in proc.stderr and "kbgen init my-kb" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_search_and_new_take_root_like_the_other_commands():
    for name in ("search", "new", "validate", "build", "report", "export", "serve"):
        usage = run_kbgen(name, "--help").stdout.split("\n", 1)[0]
        assert "[ROOT]" in usage, usage
    for name in ("search", "new"):
        assert "--root" not in run_kbgen(name, "--help").stdout  # a hidden alias only


def test_every_option_of_every_command_has_help_text():
    import click

    from kbgen.cli import main
    ctx = click.Context(main)
    missing = []
    for name in main.list_commands(ctx):
        cmd = main.get_command(ctx, name)
        assert cmd is not None, name
        assert cmd.help, name
        for param in cmd.params:
            if isinstance(param, click.Option) and not param.hidden and not param.help:
                missing.append(f"{name} {param.opts[-1]}")
    assert missing == []


def test_report_wording(tmp_path):
    kb = write_kb(tmp_path / "kb")
    text = run_kbgen("report", kb, env=TODAY).stdout
    assert "Runbooks not linked from any error code or alert: 1" in text
    assert "no error code or alert points to" not in text


def test_install_script_without_apt_says_what_is_missing(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "id", "cat"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    proc = subprocess.run([str(bin_dir / "bash"), str(ROOT / "scripts" / "install-test-deps.sh")],
                          env={"PATH": str(bin_dir), "HOME": str(tmp_path)}, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "missing: Chromium" in proc.stderr and "no apt-get" in proc.stderr
    assert "KBGEN_SKIP_BROWSER=1" in proc.stderr


def test_the_suite_runs_on_every_core(tmp_path):
    script = (ROOT / "scripts" / "test.sh").read_text()
    assert 'args=(-n "${KBGEN_TEST_WORKERS:-auto}")' in script
    assert 'exec .venv/bin/python -m pytest "${args[@]}" "$@"' in script
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
    (tmp_path / "test_two.py").write_text("def test_a():\n    pass\n\n\ndef test_b():\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "-p", "no:cacheprovider",
                           str(tmp_path / "test_two.py")], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0 and "2 passed" in proc.stdout
    assert re.search(r"created: 2/2 workers|2 workers \[2 items\]", proc.stdout), proc.stdout


def test_overdue_notices_on_a_pull_request_go_on_the_files_it_touches(tmp_path):
    old = "kind: runbook\nid: {id}\ntitle: {id}\nlast_reviewed: 2020-01-01\nresolution: [a]\n"
    kb = write_kb(tmp_path / "kb", {"runbooks/a.yaml": old.format(id="a"), "runbooks/b.yaml": old.format(id="b")})

    def git(*args):
        subprocess.run(["git", "-C", str(kb), *args], check=True, capture_output=True,
                       env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
                                GIT_COMMITTER_EMAIL="t@t"))
    git("init", "-q", "-b", "main")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    git("update-ref", "refs/remotes/origin/main", "HEAD")  # what checkout with fetch-depth 0 gives a PR job
    git("checkout", "-q", "-b", "pr")
    (kb / "runbooks" / "a.yaml").write_text(old.format(id="a").replace("title: a", "title: A, edited"))
    git("commit", "-q", "-am", "edit a")
    pr = run_kbgen("validate", ".", "--format", "github", "--strict", cwd=kb,
                   env={**TODAY, "GITHUB_BASE_REF": "main", "GITHUB_ACTIONS": "true"})
    assert pr.returncode == 0, pr.stdout
    notices = [line for line in pr.stdout.splitlines() if line.startswith("::notice")]
    assert len(notices) == 1 and notices[0].startswith("::notice file=runbooks/a.yaml,line=4,col=16,title=KB601::")
    assert "2 page reviews are overdue" in pr.stderr  # the count still covers the whole KB
    # outside a pull request (a push): every overdue page
    push = run_kbgen("validate", ".", "--format", "github", cwd=kb, env=TODAY)
    assert sum(line.startswith("::notice") for line in push.stdout.splitlines()) == 2


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
