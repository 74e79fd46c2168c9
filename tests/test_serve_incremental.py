"""`kbgen serve` re-renders only what an edit changes (kbgen.mkdocs.incremental):
a real server on a small KB, real edits, the served site read from its folder.

- a body edit rewrites the edited page and leaves the others' files alone;
- a title change reaches the navigation of the pages that show it (and, with
  navigation.prune, only those);
- after a series of edits (body, title, page added, page removed, a status
  the navigation shows, tags, a YAML file several pages show), every page served is byte for byte the page a full
  `kbgen build` of the final sources writes;
- a broken edit shows the problems page, and the fix renders only what it changed.
"""
from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kbfactory import MKDOCS, run_kbgen, write_kb
from test_serve import _free_port, _get, _stop, _wait_for

REBUILD = re.compile(r"kbgen serve: (\w+) rebuild, (\d+) pages? rendered")
EPOCH = re.compile(r"livereload\((\d+),")  # the script MkDocs' server puts in every page it serves

ARTICLES = {
    "content/alpha/first.md": "---\ntitle: Alpha first\n---\n# Alpha first\n\nThe first page of alpha.\n",
    "content/alpha/second.md": "---\ntitle: Alpha second\ntags: [delta]\n---\n# Alpha second\n\nThe second page of alpha.\n",
    "content/beta/one.md": "---\ntitle: Beta one\n---\n# Beta one\n\nThe first page of beta.\n",
    "content/beta/two.md": "---\ntitle: Beta two\ntags: [gamma, delta]\n---\n# Beta two\n\nSee [the public runbook](../../runbooks/public-rb.yaml).\n",
}
PRUNED = MKDOCS.replace("  name: material\n", "  name: material\n  features: [navigation.prune]\n")
PLAIN = PRUNED.replace("  - tags\n", "")  # no plugin that keeps state over the files: pages added in place


class Served:
    """`kbgen serve` in a subprocess whose temporary folder (and so the
    served site) is under tmp_path; its output goes to a file read as it grows."""

    def __init__(self, kb: Path, tmp_path: Path, env: dict | None = None):
        self.tmp = tmp_path / "tmp"
        self.tmp.mkdir()
        self.log_path = tmp_path / "serve.log"
        self.log = open(self.log_path, "w")
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**__import__("os").environ, "TMPDIR": str(self.tmp), **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "kbgen.cli", "serve", str(kb), "--audience", "internal", "--dev-addr",
                                      f"127.0.0.1:{self.port}"], stdout=self.log, stderr=subprocess.STDOUT,
                                     text=True, env=env)

    @property
    def site(self) -> Path:
        (work,) = self.tmp.glob("kbgen-serve-*")
        return work / "site"

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def rebuilds(self) -> list[tuple[str, int]]:
        return [(way, int(n)) for way, n in REBUILD.findall(self.output())]

    def wait_rebuild(self, count: int, seconds: float = 120) -> tuple[str, int]:
        """Wait until the server logged its count-th rebuild; return (way, pages)."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            done = self.rebuilds()
            if len(done) >= count:
                return done[count - 1]
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"rebuild {count} never finished:\n{self.output()}")

    def edit(self, path: Path, text: str | None) -> tuple[str, int]:
        """Write (or delete, None) a source file and wait for the rebuild it causes."""
        count = len(self.rebuilds()) + 1
        time.sleep(0.05)
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return self.wait_rebuild(count)

    def stop(self) -> str:
        _stop(self.proc)
        self.log.close()
        return self.output()


def _mtimes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*.html")}


def _pages(site: Path) -> dict[str, bytes]:
    """Every page's HTML (the search index, its script and the 404 page left out)."""
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.html")
            if not p.relative_to(site).as_posix().startswith("search/") and p.name != "404.html"}


@pytest.fixture
def served(tmp_path):
    servers = []

    def start(files=None, mkdocs=MKDOCS, env=None):
        kb = write_kb(tmp_path / "kb", {**ARTICLES, **(files or {})}, mkdocs=mkdocs)
        server = Served(kb, tmp_path, env)
        servers.append(server)
        assert server.wait_rebuild(1)[0] == "full"
        # the first build is logged before the server listens: wait until it answers
        assert _wait_for(server.base + "/", "</html>", 60), server.output()
        return kb, server
    yield start
    for server in servers:
        out = server.stop()
        assert "Traceback" not in out, out


def test_a_body_edit_rewrites_that_page_only(served):
    kb, server = served()
    before = _mtimes(server.site)
    assert "alpha/first/index.html" in before and "runbooks/public-rb/index.html" in before
    page = kb / "content" / "alpha" / "first.md"
    way, pages = server.edit(page, page.read_text().replace("The first page of alpha.", "Rewritten zebra text."))
    assert "Rewritten zebra text." in (_get(server.base + "/alpha/first/") or "")
    after = _mtimes(server.site)
    assert after["alpha/first/index.html"] > before["alpha/first/index.html"]
    untouched = {p for p in before if p != "alpha/first/index.html" and after.get(p) == before[p]}
    assert untouched == set(before) - {"alpha/first/index.html"}, sorted(set(before) - untouched)
    assert (way, pages) == ("quick", 1)


def test_a_title_change_reaches_the_navigation_of_other_pages(served):
    kb, server = served()
    assert "Alpha second" in (_get(server.base + "/beta/one/") or "")  # the whole navigation on every page
    page = kb / "content" / "alpha" / "second.md"
    server.edit(page, page.read_text().replace("title: Alpha second", "title: Alpha renamed"))
    for url in ("/beta/one/", "/alpha/first/", "/runbooks/public-rb/", "/"):
        body = _get(server.base + url) or ""
        assert "Alpha renamed" in body and "Alpha second" not in body, url


def test_with_pruned_navigation_a_title_change_rerenders_its_section_only(served):
    kb, server = served(mkdocs=PRUNED)
    before = _mtimes(server.site)
    assert "Alpha second" not in (_get(server.base + "/beta/two/") or "")  # pruned: beta shows beta's branch
    page = kb / "content" / "alpha" / "second.md"
    server.edit(page, page.read_text().replace("title: Alpha second", "title: Alpha renamed"))
    assert "Alpha renamed" in (_get(server.base + "/alpha/first/") or "")  # the same section: its navigation
    after = _mtimes(server.site)
    assert after["alpha/first/index.html"] > before["alpha/first/index.html"]
    assert after["beta/two/index.html"] == before["beta/two/index.html"]  # another section: not rewritten
    assert after["runbooks/public-rb/index.html"] == before["runbooks/public-rb/index.html"]


@pytest.mark.parametrize("mkdocs", [MKDOCS, PRUNED, PLAIN], ids=["whole-nav", "pruned", "no-tags-plugin"])
def test_after_each_edit_every_page_is_what_a_full_build_writes(served, tmp_path, mkdocs):
    kb, server = served(mkdocs=mkdocs)
    alpha, beta, rb = kb / "content" / "alpha", kb / "content" / "beta", kb / "runbooks" / "public-rb.yaml"
    edits = [
        ("body", alpha / "first.md", ARTICLES["content/alpha/first.md"].replace("first page", "very first page")),
        ("title", alpha / "second.md", ARTICLES["content/alpha/second.md"].replace("Alpha second", "Alpha later")),
        ("added", beta / "three.md", "---\ntitle: Beta three\ntags: [gamma]\n---\n# Beta three\n\nA new page.\n"),
        ("removed", beta / "one.md", None),
        ("nav status", alpha / "second.md", ARTICLES["content/alpha/second.md"].replace("Alpha second", "Alpha later")
         .replace("tags: [delta]\n", "tags: [delta]\nstatus: new\n")),
        ("tags", beta / "two.md", ARTICLES["content/beta/two.md"].replace("tags: [gamma, delta]", "tags: [delta]")),
        ("yaml", rb, rb.read_text().replace("title: Gateway timeouts", "title: Gateway time-outs")),
    ]
    ways = {}
    for n, (what, path, text) in enumerate(edits):
        way = ways[what] = server.edit(path, text)
        served_pages = _pages(server.site)
        full = tmp_path / f"full-{n}"
        run_kbgen("build", kb, "--audience", "internal", "--site-dir", full, check=True)
        built = _pages(full)
        assert sorted(served_pages) == sorted(built), (what, way)
        different = [p for p in built if served_pages[p] != built[p]]
        assert not different, (what, way, different)
    assert "A new page." in (_get(server.base + "/beta/three/") or "")
    assert "beta/one/index.html" not in _pages(server.site)  # a removed page leaves the site
    if mkdocs is PLAIN:  # the new files join MkDocs' own objects: no dirty build walking every file
        assert ways["added"][0] == ways["removed"][0] == "grow", ways


def test_a_broken_edit_shows_the_problems_and_the_fix_renders_only_what_changed(served):
    kb, server = served()
    before = _mtimes(server.site)
    rb = kb / "runbooks" / "public-rb.yaml"
    good = rb.read_text()
    rb.write_text(good.replace("escalation: {to: tier2, after: 30m}", "escalation: {to: tier9, after: 30m}"))
    assert _wait_for(server.base + "/alpha/first/", "kbgen-problem-list"), "the problem page never appeared"
    assert "runbooks/public-rb.yaml:14:18: error KB306" in (_get(server.base + "/") or "")
    page = kb / "content" / "alpha" / "first.md"
    page.write_text(page.read_text().replace("The first page of alpha.", "Fixed while broken."))
    rb.write_text(good)
    assert _wait_for(server.base + "/alpha/first/", "Fixed while broken."), "the site did not come back"
    assert "kbgen-problem-list" not in (_get(server.base + "/runbooks/public-rb/") or "")
    after = _mtimes(server.site)
    assert after["alpha/first/index.html"] > before["alpha/first/index.html"]
    assert after["beta/two/index.html"] == before["beta/two/index.html"]
    assert after["runbooks/public-rb/index.html"] == before["runbooks/public-rb/index.html"]


def test_a_file_kbgen_does_not_read_rebuilds_nothing(served):
    """An editor's swap file (a dot-name) is seen by the watcher: the sources
    are the same, so nothing is rendered and the browser is not reloaded."""
    kb, server = served()
    before = _mtimes(server.site)
    epoch = EPOCH.search(_get(server.base + "/alpha/first/") or "").group(1)  # the site's version, for reloads
    (kb / "content" / "alpha" / ".first.md.swp").write_bytes(b"vim swap")
    deadline = time.time() + 60
    while "no source changed" not in server.output() and time.time() < deadline:
        time.sleep(0.2)
    assert "no source changed; nothing rebuilt" in server.output()
    assert _mtimes(server.site) == before
    assert len(server.rebuilds()) == 1
    assert EPOCH.search(_get(server.base + "/alpha/first/") or "").group(1) == epoch  # browsers do not reload
    page = kb / "content" / "alpha" / "first.md"
    server.edit(page, page.read_text().replace("The first page of alpha.", "Changed."))
    assert EPOCH.search(_get(server.base + "/alpha/first/") or "").group(1) != epoch  # a real change: they do


def test_edits_are_seen_by_notifications_and_reads_are_not_edits(served):
    kb, server = served()
    assert "edits are seen by notifications" in server.output()
    time.sleep(1.0)
    for path in sorted(kb.rglob("*")):  # read every source, as an editor or a search tool would
        if path.is_file():
            path.read_bytes()
    time.sleep(1.5)
    assert server.output().count("Building documentation") == 1, server.output()  # the first build only
    page = kb / "content" / "alpha" / "first.md"
    assert server.edit(page, page.read_text().replace("The first page of alpha.", "Seen at once.")) == ("quick", 1)
    assert "Seen at once." in (_get(server.base + "/alpha/first/") or "")


def test_polling_when_asked(served):
    kb, server = served(env={"KBGEN_SERVE_POLL": "1"})
    assert "edits are seen by polling" in server.output()
    page = kb / "content" / "alpha" / "first.md"
    assert server.edit(page, page.read_text().replace("The first page of alpha.", "Seen by polling.")) == ("quick", 1)
    assert "Seen by polling." in (_get(server.base + "/alpha/first/") or "")


def _texts(site: Path) -> str:
    """Every result text of a site's search index, JSON or (offline) scripts; "" while it is being replaced."""
    from test_site_search import fragments
    try:
        return " ".join(f["title"] + " " + f["body"] for f in fragments(site))
    except (OSError, ValueError, KeyError, AssertionError):  # the index is being replaced
        return ""


def _indexed(site: Path, text: str, deadline: float) -> bool:
    while time.time() < deadline:
        if text in _texts(site):
            return True
        time.sleep(0.3)
    return False


def test_an_offline_site_searches_with_scripts(served):
    """An offline site's search index is made of scripts (file:// pages cannot
    fetch); it catches up after an edit, as an online site's does."""
    kb, server = served(mkdocs=MKDOCS.replace("      default_audience: internal\n",
                                              "      default_audience: internal\n      offline: true\n"))
    deadline = time.time() + 120
    assert _indexed(server.site, "The first page of alpha.", deadline), server.output()
    assert (server.site / "search" / "manifest.js").is_file() and not (server.site / "search" / "manifest.json").exists()
    assert not (server.site / "search" / "search_index.js").exists()
    page = kb / "content" / "alpha" / "first.md"
    server.edit(page, page.read_text().replace("The first page of alpha.", "Quokka text."))
    assert "Quokka text." in (_get(server.base + "/alpha/first.html") or "")
    assert 'data-format="js"' in (_get(server.base + "/alpha/first.html") or "")
    assert _indexed(server.site, "Quokka text.", deadline + 60), server.output()


def test_the_search_index_and_kb_json_catch_up_after_an_edit(served):
    """The search index is not made with each rebuild: the index made at
    start is made again in the background once the edits pause, and kb.json
    with it."""
    kb, server = served()
    deadline = time.time() + 120
    assert _indexed(server.site, "The first page of alpha.", deadline), server.output()
    assert "Zebrafinch" not in _texts(server.site)
    page = kb / "content" / "alpha" / "first.md"
    server.edit(page, page.read_text().replace("The first page of alpha.", "The Zebrafinch page of alpha.")
                .replace("title: Alpha first", "title: Alpha Zebrafinch"))
    assert _indexed(server.site, "Zebrafinch", deadline + 60), server.output()
    assert "Zebrafinch" in (_get(server.base + "/kb.json") or "")
    assert "search index and kb.json refreshed" in server.output()

