"""Browser search index (kbgen.pagefind): the built HTML is marked up for
Pagefind, Material's search box is replaced by kbgen's, the public index is
made from the public build only, and --offline builds keep Material's lunr.

SEARCH_KB is shared with tests/browser/test_pagefind_search.py: every code the
issue names (QT-001, 429, ENOSPC, 23505, pg_stat_activity) has one entry and
decoy pages that mention it in passing."""
from __future__ import annotations

import gzip
import json
import re
import uuid
from pathlib import Path

import pytest

from kbfactory import run_kbgen, site_texts, write_kb

pytestmark = pytest.mark.slow

# one word as Pagefind indexes it: letters only (no split where letters meet digits) and an
# ending no stemmer trims (a random "...ed" or "...es" would be indexed without it)
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


def fragments(site: Path) -> dict[str, dict]:
    """Pagefind's per-page records (gzip, then a signature, then JSON), by file."""
    out = {}
    for p in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(p.read_bytes())
        assert data.startswith(b"pagefind_dcd"), p
        out[p.name] = json.loads(data[len(b"pagefind_dcd"):])
    return out


def index_bytes(site: Path) -> dict[str, bytes]:
    """Every other Pagefind file, decompressed (word indexes, filters, metadata)."""
    out = {}
    for p in (site / "pagefind").rglob("*"):
        if p.is_file() and p.suffix in (".pf_index", ".pf_filter", ".pf_meta"):
            out[str(p.relative_to(site))] = gzip.decompress(p.read_bytes())
    return out


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    return build_search_kb(tmp_path_factory.mktemp("pagefind"), "public", "internal")


def test_public_index_holds_public_pages_only(sites):
    pub, intl = fragments(sites["public"]), fragments(sites["internal"])
    pub_urls = {f["url"] for f in pub.values()}
    intl_urls = {f["url"] for f in intl.values()}
    assert "/runbooks/internal-failover/" in intl_urls and "/db/internal-notes/" in intl_urls
    assert "/runbooks/internal-failover/" not in pub_urls and "/db/internal-notes/" not in pub_urls
    # every indexed page is a page of this build
    for url in pub_urls:
        assert (sites["public"] / url.strip("/") / "index.html").is_file(), url
    # the marker is nowhere in the public index, decompressed, in any case...
    leaked = [n for n, f in pub.items() if LEAK.lower() in json.dumps(f).lower()]
    leaked += [n for n, b in index_bytes(sites["public"]).items() if LEAK.lower().encode() in b.lower()]
    leaked += [n for n, t in site_texts(sites["public"]).items() if LEAK.lower() in t.lower()]
    assert not leaked, leaked
    # ...and it is in the internal one (so this test can fail)
    assert any(LEAK in json.dumps(f) for f in intl.values())
    assert any(LEAK.lower().encode() in b for b in index_bytes(sites["internal"]).values())


def test_fragments_carry_filters_and_type(sites):
    by_url = {f["url"]: f for f in fragments(sites["public"]).values()}
    rb = by_url["/runbooks/disk-full/"]
    assert rb["filters"] == {"product": ["Database"], "type": ["Runbook"]}
    assert rb["meta"]["title"] == "Disk full on database hosts" and rb["meta"]["type"] == "Runbook"
    table = by_url["/reference/gateway-errors/"]
    assert table["filters"] == {"product": ["API gateway"], "type": ["Error codes"]}
    assert by_url["/db/pg-stat-activity/"]["filters"]["type"] == ["Article"]
    # only the article is indexed: no navigation or footer words in the content
    assert not rb["content"].startswith("Search KB")
    assert "Made with" not in rb["content"]
    # a listing page is indexed by its title only
    listing = by_url["/error-codes/"]
    assert listing["filters"]["type"] == ["Index"]
    assert "QT-001" not in listing["content"] and listing["content"].strip() != ""


def test_pages_are_marked_and_carry_the_search_box(sites):
    site = sites["public"]
    table = (site / "reference" / "gateway-errors" / "index.html").read_text()
    assert len(re.findall(r"<article [^>]*data-pagefind-body", table)) == 1
    weighted = re.findall(r'<h[23] id="([^"]+)" data-pagefind-weight="10"', table)  # a section, or a bare code's row
    assert sorted(weighted) == ["qt-001", "qt-002", "qt-010"]
    runbook = (site / "runbooks" / "disk-full" / "index.html").read_text()
    assert 'data-pagefind-filter="product[data-v]" data-v="Database"' in runbook and 'data-pagefind-weight' not in runbook
    for page in (table, runbook, (site / "index.html").read_text()):
        header = page[page.index("<header"): page.index("</header>")]
        # kbgen's box replaced Material's: its <form name="search"> makes Material fetch search_index.json
        assert header.count('class="kbgen-search"') == 1
        assert 'name="search"' not in page and 'data-md-component="search"' not in page
        assert page.count("pagefind-search.js") == 1 and page.count("pagefind-search.css") == 1
    # the relative links reach the files, at every depth
    for rel in ("index.html", "runbooks/disk-full/index.html"):
        page = (site / rel).read_text()
        for href in re.findall(r'(?:src|href)="([^"]*pagefind-search\.(?:js|css))"', page):
            assert ((site / rel).parent / href).resolve().is_file(), href
        bundle = re.search(r'data-bundle="([^"]+)"', page).group(1)
        assert ((site / rel).parent / bundle / "pagefind.js").resolve().is_file()
    # filter choices are in the page: opening them downloads nothing
    options = re.findall(r'<option value="([^"]+)">', table)
    assert options == ["API gateway", "Database", "Article", "Error codes", "Index", "Runbook"]
    # Pagefind's own UIs are not shipped: the box uses its API
    assert not list((site / "pagefind").glob("pagefind-ui*")) and (site / "pagefind" / "pagefind.js").is_file()


def test_online_build_turns_the_renderers_search_off(sites, tmp_path):
    """`kbgen build` searches with Pagefind: the staged mkdocs.yml turns
    Material's search plugin off (no lunr index is built). `kbgen stage` keeps
    it: whoever builds that project runs no Pagefind."""
    from kbgen.read.configfile import read_config_file  # keeps the !!python/name tags MkDocs resolves
    for site in sites.values():
        assert not (site / "search").exists() and (site / "pagefind" / "pagefind.js").is_file()
    out = tmp_path / "staged"
    run_kbgen("stage", sites["public"].parent / "kb", "--audience", "public", "--out", out, check=True)
    assert "search" in read_config_file(out / "mkdocs.yml").data["plugins"]


def test_offline_build_keeps_lunr_search(tmp_path):
    """Pagefind fetches its index, which file:// pages cannot do: an offline
    build keeps Material's search (its index as a script) and gets no Pagefind."""
    site = build_search_kb(tmp_path, "public", offline=True)["public"]
    assert not (site / "pagefind").exists()
    assert (site / "search" / "search_index.js").is_file()
    page = (site / "runbooks" / "disk-full.html").read_text()
    assert 'name="search"' in page and "kbgen-search" not in page and "data-pagefind" not in page


def test_warm_up_word_is_a_word_of_a_small_chunk(sites):
    """pagefind-entry.json names, per language, the word kbgen's box searches
    when the reader focuses it (so Chromium compiles Pagefind's search code
    before the first query): a word of the index, in a chunk of a few KB."""
    from kbgen.site.pagefind import WARM_CHUNK, _read
    bundle = sites["public"] / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    info = entry["languages"]["en"]
    word = info["kbgen_warm"]
    meta = _read(bundle / f"pagefind.{info['hash']}.pf_meta")
    chunks = [bundle / "index" / f"{c[2]}.pf_index" for c in meta[2] if c[0] <= word <= c[1]]
    assert len(chunks) == 1 and chunks[0].stat().st_size <= WARM_CHUNK
    assert word in [w[0] for w in _read(chunks[0])[0]]
    # Pagefind still reads its entry file (its own keys are all there)
    assert set(info) == {"hash", "wasm", "page_count", "kbgen_warm"} and entry["version"]


def test_mark_page_leaves_pages_without_an_article_alone():
    from kbgen.site.pagefind import add_ui, mark_page, search_box
    stub = '<html><head><meta http-equiv="refresh" content="0; url=../x/"></head><body></body></html>'
    assert mark_page(stub, None) == stub
    assert add_ui(stub, "../", search_box("../", {})) == stub


def test_index_is_byte_identical_between_builds(sites, tmp_path):
    """Pagefind writes filter values in hash-map order; kbgen sorts them and
    renames the files, so two builds of the same KB give the same bundle."""
    again = tmp_path / "again"
    run_kbgen("build", sites["public"].parent / "kb", "--audience", "public", "--site-dir", again, "-q", check=True)

    def files(site):
        return {p.relative_to(site).as_posix(): p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()}
    first, second = files(sites["public"]), files(again)
    assert first.keys() == second.keys() and first == second
    filters = [gzip.decompress(b) for name, b in first.items() if name.endswith(".pf_filter")]
    assert len(filters) == 2
    for data in filters:  # values in sorted order: the product filter lists API gateway before Database
        if b"product" in data:
            assert data.index(b"API gateway") < data.index(b"Database")
        else:
            assert data.index(b"Article") < data.index(b"Error codes") < data.index(b"Index") < data.index(b"Runbook")


def test_box_without_materials_search_plugin(tmp_path):
    """With Material's search plugin off (what online builds need), the box
    goes at the end of the header's bar, and nothing of lunr is built."""
    # (another plugin listed: an empty list would bring back MkDocs' default, search)
    root = write_kb(tmp_path / "kb", SEARCH_KB, base=False, mkdocs=SEARCH_MKDOCS.replace("  - search\n", "  - tags\n"))
    site = tmp_path / "site"
    run_kbgen("build", root, "--audience", "public", "--site-dir", site, "-q", check=True)
    assert not (site / "search").exists() and (site / "pagefind" / "pagefind.js").is_file()
    page = (site / "runbooks" / "disk-full" / "index.html").read_text()
    header = page[page.index("<header"): page.index("</header>")]
    assert header.count('class="kbgen-search"') == 1
    assert header.index('class="kbgen-search"') > header.index('class="md-header__title"')
    assert "/runbooks/disk-full/" in {f["url"] for f in fragments(site).values()}
