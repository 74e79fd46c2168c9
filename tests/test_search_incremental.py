"""Incremental search index updates: after every edit of a sequence, the
index updated in place (only the changed files read) holds exactly the
documents a full rebuild from the same files holds, for both audiences, with
and without the loaded files a long-running server keeps (kbgen mcp)."""
from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest

from kbfactory import MKDOCS, run_kbgen, write_kb

MK = MKDOCS.replace("      default_audience: internal\n",
                    "      default_audience: internal\n      alert_catalogues: [content/catalogue.md]\n")

FILES = {
    "runbooks/disk.yaml": """\
        kind: runbook
        id: disk
        title: Disk cleanup
        audience: public
        aliases: [disk-full]
        symptoms: [The disk is at 100%]
        resolution: [Delete old logs]
        """,
    "runbooks/net.md": """\
        ---
        id: net
        audience: public
        error_codes: [E-NET]
        ---
        # Network flapping

        ## Symptoms

        Packets drop every few minutes.
        """,
    "content/reference/sys.yaml": """\
        kind: error-codes
        id: sys
        title: System errors
        audience: public
        codes:
          - {code: ENOSPC, message: No space left on device, runbook: disk-full}
          - {code: E-NET, message: Network unreachable}
          - {code: E-INT, message: Internal quota, runbook: internal-rb}
        """,
    "content/faq.yaml": """\
        kind: faq
        id: faq
        title: Questions
        audience: public
        questions:
          - {q: How do I rotate my API token?, a: Open settings and press *Rotate*.}
          - {id: quotas, q: What are the request quotas?, a: A hundred requests a minute per key.}
        """,
    "content/contacts.yaml": """\
        kind: contacts
        id: contacts
        title: Contact support
        audience: public
        channels:
          - {name: Email, email: help@example.test}
          - {name: Pager, phone: +1-555-0100, audience: internal}
        """,
    "content/guide.md": """\
        ---
        audience: public
        ---
        # Gateway guide

        How the gateway routes requests.
        """,
    "content/catalogue.md": """\
        ---
        audience: public
        ---
        # Alerts

        ## GatewayFlapping

        The gateway restarts often.
        """,
}


def _state(path: Path) -> dict:
    """Everything an index holds, for comparison: documents (by fingerprint,
    which hashes all their fields), codes, full-text rows, manifest."""
    db = sqlite3.connect(path / "index.sqlite")
    try:
        docs = {r[0]: r[1:] for r in db.execute("SELECT key, id, type, title, url, products, fp FROM doc")}
        codes = sorted(db.execute("SELECT code.code, doc.key FROM code JOIN doc ON doc.rowid = code.rowid"))
        rows = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("ftitle", "fsym", "fbody", "words")}
        text = sorted(db.execute("SELECT doc.key, ftitle.title, fsym.symptoms, fbody.body FROM doc "
                                 "JOIN ftitle ON ftitle.rowid = doc.rowid JOIN fsym ON fsym.rowid = doc.rowid "
                                 "JOIN fbody ON fbody.rowid = doc.rowid"))
        manifest = json.loads(db.execute("SELECT v FROM meta WHERE k = 'manifest'").fetchone()[0])
    finally:
        db.close()
    manifest.pop("stamp")  # the options it hashes hold each index's own folder
    for rec in manifest["records"]:
        rec.pop("digest", None)  # kept while a change is recent: depends on the clock, not the content
    return {"docs": docs, "codes": codes, "rows": rows, "text": text, "manifest": manifest}


class Pair:
    """One KB, its index updated edit after edit, and a full rebuild to compare with."""

    def __init__(self, tmp_path: Path, audience: str, keep_sources: bool):
        from kbgen.config import load_config
        from kbgen.load.cache import SourceCache
        self.tmp, self.audience = tmp_path, audience
        self.kb = write_kb(tmp_path / "kb", FILES, mkdocs=MK)
        self.cfg = load_config(self.kb, overrides={"search_dir": str(tmp_path / "inc")})
        self.sources = SourceCache(self.cfg) if keep_sources else None
        self.n = 0
        self.refresh()

    def refresh(self):
        from kbgen.search.service import refresh_index
        return refresh_index(self.cfg, self.audience, sources=self.sources)

    def check(self, incremental: bool = True):
        """Update the index in place, rebuild another from scratch, compare."""
        from kbgen.config import load_config
        from kbgen.search.service import refresh_index
        path, warnings, stats = self.refresh()
        assert stats is not None, "the edit was not noticed"
        assert stats.incremental is incremental, stats
        if incremental:
            assert stats.files_read < 10, stats  # not the whole KB
        self.n += 1
        cfg = load_config(self.kb, overrides={"search_dir": str(self.tmp / f"full{self.n}")})
        full_path, full_warnings, full_stats = refresh_index(cfg, self.audience, force=True)
        assert not full_stats.incremental
        got, want = _state(path), _state(full_path)
        for part in ("docs", "codes", "rows", "text", "manifest"):
            assert got[part] == want[part], part
        assert warnings == full_warnings
        assert self.refresh()[2] is None  # and it is current now
        return stats, got

    def write(self, rel: str, text: str) -> None:
        import textwrap
        path = self.kb / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.kb / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new), encoding="utf-8")


def _internal_ids(kb: Path) -> set[str]:
    from kbgen.config import load_config
    from kbgen.model.audience import for_audience
    from kbgen.validate import validate_config
    model, _ = validate_config(load_config(kb))
    return set(model.entities) - set(for_audience(model, "public").entities)


@pytest.mark.parametrize("audience", ["public", "internal"])
@pytest.mark.parametrize("keep_sources", [False, True], ids=["cli", "server"])
def test_incremental_index_equals_a_full_rebuild_after_each_edit(tmp_path, audience, keep_sources):
    p = Pair(tmp_path, audience, keep_sources)
    # a runbook's text
    p.edit("runbooks/disk.yaml", "Disk cleanup", "Flux capacitor cleanup")
    stats, _ = p.check()
    assert (stats.affected, stats.files_read) == (1, 1)
    # a Markdown runbook and an article
    p.edit("runbooks/net.md", "Packets drop", "Frames drop")
    p.edit("content/guide.md", "routes requests", "routes flux requests")
    p.check()
    # a code's message, a code's runbook (by alias -> by id), a new code: the runbooks it names change
    p.edit("content/reference/sys.yaml", "No space left on device, runbook: disk-full",
           "Disk is full, runbook: public-rb")
    p.edit("content/reference/sys.yaml", "  - {code: E-NET",
           "  - {code: E-NEW, message: New code, runbook: net}\n  - {code: E-NET")
    stats, state = p.check()
    assert stats.affected >= 3  # the table, and the runbooks disk, public-rb, net whose codes changed
    assert ("enospc", "public-rb") in state["codes"] and ("enospc", "disk") not in state["codes"]
    # a runbook's audience: public -> internal (its codes' runbook gone from the public view)
    p.edit("runbooks/public-rb.yaml", "audience: public", "audience: internal")
    p.check()
    # a runbook's id renamed: the codes that named it now name nothing
    p.edit("runbooks/net.md", "id: net", "id: net-flap")
    p.check()
    # a new file whose id another file has (a duplicate: the first in source order keeps it) ...
    p.write("runbooks/a-disk.yaml", "kind: runbook\nid: disk\ntitle: Another disk runbook\naudience: public\n")
    stats, _ = p.check()
    assert stats.errors >= 2  # KB301 on both files
    # ... and once the first goes, the other file's entity is the one indexed
    (p.kb / "runbooks" / "a-disk.yaml").unlink()
    p.check()
    # deleted files: a page with parts, an error table
    (p.kb / "content" / "faq.yaml").unlink()
    (p.kb / "content" / "reference" / "errors.yaml").unlink()
    p.check()
    # a YAML error: the file's documents go, as in a full rebuild; fixing it brings them back
    p.write("runbooks/disk.yaml", "kind: runbook\nid: disk\ntitle: [broken\n")
    stats, state = p.check()
    assert stats.errors >= 1 and "disk" not in {d[0] for d in state["docs"].values()}
    p.write("runbooks/disk.yaml", "kind: runbook\nid: disk\ntitle: Disk again\naudience: public\n")
    p.check()
    # a catalogue page and a contacts file with an internal entry
    p.edit("content/catalogue.md", "## GatewayFlapping", "## GatewayFlapping\n\nSee below.\n\n## QueueStalled")
    p.edit("content/contacts.yaml", "+1-555-0100", "+1-555-0199")
    p.check()
    if audience == "public":
        internal = _internal_ids(p.kb)
        got = _state(p.cfg.root / ".." / "inc" / "search-public")["docs"]
        assert internal and not internal & {d[0] for d in got.values()}
        assert "0199" not in json.dumps(_state(p.cfg.root / ".." / "inc" / "search-public")["text"])


def test_a_same_size_edit_within_one_clock_tick_is_seen(tmp_path):
    """Timestamps are coarse: an edit that keeps the size and the time is found by content."""
    p = Pair(tmp_path, "internal", keep_sources=False)
    path = p.kb / "runbooks" / "disk.yaml"
    st = path.stat()
    p.edit("runbooks/disk.yaml", "Disk cleanup", "Disk sweepup")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    stats, state = p.check()
    assert any(d[2] == "Disk sweepup" for d in state["docs"].values())


def test_kb_wide_changes_load_everything(tmp_path):
    p = Pair(tmp_path, "internal", keep_sources=False)
    (p.kb / "mkdocs.yml").write_text(MK.replace("site_url: https://kb.test/", "site_url: https://kb2.test/"))
    from kbgen.config import load_config
    p.cfg = load_config(p.kb, overrides={"search_dir": str(tmp_path / "inc")})
    stats, state = p.check(incremental=False)
    assert all(d[3].startswith("https://kb2.test/") for d in state["docs"].values())


def test_folder_pages_that_list_their_folder_rebuild_on_a_page_change(tmp_path):
    mk = MK.replace("      default_audience: internal\n",
                    "      default_audience: internal\n      folder_pages: [_index.md]\n")
    p = Pair(tmp_path, "internal", keep_sources=False)
    (p.kb / "mkdocs.yml").write_text(mk)
    p.write("content/guides/_index.md", "---\ntitle: Guides\n---\n")
    p.write("content/guides/one.md", "# One\n\nFirst guide.\n")
    from kbgen.config import load_config
    p.cfg = load_config(p.kb, overrides={"search_dir": str(tmp_path / "inc")})
    p.check(incremental=False)
    p.edit("content/guides/one.md", "# One", "# The first")
    stats, state = p.check(incremental=False)
    assert "a folder page" in stats.reason
    p.edit("runbooks/disk.yaml", "Disk cleanup", "Disk tidy-up")  # no Markdown page changed
    p.check()


def test_an_edit_reaches_the_command_line_search(tmp_path):
    kb = write_kb(tmp_path / "kb", FILES, mkdocs=MK)
    env = {"KBGEN_SEARCH_DIR": str(tmp_path / "idx")}
    assert run_kbgen("search", "flux capacitor", "--root", kb, "--json", env=env).returncode == 1
    rb = kb / "runbooks" / "disk.yaml"
    rb.write_text(rb.read_text().replace("Disk cleanup", "Flux capacitor cleanup"))
    proc = run_kbgen("search", "flux capacitor", "--root", kb, "--json", env=env)
    assert proc.returncode == 0 and json.loads(proc.stdout)["results"][0]["id"] == "disk"
    rb.write_text("kind: runbook\nid: disk\ntitle: [broken\n")  # a YAML error: no crash, a warning
    proc = run_kbgen("search", "flux capacitor", "--root", kb, "--json", env=env)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "error(s)" in proc.stderr and "kbgen validate" in proc.stderr


def test_source_cache_loads_what_load_sources_loads(tmp_path):
    from kbgen.config import load_config
    from kbgen.diagnostics.problems import Report
    from kbgen.load.cache import SourceCache
    from kbgen.load.sources import load_sources
    kb = write_kb(tmp_path / "kb", {**FILES, "content/bad.yaml": "kind: faq\nid: [x\n", "content/img.png": b"\x89PNG"},
                  mkdocs=MK)
    cfg = load_config(kb)
    plain, cached = Report(), Report()
    src = load_sources(cfg, plain)
    cache = SourceCache(cfg)
    got = cache.load(cached)
    assert [d.rel for d in got.docs] == [d.rel for d in src.docs] and got.assets == src.assets
    assert cached.problems == plain.problems and cached.files == plain.files and plain.errors
    again = Report()
    cache.read = []
    second = cache.load(again)
    assert cache.read == [] and [id(d) for d in second.docs] == [id(d) for d in got.docs]  # nothing read again
    assert again.problems == plain.problems
    rb = kb / "runbooks" / "disk.yaml"
    rb.write_text(rb.read_text().replace("Disk cleanup", "Disk tidy-up"))
    os.utime(rb, (time.time() + 5, time.time() + 5))
    third = cache.load(Report())
    assert cache.read == ["runbooks/disk.yaml"]
    assert next(d for d in third.docs if d.rel == "runbooks/disk.yaml").obj.title == "Disk tidy-up"


def test_a_change_to_an_included_file_reaches_the_including_page(tmp_path):
    """`--8<--` includes: the page is read again when a file it includes changes,
    a source or not (snippets/ is outside the content folder). A Markdown
    runbook's H1 headings are symptoms in its document, included ones too."""
    p = Pair(tmp_path, "internal", keep_sources=False)
    (p.kb / "mkdocs.yml").write_text(MK + "markdown_extensions:\n  - pymdownx.snippets\n")
    p.write("snippets/note.md", "# Gateway note\n")
    p.write("content/reference/shared.md", "---\naudience: internal\n---\n# Shared heading\n")
    p.write("runbooks/with-include.md", '---\nid: with-include\n---\n# Includes\n\n--8<-- "snippets/note.md"\n\n'
                                        '--8<-- "content/reference/shared.md"\n\n--8<-- "snippets/missing.md"\n')
    from kbgen.config import load_config
    p.cfg = load_config(p.kb, overrides={"search_dir": str(tmp_path / "inc")})
    p.check(incremental=False)  # the config changed

    def symptoms(state):
        return json.dumps([t[2] for t in state["text"] if t[0] == "with-include"])

    p.write("snippets/note.md", "# Flux capacitor note\n")  # not a source: the page depends on it
    stats, state = p.check()
    assert stats.affected == 1 and "Flux capacitor note" in symptoms(state)
    p.edit("content/reference/shared.md", "# Shared heading", "# Shared quokka heading")  # a source
    stats, state = p.check()
    assert "quokka" in symptoms(state)
    # an include that named no file: the page is read again whenever any source changes
    p.write("snippets/missing.md", "# Wombat heading\n")
    p.edit("runbooks/disk.yaml", "Disk cleanup", "Disk tidy-up")
    stats, state = p.check()
    assert "Wombat heading" in symptoms(state)


def test_kinds_the_kb_adds_load_everything_on_a_change(tmp_path, monkeypatch):
    """An added kind's search text may read any entity: its KB is not updated file by file."""
    import sys

    from test_kind_plugin import GLOSSARY, _package
    monkeypatch.syspath_prepend(str(_package(tmp_path, entry_point=False)))
    p = Pair(tmp_path, "public", keep_sources=True)
    (p.kb / "mkdocs.yml").write_text(MK.replace("      default_audience: internal\n",
                                                "      default_audience: internal\n      kinds: [kbgen_glossary]\n"))
    p.write("content/reference/glossary.yaml", GLOSSARY)
    from kbgen.config import load_config
    from kbgen.load.cache import SourceCache
    p.cfg = load_config(p.kb, overrides={"search_dir": str(tmp_path / "inc")})
    p.sources = SourceCache(p.cfg)
    p.check(incremental=False)
    p.edit("content/reference/glossary.yaml", "Quorum loss", "Quorum lost")
    stats, state = p.check(incremental=False)
    assert "kind the KB adds" in stats.reason and any(d[2] == "Quorum lost" for d in state["docs"].values())
    sys.modules.pop("kbgen_glossary", None)


def test_a_running_server_follows_edits_and_other_writers(tmp_path):
    """kbgen mcp's state, in this process: its watcher marks an edit; a search
    run elsewhere that updated the index first still reaches its model and index."""
    from kbgen.agents.mcp_server import LiveKnowledgeBase, get_answer, search_answer
    from kbgen.config import load_config
    kb = write_kb(tmp_path / "kb", FILES, mkdocs=MK)
    cfg = load_config(kb, overrides={"search_dir": str(tmp_path / "idx")})
    state = LiveKnowledgeBase(cfg, "internal")
    try:
        assert state.watcher is not None  # watchdog is installed with MkDocs
        rb = kb / "runbooks" / "disk.yaml"
        state.current()
        rb.write_text(rb.read_text().replace("Disk cleanup", "Flux capacitor cleanup"))
        deadline = time.monotonic() + 10
        while not state.changed and time.monotonic() < deadline:
            time.sleep(0.01)
        assert state.changed  # the watcher saw the write
        found = search_answer(state.current(), "flux capacitor").results
        assert found and found[0].id == "disk", (found, state.last)
        assert state.last.incremental and state.last.files_read == 1, state.last
        assert get_answer(state, "disk").title == "Flux capacitor cleanup"
        # the command line updates the index first; the server's model and open index follow
        rb.write_text(rb.read_text().replace("Flux capacitor", "Quokka"))
        proc = run_kbgen("search", "quokka", "--root", kb, "--json", "--audience", "internal",
                         env={"KBGEN_SEARCH_DIR": str(tmp_path / "idx")})
        assert json.loads(proc.stdout)["results"][0]["id"] == "disk", proc.stderr
        state.changed = True  # as the watcher would (it may have already)
        state.current()
        assert state.last is None, state.last  # the index was current: the other process wrote it
        assert search_answer(state, "quokka").results[0].id == "disk"
        assert get_answer(state, "disk").title == "Quokka cleanup"
    finally:
        state.close()


def test_files_checked_by_content_stop_being_read_once_settled(tmp_path):
    """Files changed just before indexing are checked by content (coarse timestamps);
    once their change is older than the racy window, size and time are enough again."""
    from kbgen.load.cache import RACY_NS
    p = Pair(tmp_path, "internal", keep_sources=False)
    stamp = tmp_path / "inc" / "search-internal" / "kbgen-fingerprint"
    assert "digest\trunbooks/disk.yaml" in stamp.read_text()  # written a moment ago
    time.sleep(RACY_NS / 1e9 + 0.2)
    assert p.refresh()[2] is None  # nothing changed ...
    assert "digest" not in stamp.read_text()  # ... and nothing is read by content any more
    assert p.refresh()[2] is None
