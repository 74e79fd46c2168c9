"""The site's search index and box (kbgen.search.browser, kbgen.site.searchbox):
the index holds agent search's documents for the build's audience only, its
links land on the entries, Material's search box is replaced by kbgen's at
every depth, builds are byte-identical, and --offline builds search too
(their index as scripts).

SEARCH_KB is shared with tests/browser/test_search_box.py: every code the
issue names (QT-001, 429, ENOSPC, 23505, pg_stat_activity) has one entry and
decoy pages that mention it in passing."""
from __future__ import annotations

import json
import re
import sqlite3
import uuid
from pathlib import Path

import pytest

from kbfactory import run_kbgen, site_texts, write_kb

pytestmark = pytest.mark.slow

# one word, an ending no stemmer trims (a random "...ed" or "...es" would be indexed without it)
LEAK = "LEAKPF" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:10]) + "zq"

SEARCH_MKDOCS = """\
site_name: Search KB
site_url: https://kb.test/
docs_dir: content
theme:
  name: material
  font: false  # no Google Fonts: the browser tests run without internet
plugins:
  - search
  - kbgen:
      default_audience: public
      today: 2026-06-01
      review_every: 365d
      products:
        - {id: db, name: Database}
        - {id: api, name: API gateway}
"""


def _table(ident, title, product, codes, runbooks=None):
    rows = "".join(f"  - code: '{c}'\n    message: {m}\n" + (f"    runbook: {runbooks[c]}\n" if runbooks and c in runbooks else "")
                   for c, m in codes)
    return (f"kind: error-codes\nid: {ident}\ntitle: {title}\naudience: public\nproducts: [{product}]\n"
            f"last_reviewed: 2026-05-01\ncodes:\n{rows}")


def _runbook(ident, title, product, codes, steps, audience="public"):
    runs = "".join(f"  - title: {t}\n    run: {r}\n" for t, r in steps)
    return (f"kind: runbook\nid: {ident}\ntitle: {title}\nsummary: What to do when {title.lower()}.\n"
            f"audience: {audience}\nproducts: [{product}]\nerror_codes: [{', '.join(repr(c) for c in codes)}]\n"
            f"last_reviewed: 2026-05-01\ndiagnostics:\n{runs}")


def _article(title, product, body, audience="public"):
    return f"---\naudience: {audience}\nproducts: [{product}]\nlast_reviewed: 2026-05-01\n---\n# {title}\n\n{body}\n"


FILLER = ("Agents check the dashboard first, then the logs of the affected service, and note the time the "
          "problem started and what the customer tried before contacting support. ")

SEARCH_KB = {
    "content/index.md": "# Search KB\n\nType a code (QT-001, 429, ENOSPC, 23505) into search.\n",
    "content/reference/gateway-errors.yaml": _table(
        "gateway-errors", "Gateway error codes", "api",
        [("QT-001", "Quantum tunnel timed out"), ("QT-002", "Tunnel refused"), ("QT-010", "Tunnel reset")]),
    "content/reference/http-status.yaml": _table(
        "http-status", "HTTP status codes", "api",
        [("429", "Too many requests"), ("500", "Internal server error"), ("503", "Service unavailable")],
        {"429": "client-throttling"}),
    "content/reference/system-errors.yaml": _table(
        "system-errors", "System error codes", "db",
        [("ENOSPC", "No space left on device"), ("ENOMEM", "Out of memory"), ("EACCES", "Permission denied")],
        {"ENOSPC": "disk-full"}),
    "content/reference/postgres-errors.yaml": _table(
        "postgres-errors", "PostgreSQL error codes", "db",
        [("23505", "unique_violation"), ("23503", "foreign_key_violation"), ("53300", "too_many_connections")],
        {"23505": "duplicate-keys", "53300": "db-connections"}),
    "runbooks/client-throttling.yaml": _runbook(
        "client-throttling", "Clients are throttled", "api", ["429"],
        [("Count rejected calls", "grep -c ' 429 ' /var/log/gateway/access.log")]),
    "runbooks/disk-full.yaml": _runbook(
        "disk-full", "Disk full on database hosts", "db", ["ENOSPC"], [("Check free space", "df -h /var/lib/postgresql")]),
    "runbooks/duplicate-keys.yaml": _runbook(
        "duplicate-keys", "Duplicate key errors on import", "db", ["23505"],
        [("Find the duplicates", "psql -c 'select id, count(*) from items group by id having count(*) > 1'")]),
    "runbooks/db-connections.yaml": _runbook(
        "db-connections", "Database connections exhausted", "db", ["53300"],
        [("Count sessions", "psql -c 'select state, count(*) from pg_stat_activity group by state'")]),
    "content/db/pg-stat-activity.md": _article(
        "Reading pg_stat_activity", "db",
        "The pg_stat_activity view shows one row per server process: who is connected, what they run, "
        "and since when.\n\n```sql\nselect pid, state, query from pg_stat_activity;\n```\n\n" + FILLER),
    # decoys: each names the codes once, in passing, among other words
    "content/api/throttling-faq.md": _article(
        "Gateway questions", "api",
        FILLER * 3 + "Customers sometimes quote a 429 or a QT-001 seen in their own client; ask for the request id. "
        + FILLER * 2),
    "content/db/maintenance.md": _article(
        "Database maintenance windows", "db",
        FILLER * 3 + "During maintenance imports may fail with 23505, hosts may report ENOSPC while vacuuming, and "
        "pg_stat_activity shows the maintenance sessions. " + FILLER * 2),
    "content/db/import-guide.md": _article(
        "Importing data", "db", FILLER * 4 + "Rows already present are rejected (code 23505). " + FILLER),
    # internal: must not reach the public index, in any form
    "runbooks/internal-failover.yaml": _runbook(
        "internal-failover", f"Failover {LEAK}", "db", ["ENOSPC"],
        [("Promote the replica", f"pg_ctl promote --marker {LEAK}")], audience="internal"),
    "content/db/internal-notes.md": _article(f"Internal notes {LEAK}", "db", f"Escalate to the DBA on call: {LEAK}.",
                                             audience="internal"),
}

# what "its entry" is for each code: the code's own section in its table, or the page about it
ENTRIES = {
    "QT-001": ("/reference/gateway-errors/#qt-001",),
    "429": ("/reference/http-status/#429", "/runbooks/client-throttling/"),
    "ENOSPC": ("/reference/system-errors/#enospc", "/runbooks/disk-full/"),
    "23505": ("/reference/postgres-errors/#23505", "/runbooks/duplicate-keys/"),
    "pg_stat_activity": ("/db/pg-stat-activity/",),
}


def build_search_kb(tmp: Path, *audiences: str, offline: bool = False) -> dict[str, Path]:
    root = write_kb(tmp / "kb", SEARCH_KB, base=False, mkdocs=SEARCH_MKDOCS)
    out = {}
    for audience in audiences:
        site = tmp / f"site-{audience}{'-offline' if offline else ''}"
        args = ["build", root, "--audience", audience, "--site-dir", site, "--strict", "-q"]
        run_kbgen(*args, *(["--offline"] if offline else []), check=True)
        out[audience] = site
    return out


def index_files(site: Path) -> dict[str, object]:
    """Every file of a site's search index, parsed ("s/3" -> data): JSON, or
    (offline) the script that hands the same data to the box."""
    out = {}
    for p in sorted((site / "search").rglob("*")):
        if not p.is_file():
            continue
        name = p.relative_to(site / "search").with_suffix("").as_posix()
        text = p.read_text(encoding="utf-8")
        if p.suffix == ".js":
            m = re.fullmatch(r'kbgenSearchData\((".*?"),(.*)\);\n', text, re.S)
            assert m and json.loads(m.group(1)) == name, p
            text = m.group(2)
        else:
            assert p.suffix == ".json", p
        out[name] = json.loads(text)
    return out


def fragments(site: Path) -> list[dict]:
    """What each document's result shows, in document order."""
    files = index_files(site)
    return [files[f"d/{n}"] for n in range(len(files["manifest"]["docs"]["type"]))]


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    return build_search_kb(tmp_path_factory.mktemp("site-search"), "public", "internal")


def agent_search_documents(root: Path, audience: str, tmp: Path) -> list[tuple[str, str]]:
    """(id, title) of every document `kbgen search` indexes for the audience."""
    assert run_kbgen("search", root, "disk", "--audience", audience, env={"KBGEN_SEARCH_DIR": str(tmp)}).returncode in (0, 1)
    db = sqlite3.connect(tmp / f"search-{audience}" / "index.sqlite")
    try:
        return sorted(db.execute("SELECT id, title FROM doc"))
    finally:
        db.close()


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_the_index_holds_agent_searchs_documents(sites, audience, tmp_path):
    """One set of documents for every surface: the box's are exactly those
    `kbgen search` indexes for the same audience (entries of pages included:
    each error code, FAQ question, alert), numbered in ranking order."""
    frags = fragments(sites[audience])
    ours = sorted((f["id"], f["title"]) for f in frags)
    assert ours == agent_search_documents(sites[audience].parent / "kb", audience, tmp_path)
    assert ("gateway-errors:QT-001", "QT-001: Quantum tunnel timed out") in ours
    ids = [f["id"] for f in frags]
    assert ids == sorted(ids)  # ties break by id, then key: the order of the documents


def test_public_index_holds_public_documents_only(sites):
    pub, intl = index_files(sites["public"]), index_files(sites["internal"])
    pub_ids = {f["id"] for n, f in pub.items() if n.startswith("d/")}
    intl_ids = {f["id"] for n, f in intl.items() if n.startswith("d/")}
    assert {"internal-failover", "internal-notes"} <= intl_ids
    assert not {"internal-failover", "internal-notes"} & pub_ids
    # the marker is nowhere in the public index (its words, pairs, texts, typo vocabulary) in any case...
    leaked = [n for n, data in pub.items() if LEAK.lower() in json.dumps(data, ensure_ascii=False).lower()]
    leaked += [n for n, t in site_texts(sites["public"]).items() if LEAK.lower() in t.lower()]
    assert not leaked, leaked
    # ...and it is in the internal one, as a term, in the typo vocabulary and in a text (so this test can fail)
    found = {n.split("/")[0] for n, data in intl.items() if LEAK.lower() in json.dumps(data).lower()}
    assert {"s", "w", "d"} <= found, found


def test_results_link_to_the_entries(sites):
    """A result links to its entry: an error code's anchor on its table page
    (the page named beside it), a runbook's page; every link of the index lands
    on a page of the build, and on an element with the link's anchor."""
    site = sites["public"]
    by_id = {f["id"]: f for f in fragments(site)}
    code = by_id["gateway-errors:QT-001"]
    assert code["url"] == "reference/gateway-errors/#qt-001" and code["page"] == "Gateway error codes"
    assert by_id["disk-full"]["url"] == "runbooks/disk-full/" and by_id["disk-full"]["page"] == ""
    assert by_id["system-errors:ENOSPC"]["symptoms"].startswith("No space left on device")
    for f in by_id.values():
        path, _, anchor = f["url"].partition("#")
        page = site / path / "index.html"
        assert page.is_file(), f
        if anchor:
            assert f'id="{anchor}"' in page.read_text(encoding="utf-8"), f


def test_manifest_carries_the_ranking_and_the_filters(sites):
    """The box reads the ranking's numbers from the one module that owns them
    (kbgen.search.ranking), and each document's type, products and kind."""
    from kbgen.search.ranking import manifest as ranking
    m = index_files(sites["public"])["manifest"]
    assert m["ranking"] == json.loads(json.dumps(ranking()))
    assert [p for p, _ in m["products"]] == ["api", "db"]
    assert {t["type"]: t["label"] for t in m["types"]} == {
        "article": "Article", "error-code": "Error code", "error-table": "Error codes", "runbook": "Runbook"}
    frags = fragments(sites["public"])
    n = next(i for i, f in enumerate(frags) if f["id"] == "disk-full")
    assert m["types"][m["docs"]["type"][n]]["type"] == "runbook"
    assert m["product_sets"][m["docs"]["products"][n]] == ["db"]
    assert m["docs"]["flags"][n] & 2  # the first (here the only) document of its entity
    code = next(i for i, f in enumerate(frags) if f["id"] == "gateway-errors:QT-001")
    assert m["docs"]["flags"][code] & 1  # an entry at an anchor: the kind's part weight
    assert m["tables"][0]["rows"] == len(frags) and all(t["tokens"] > 0 for t in m["tables"])
    assert [k for k, _ in m["synonyms"]][:2] == ["timeout", "time out"]  # the default vocabulary, in its order


def test_pages_carry_the_search_box(sites):
    site = sites["public"]
    table = (site / "reference" / "gateway-errors" / "index.html").read_text()
    for page in (table, (site / "runbooks" / "disk-full" / "index.html").read_text(), (site / "index.html").read_text()):
        header = page[page.index("<header"): page.index("</header>")]
        # kbgen's box replaced Material's: its <form name="search"> makes Material fetch search_index.json
        assert header.count('class="kbgen-search"') == 1
        assert 'name="search"' not in page and 'data-md-component="search"' not in page
        assert page.count("kbgen-search.js") == 1 and page.count("kbgen-search.css") == 1
    # the relative links reach the files, at every depth
    for rel in ("index.html", "runbooks/disk-full/index.html"):
        page = (site / rel).read_text()
        for href in re.findall(r'(?:src|href)="([^"]*kbgen-search\.(?:js|css))"', page):
            assert ((site / rel).parent / href).resolve().is_file(), href
        index = re.search(r'data-index="([^"]+)"', page).group(1)
        root = re.search(r'data-root="([^"]+)"', page).group(1)
        assert ((site / rel).parent / index / "manifest.json").resolve().is_file()
        assert ((site / rel).parent / root).resolve() == site.resolve()
    # filter choices are in the page (product ids and names, types and labels): choosing one downloads nothing
    options = re.findall(r'<option value="([^"]+)">([^<]+)</option>', table)
    assert options == [("api", "API gateway"), ("db", "Database"), ("article", "Article"), ("error-code", "Error code"),
                       ("error-table", "Error codes"), ("runbook", "Runbook")]
    assert not (site / "pagefind").exists()


def test_kbgen_build_turns_the_renderers_search_off(sites, tmp_path):
    """`kbgen build` searches with its own box: the staged mkdocs.yml turns
    Material's search plugin off (no lunr index is built). `kbgen stage` keeps
    it: whoever builds that project gets Material's search."""
    from kbgen.read.configfile import read_config_file  # keeps the !!python/name tags MkDocs resolves
    for site in sites.values():
        assert not (site / "search" / "search_index.json").exists() and (site / "search" / "manifest.json").is_file()
    out = tmp_path / "staged"
    run_kbgen("stage", sites["public"].parent / "kb", "--audience", "public", "--out", out, check=True)
    assert "search" in read_config_file(out / "mkdocs.yml").data["plugins"]


def test_offline_build_searches_with_scripts(tmp_path):
    """file:// pages cannot fetch(): an offline build writes the same index as
    scripts that hand their data to the box (data-format="js"), links pages
    as name.html, and builds no lunr index."""
    offline = build_search_kb(tmp_path, "public", offline=True)["public"]
    online = build_search_kb(tmp_path / "online", "public")["public"]
    files = index_files(offline)
    assert files and all(p.suffix == ".js" for p in (offline / "search").rglob("*") if p.is_file())
    assert not (offline / "search" / "search_index.js").exists()
    by_id = {f["id"]: f for f in fragments(offline)}
    assert by_id["gateway-errors:QT-001"]["url"] == "reference/gateway-errors.html#qt-001"
    assert by_id["disk-full"]["url"] == "runbooks/disk-full.html"
    for f in by_id.values():
        assert (offline / f["url"].partition("#")[0]).is_file(), f
    # the same index as the online build's, links aside
    same = index_files(online)
    for name, data in files.items():
        if not name.startswith(("d/", "manifest")):
            assert data == same[name], name
    page = (offline / "runbooks" / "disk-full.html").read_text()
    assert 'data-format="js"' in page and 'data-index="../search/"' in page and 'name="search"' not in page


def test_index_is_byte_identical_between_builds(sites, tmp_path):
    again = tmp_path / "again"
    run_kbgen("build", sites["public"].parent / "kb", "--audience", "public", "--site-dir", again, "-q", check=True)

    def files(site):
        return {p.relative_to(site).as_posix(): p.read_bytes() for p in (site / "search").rglob("*") if p.is_file()}
    first, second = files(sites["public"]), files(again)
    assert first.keys() == second.keys() and first == second


def test_add_box_leaves_pages_without_a_header_alone():
    from kbgen.site.searchbox import add_box, search_box
    stub = '<html><head><meta http-equiv="refresh" content="0; url=../x/"></head><body></body></html>'
    assert add_box(stub, "../", search_box("../", [], [])) == stub


def test_box_without_materials_search_plugin(tmp_path):
    """With Material's search plugin off in mkdocs.yml, the box goes at the
    end of the header's bar, and nothing of lunr is built."""
    # (another plugin listed: an empty list would bring back MkDocs' default, search)
    root = write_kb(tmp_path / "kb", SEARCH_KB, base=False, mkdocs=SEARCH_MKDOCS.replace("  - search\n", "  - tags\n"))
    site = tmp_path / "site"
    run_kbgen("build", root, "--audience", "public", "--site-dir", site, "-q", check=True)
    assert (site / "search" / "manifest.json").is_file() and not (site / "search" / "search_index.json").exists()
    page = (site / "runbooks" / "disk-full" / "index.html").read_text()
    header = page[page.index("<header"): page.index("</header>")]
    assert header.count('class="kbgen-search"') == 1
    assert header.index('class="kbgen-search"') > header.index('class="md-header__title"')
    assert "disk-full" in {f["id"] for f in fragments(site)}


def test_the_engine_holds_fts5s_character_tables():
    """Which characters make tokens and what they fold to: the box's engine
    holds what FTS5 answers for every code point (scripts/gen_fts5_tables.py;
    tests/browser/test_search_engine.py compares the tokens themselves)."""
    import subprocess
    import sys

    from kbfactory import ROOT
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_fts5_tables.py"), "--check"])
    assert proc.returncode == 0, "run scripts/gen_fts5_tables.py: the engine's tables are not FTS5's"
