"""Every path on the command line is relative to the current directory, for
every command (the build guard, which uses the same KB, is in test_build.py).

Each command runs twice on the same KB: from inside it (paths like `.` and
`pub`) and from elsewhere (paths like `c1` and `c1/pub`, or `../../work/c1`);
the outputs must be the same and nothing may be left anywhere else."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kbfactory import run_kbgen, tree

TODAY = {"KBGEN_TODAY": "2026-06-01"}


def files(root: Path) -> set[str]:
    """Relative paths of the files."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def html_pages(site: Path) -> int:
    return sum(1 for p in site.rglob("*.html") if p.name != "404.html")


def _outside(work: Path) -> Path:
    return work.parent / "elsewhere" / "deep"


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_build_site_dir_relative_to_the_working_directory(work, audience):
    kb = work / "c1"
    before = tree(work.parent)
    run_kbgen("build", ".", "--audience", audience, "--site-dir", "in", "-q", cwd=kb, check=True)
    proc = run_kbgen("build", "c1", "--audience", audience, "--site-dir", "c1/pub", cwd=work, check=True)
    assert "Built the" in proc.stdout and "c1/pub" in proc.stdout
    run_kbgen("build", "../../work/c1", "--audience", audience, "--site-dir", "far", "-q",
              cwd=_outside(work), check=True)
    inside, pub, far = kb / "in", kb / "pub", _outside(work) / "far"
    assert files(pub) == files(inside) == files(far)
    assert html_pages(pub) == html_pages(inside) > 5
    assert (pub / "index.html").is_file() and (pub / "kb.json").is_file()
    # the pages the model expects: every kb.json entity's page is there, as HTML
    entities = json.loads((pub / "kb.json").read_text())["entities"]
    paths = {e["path"] for e in entities}
    assert len(paths) >= 3
    for path in paths:
        assert (pub / path / "index.html").is_file() or (pub / path.rstrip("/")).is_file(), path
    # nothing else appeared anywhere: no c1/c1, no .pub.building-*, no stage folders
    added = tree(work.parent) - before
    allowed = ("work/c1/in/", "work/c1/pub/", "elsewhere/deep/far/", "work/c1/in", "work/c1/pub", "elsewhere/deep/far")
    stray = sorted(p for p in added if not p.startswith(allowed))
    assert stray == []


def test_default_site_dir_is_inside_root_whatever_the_working_directory(work):
    run_kbgen("build", "c1", "-q", cwd=work, check=True)
    assert (work / "c1" / "site" / "index.html").is_file()
    assert not (work / "site").exists()


def test_export_schema_report_validate_search_from_another_directory(work):
    kb = work / "c1"
    out = _outside(work)
    rel = "../../work/c1"
    # export --out
    run_kbgen("export", ".", "--format", "jsonl", "--out", "records.jsonl", cwd=kb, env=TODAY, check=True)
    run_kbgen("export", rel, "--format", "jsonl", "--out", "records.jsonl", cwd=out, env=TODAY, check=True)
    assert (out / "records.jsonl").read_text() == (kb / "records.jsonl").read_text()
    assert len((out / "records.jsonl").read_text().splitlines()) >= 3
    # schema --out
    run_kbgen("schema", "--out", "s", cwd=kb, check=True)
    run_kbgen("schema", "--out", "s", cwd=out, check=True)
    assert files(out / "s") == files(kb / "s") and "runbook.schema.json" in files(out / "s")
    # validate and report: same answer from anywhere
    for args in (("validate", "--format", "json"), ("report", "--format", "json")):
        a = run_kbgen(args[0], ".", *args[1:], cwd=kb, env=TODAY)
        b = run_kbgen(args[0], rel, *args[1:], cwd=out, env=TODAY)
        assert (a.returncode, json.loads(a.stdout)) == (b.returncode, json.loads(b.stdout))
    # search: ROOT first, and the hidden --root alias; the index stays in the KB
    a = run_kbgen("search", ".", "example", "--json", cwd=kb)
    b = run_kbgen("search", rel, "example", "--json", cwd=out)
    c = run_kbgen("search", "--root", rel, "example", "--json", cwd=out)
    assert a.returncode == b.returncode == c.returncode == 0, b.stderr
    hits = [[h["id"] for h in json.loads(p.stdout)["results"]] for p in (a, b, c)]
    assert hits[0] == hits[1] == hits[2] and hits[0]
    assert not (out / ".kbgen").exists()
    # new: ROOT first; the file lands in the KB, named from its root
    proc = run_kbgen("new", rel, "runbook", "Disk full", cwd=out, env=TODAY, check=True)
    assert proc.stdout.strip() == "runbooks/disk-full.yaml"
    assert (kb / "runbooks" / "disk-full.yaml").is_file() and not (out / "runbooks").exists()
    # init DIR relative to the working directory
    run_kbgen("init", "kb2", "--no-git", cwd=out, check=True)
    assert (out / "kb2" / "mkdocs.yml").is_file()


def test_serve_a_relative_root_from_another_directory(work):
    import socket
    import time
    import urllib.request
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "kbgen.cli", "serve", "../../work/c1", "--audience", "internal",
                             "-a", f"127.0.0.1:{port}"],
                            cwd=_outside(work), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body = None
        deadline = time.time() + 60
        while time.time() < deadline and not body:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/runbooks/example-runbook/", timeout=2) as r:
                    body = r.read().decode()
            except OSError:
                time.sleep(0.5)
        assert body is not None, "the served page never appeared"
        assert "<title>The service does not answer" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert tree(_outside(work)) == set()  # serve left nothing where it ran


# --- the guard: a renderer that writes elsewhere or nothing -------------------


def test_stage_out_relative_to_the_working_directory(work):
    kb = work / "c1"
    before = tree(work.parent)
    run_kbgen("stage", ".", "--out", "proj", "-q", cwd=kb, check=True)
    run_kbgen("stage", "c1", "--out", "c1/proj2", "-q", cwd=work, check=True)
    run_kbgen("stage", "../../work/c1", "--out", "proj3", "-q", cwd=_outside(work), check=True)
    a, b, c = kb / "proj", kb / "proj2", _outside(work) / "proj3"
    assert files(a) == files(b) == files(c)
    assert "mkdocs.yml" in files(a) and sum(1 for f in files(a) if f.endswith(".md")) >= 5
    added = {p.split("/")[0] + "/" + p.split("/")[1] + "/" + p.split("/")[2] for p in tree(work.parent) - before
             if p.count("/") >= 2}
    assert added == {"work/c1/proj", "work/c1/proj2", "elsewhere/deep/proj3"}


def test_adopt_root_relative_to_the_working_directory(tmp_path):
    pytest.importorskip("kbgen.commands.adopt", reason="kbgen adopt has not landed")
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (repo / "docs" / "index.md").write_text("# Team docs\n\nHello.\n")
    (repo / "docs" / "restart.md").write_text("# Restart the gateway\n\nRun it again.\n")
    twin = tmp_path / "elsewhere" / "repo"
    shutil.copytree(repo, twin)
    inside = run_kbgen("adopt", ".", cwd=repo)
    outside = run_kbgen("adopt", "repo", cwd=tmp_path / "elsewhere")
    assert inside.returncode == outside.returncode == 0, inside.stderr + outside.stderr
    assert files(repo) == files(twin) and len(files(repo)) > 2  # it wrote its configuration into ROOT
    for rel in files(repo) - {"docs/index.md", "docs/restart.md"}:
        assert (repo / rel).read_text() == (twin / rel).read_text(), rel
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == ["repo"]
