"""`kbgen stage` (the plain site project every renderer builds) and the
build's safety: what --site-dir may replace, signals, case collisions, the
navigation's budget on KBs of several shapes."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from kbfactory import KBGEN, MKDOCS, ROOT, run_kbgen, site_texts, write_kb
from kbgen.pages.chunks import INDEX_CHUNK


class _Loose(yaml.SafeLoader):
    pass


_Loose.add_multi_constructor("", lambda loader, suffix, node: suffix)  # !!python/name: tags, as text


def staged_config(out: Path) -> dict:
    return yaml.load((out / "mkdocs.yml").read_text(), Loader=_Loose)  # noqa: S506 - SafeLoader subclass


def test_stage_writes_a_plain_project(tmp_path):
    kb = write_kb(tmp_path / "kb", {"content/extra/site.css": "body { color: red }\n"},
                  mkdocs=MKDOCS + "extra_css: [extra/site.css]\nmarkdown_extensions:\n  - pymdownx.snippets\n")
    out = tmp_path / "stage"
    run_kbgen("stage", kb, "--audience", "public", "--out", out, check=True)
    conf = staged_config(out)
    names = [p if isinstance(p, str) else next(iter(p)) for p in conf["plugins"]]
    assert "kbgen" not in names and names[:2] == ["search", "tags"]
    assert conf["docs_dir"] == "docs" and conf["theme"]["name"] == "material"
    assert conf["extra_css"] == ["extra/site.css", "assets/kbgen/kbgen.css"]
    assert (out / "docs" / "extra" / "site.css").read_text() == "body { color: red }\n"
    snippets = next(e["pymdownx.snippets"] for e in conf["markdown_extensions"] if "pymdownx.snippets" in e)
    assert snippets["restrict_base_path"] is True and snippets["base_path"] == ["docs"]
    fence = next(e for e in conf["markdown_extensions"] if "pymdownx.superfences" in e)
    assert fence["pymdownx.superfences"]["custom_fences"][0]["name"] == "mermaid"
    files = [p for p in out.rglob("*")]
    assert not [p for p in files if p.is_symlink()]
    docs = {p.relative_to(out / "docs").as_posix() for p in files if p.is_file() and "docs" in p.parts}
    assert {"index.md", "runbooks/public-rb.md", "e/qt-001/index.html", "kb.json", "llms.txt",
            "assets/kbgen/mermaid.min.js"} <= docs
    assert "runbooks/internal-rb.md" not in docs  # write_kb's internal runbook
    assert not [d for d in docs if d.endswith((".yaml", ".yml"))]
    # the project builds as it is, with plain MkDocs and no kbgen plugin
    proc = subprocess.run([*KBGEN[:1], "-m", "mkdocs", "build", "-q", "-f", str(out / "mkdocs.yml")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (out / "site" / "runbooks" / "public-rb" / "index.html").is_file()
    assert (out / "site" / "extra" / "site.css").is_file()


def test_a_writers_nav_names_nothing_outside_the_view(tmp_path):
    secret = "LEAKNAVsecretfile"
    nav = (f"nav:\n  - Home: index.md\n  - Secret page: {secret}.md\n  - Errors: reference/errors.yaml\n"
           "  - Gone: no-such-page.md\n  - Section:\n      - Also secret: " + secret + ".md\n")
    kb = write_kb(tmp_path / "kb", {f"content/{secret}.md": "---\naudience: internal\n---\n# Internal only\n"},
                  mkdocs=MKDOCS + nav)
    out = tmp_path / "stage"
    run_kbgen("stage", kb, "--audience", "public", "--out", out, check=True)
    conf = staged_config(out)
    assert conf["nav"] == [{"Home": "index.md"}, {"Errors": "reference/errors.md"}, {"Gone": "no-such-page.md"}]
    site = tmp_path / "site"
    run_kbgen("build", kb, "--audience", "public", "--site-dir", site, "-q", check=True)
    assert not [f for f, t in site_texts(site, names=True).items() if secret.lower() in t.lower()]
    run_kbgen("stage", kb, "--audience", "internal", "--out", tmp_path / "intl", check=True)
    assert {"Secret page": f"{secret}.md"} in staged_config(tmp_path / "intl")["nav"]  # the test can fail


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_the_example_navigation_holds_every_page(tmp_path, audience):
    """Issue 24, item 7: every page the site builds is in its navigation (the
    internal site left out all 22 product pages), once."""
    out = tmp_path / "stage"
    run_kbgen("stage", ROOT, "--audience", audience, "--out", out, check=True)
    docs = out / "docs"
    pages = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))
    listed = sorted(_flat(staged_config(out)["nav"]))
    assert listed == pages
    assert any(p.startswith("products/mwrasp/") for p in listed)


def test_a_writers_nav_that_leaves_pages_out_fails_a_strict_build(tmp_path):
    """MkDocs only logs (INFO) a page missing from the navigation; kbgen's
    staged config makes it a warning, so --strict says so and fails."""
    kb = write_kb(tmp_path / "kb", mkdocs=MKDOCS + "nav:\n  - Home: index.md\n")
    proc = run_kbgen("build", kb, "--audience", "public", "--site-dir", tmp_path / "site", "--strict", "-q")
    assert proc.returncode == 1, proc.stderr
    assert "not included in the \"nav\" configuration" in proc.stderr and "runbooks/public-rb.md" in proc.stderr
    assert run_kbgen("build", kb, "--audience", "public", "--site-dir", tmp_path / "site", "-q").returncode == 0


def test_docs_dir_with_dot_slash_has_a_home_page(tmp_path):
    kb = write_kb(tmp_path / "kb", mkdocs=MKDOCS.replace("docs_dir: content", "docs_dir: ./content"))
    site = tmp_path / "site"
    run_kbgen("build", kb, "--site-dir", site, "-q", check=True)
    assert (site / "index.html").is_file() and (site / "runbooks" / "public-rb" / "index.html").is_file()


def test_a_symlinked_folder_in_content_does_not_reach_the_site(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    marker = "LEAKSYMLINKmarker42"
    (outside / "secret.md").write_text(f"---\naudience: internal\n---\n# {marker}\n")
    (outside / "notes.txt").write_text(marker)
    kb = write_kb(tmp_path / "kb")
    os.symlink(outside, kb / "content" / "linked")
    os.symlink(kb / "runbooks", kb / "content" / "rb")
    site = tmp_path / "site"
    proc = run_kbgen("build", kb, "--audience", "public", "--site-dir", site, "-q")
    if proc.returncode == 0:  # validate may refuse the outside link; either way nothing leaks
        texts = site_texts(site, names=True)
        assert not [f for f, t in texts.items() if marker.lower() in t.lower()]
        assert not [f for f in texts if f.endswith((".yaml", ".yml"))]
    else:
        assert "Traceback" not in proc.stderr and not site.exists()


@pytest.mark.parametrize("kind", ["not-a-site", "git"])
def test_site_dir_that_kbgen_did_not_build_is_refused(tmp_path, kind):
    kb = write_kb(tmp_path / "kb")
    target = tmp_path / ("site" if kind == "not-a-site" else ".git")
    target.mkdir()
    (target / "precious.txt").write_text("keep me")
    (target / ".hidden").write_text("me too")
    proc = run_kbgen("build", kb, "--site-dir", target, "-q")
    assert proc.returncode == 2 and "refusing to replace" in proc.stderr and "--force" in proc.stderr
    assert sorted(p.name for p in target.iterdir()) == [".hidden", "precious.txt"]
    proc = run_kbgen("build", kb, "--site-dir", target, "-q", "--force")
    assert proc.returncode == 0, proc.stderr
    assert (target / ".kbgen-site").is_file() and not (target / "precious.txt").exists()
    # a site kbgen built is replaced without --force; so is an empty folder
    run_kbgen("build", kb, "--site-dir", target, "-q", check=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    run_kbgen("build", kb, "--site-dir", empty, "-q", check=True)
    assert (empty / "index.html").is_file()


def test_stage_out_is_refused_unless_kbgen_staged_it(tmp_path):
    kb = write_kb(tmp_path / "kb")
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("x")
    proc = run_kbgen("stage", kb, "--out", out)
    assert proc.returncode == 2 and "refusing" in proc.stderr
    assert [p.name for p in out.iterdir()] == ["mine.txt"]
    run_kbgen("stage", kb, "--out", out, "--force", check=True)
    run_kbgen("stage", kb, "--out", out, check=True)  # its own project now: replaced
    assert (out / ".kbgen-stage").is_file() and not (out / "mine.txt").exists()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_clean_up_like_ctrl_c(generated_kb, tmp_path, sig):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the previous site")
    (site / ".kbgen-site").write_text("built by kbgen")
    proc = subprocess.Popen([*KBGEN, "build", str(generated_kb), "--site-dir", str(site), "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".site.building-*")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.5)  # into the staging or the renderer
        assert proc.poll() is None, "the build ended before it could be stopped"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary site, no staged project
    assert (site / "index.html").read_text() == "the previous site"


def test_leftover_staging_of_a_dead_build_is_removed(tmp_path):
    kb = write_kb(tmp_path / "kb")
    dead = subprocess.Popen([*KBGEN[:1], "-c", "pass"])
    dead.wait()
    (tmp_path / f".site.stage-{dead.pid}" / "docs").mkdir(parents=True)
    run_kbgen("build", kb, "--site-dir", tmp_path / "site", "-q", check=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb", "site"]


def test_pages_that_differ_only_by_case_are_refused_with_their_files(tmp_path):
    kb = write_kb(tmp_path / "kb", {"content/Guide.md": "---\naudience: public\n---\n# Guide A\n",
                                    "content/guide.md": "---\naudience: public\n---\n# Guide B\n"})
    proc = run_kbgen("build", kb, "--site-dir", tmp_path / "site", "-q")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "content/Guide.md" in proc.stderr and "content/guide.md" in proc.stderr
    assert not (tmp_path / "site").exists()


def test_alert_names_differing_by_case_get_one_redirect(tmp_path):
    kb = write_kb(tmp_path / "kb", {"runbooks/public-rb.yaml": (
        "kind: runbook\nid: public-rb\ntitle: Public\naudience: public\nalerts: [DiskFull]\n"
        "aliases: [diskfull-old]\nresolution: [Free space]\n")})
    out = tmp_path / "stage"
    run_kbgen("stage", kb, "--audience", "public", "--out", out, check=True)
    redirects = sorted(p.relative_to(out / "docs").as_posix() for p in (out / "docs" / "runbooks").rglob("*.html"))
    assert redirects == ["runbooks/DiskFull/index.html", "runbooks/diskfull-old/index.html"]


# -- the navigation's budget, on KBs of several shapes -------------------------

def _shape_kb(root: Path, shape: str) -> Path:
    files: dict[str, str | None] = {}
    if shape == "flat":
        paths = [f"content/page-{i:04d}.md" for i in range(400)]
    elif shape == "folders":
        paths = [f"content/folder-{f:02d}/page-{f * 25 + i:03d}.md" for f in range(20) for i in range(25)]
    else:  # deep: a tree six levels down
        paths = [f"content/{'/'.join(f'l{d}-{(i >> d) % 3}' for d in range(6))}/page-{i:03d}.md" for i in range(300)]
    for i, p in enumerate(paths):
        files[p] = f"---\naudience: public\n---\n# Page {i:04d} {Path(p).parent.name}\n\nText {i}.\n"
    return write_kb(root, files)


def _sections(nav):
    """Every list of entries in the navigation (the top level and each section)."""
    if isinstance(nav, list):
        yield nav
        for item in nav:
            yield from _sections(item)
    elif isinstance(nav, dict):
        for v in nav.values():
            yield from _sections(v)


@pytest.mark.parametrize("shape", ["flat", "folders", "deep"])
def test_navigation_holds_every_page_in_sections_of_bounded_size(tmp_path, shape):
    kb = _shape_kb(tmp_path / "kb", shape)
    out = tmp_path / "stage"
    run_kbgen("stage", kb, "--audience", "public", "--out", out, check=True)
    conf = staged_config(out)
    docs = out / "docs"
    pages = {p.relative_to(docs).as_posix() for p in docs.rglob("*.md")}
    listed = list(_flat(conf["nav"]))
    assert sorted(listed) == sorted(pages)  # every page, once
    # a pruned page prints the top level and its own branch: each section is bounded
    assert max(len(entries) for entries in _sections(conf["nav"])) <= 60 + 2  # nav_limit, the index and its parts
    assert "navigation.prune" in conf["theme"]["features"]
    assert conf["validation"]["nav"]["omitted_files"] == "warn"  # a page left out fails --strict
    text = {p: (docs / p).read_text() for p in pages}
    for p in pages:  # no listing is longer than one chunk (the core's products/ list aside)
        if not p.startswith("products/"):
            assert len(re.findall(r"^- \[", text[p], re.M)) <= INDEX_CHUNK, p


def _flat(nav):
    if isinstance(nav, dict):
        for v in nav.values():
            yield from _flat(v)
    elif isinstance(nav, list):
        for v in nav:
            yield from _flat(v)
    else:
        yield nav


def test_page_html_stays_small_whatever_the_shape(tmp_path):
    kb = _shape_kb(tmp_path / "kb", "flat")
    site = tmp_path / "site"
    run_kbgen("build", kb, "--site-dir", site, "-q", check=True)
    sizes = {p: p.stat().st_size for p in site.rglob("*.html") if "e/" not in p.relative_to(site).as_posix()}
    assert len(sizes) > 400
    largest = max(sizes, key=sizes.get)
    assert sizes[largest] < 120_000, (largest, sizes[largest])
    page = (site / "page-0007" / "index.html").read_text()
    nav_links = re.findall(r'class="md-nav__link[^"]*"[^>]*href="', page) or re.findall(r"md-nav__link", page)
    assert len(nav_links) < 200, len(nav_links)
