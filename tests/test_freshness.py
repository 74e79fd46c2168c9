"""Freshness (KB601): time alone never turns green red. Overdue reviews are
reported, never failing unless asked (--fail-on-overdue), even with --strict;
internal readers see a note under the title; on a pull request the notices
go on the files it touches."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess

import pytest
from bs4 import BeautifulSoup

from kbfactory import ROOT, json_problems, run_kbgen, write_kb

TODAY = {"KBGEN_TODAY": "2026-06-01"}
TEN_YEARS = {"KBGEN_TODAY": (dt.date.today() + dt.timedelta(days=3653)).isoformat()}



def test_example_ten_years_ahead_validates_strict_and_reports_overdue_pages():
    proc = run_kbgen("validate", ROOT, "--strict", "--format", "json", env=TEN_YEARS)
    assert proc.returncode == 0, proc.stdout[-2000:]
    problems = json_problems(proc)
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
