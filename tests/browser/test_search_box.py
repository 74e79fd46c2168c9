"""kbgen's search box, as a reader uses it, in headless Chromium, on the
search KB of tests/test_site_search.py (every code the issue names has an
entry and decoy pages that mention it in passing): what it shows is what
`kbgen search` answers for the same audience; it downloads nothing before
the reader focuses it and, for a query, only the shards of its words and the
texts of the results shown.

(Not test_site_search.py: tests/test_site_search.py exists, and pytest
cannot collect two test modules of the same name without packages.)"""
from __future__ import annotations

import functools
import json
import sqlite3
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from kbfactory import run_kbgen
from test_site_search import ENTRIES, build_search_kb, fragments

pytestmark = pytest.mark.browser


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def search_site(tmp_path_factory):
    site = build_search_kb(tmp_path_factory.mktemp("box"), "public")["public"]
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield site, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def search(page, query: str) -> list[str]:
    """Type the query into the header's box; the result links once the box
    shows the results of the whole query (it marks them with data-query)."""
    page.locator(".kbgen-search__input").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(query, delay=20)
    page.locator(f".kbgen-search[data-query='{query}']").wait_for(timeout=15000)
    return [a.get_attribute("href") for a in page.locator(".kbgen-search__result a").all()]


def shown_ids(page) -> list[str]:
    return [li.get_attribute("data-id") for li in page.locator(".kbgen-search__result").all()]


def cli(site, query: str, tmp_path, **options) -> dict:
    """`kbgen search --json` on the KB the site was built from, same audience."""
    args = [f"--{k}={v}" for k, v in options.items()]
    proc = run_kbgen("search", site.parent / "kb", query, "--audience", "public", "--json", *args,
                     env={"KBGEN_SEARCH_DIR": str(tmp_path / "cli-index")})
    return json.loads(proc.stdout)


def fts5_tokens(text: str) -> list[str]:
    """FTS5's own tokens of a text, as agent search's index makes them."""
    from kbgen.search.engine import _TOKENIZE
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, {_TOKENIZE})")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
    db.execute("INSERT INTO t(x) VALUES (?)", (text,))
    return [term for term, _ in sorted(db.execute("SELECT term, offset FROM v"), key=lambda r: r[1])]


@pytest.mark.parametrize("code", list(ENTRIES))
def test_typing_a_code_shows_its_entry_first(page, search_site, code, tmp_path):
    site, url = search_site
    page.goto(url + "/runbooks/disk-full/")  # from a page two levels down: links must be site-relative
    hrefs = search(page, code)
    first = urlsplit(hrefs[0])
    assert first.path + (f"#{first.fragment}" if first.fragment else "") in ENTRIES[code], hrefs
    # the box answers what kbgen search answers, in its order
    assert shown_ids(page) == [r["id"] for r in cli(site, code, tmp_path)["results"]]
    page.locator(".kbgen-search__result a").first.click()
    page.wait_for_load_state()
    assert code in page.locator("article").inner_text()
    if first.fragment:  # landed on the code's own section
        assert page.locator(f"[id='{first.fragment}']").is_visible()
    assert page.errors == []


def test_words_find_what_the_cli_finds(page, search_site, tmp_path):
    """Words in the reader's own phrasing, a misspelling the CLI corrects and
    a synonym of the default vocabulary: the same results and correction."""
    site, url = search_site
    page.goto(url + "/")
    for query in ("rows already present", "maintenence window", "disk full", "out of space on the database host"):
        search(page, query)
        want = cli(site, query, tmp_path)
        assert shown_ids(page) == [r["id"] for r in want["results"]], query
        suggestion = page.locator(".kbgen-search__suggestion button")
        assert (suggestion.inner_text() if suggestion.count() else None) == want["suggestion"], query
    assert want["results"][0]["id"] == "disk-full"  # "out of space": the synonyms reach the runbook
    assert page.errors == []


def test_nothing_is_downloaded_before_the_reader_searches(page, search_site):
    site, url = search_site
    got = []
    page.on("requestfinished", lambda r: got.append(urlsplit(r.url).path))
    page.goto(url + "/db/pg-stat-activity/")
    page.wait_for_load_state("networkidle")
    assert "/assets/kbgen/kbgen-search.js" in got  # the box (7 KB): neither its engine nor anything of the index
    assert not [p for p in got if p.startswith("/search/") or "engine" in p or "search_index" in p], got
    assert page.errors == []


def test_one_query_downloads_only_what_it_needs(page, search_site, shots):
    """Focusing the box loads the engine and the manifest; a query then loads
    the shards of its own keys (its term, the code it may be) and the texts of
    the results shown, never the whole index nor Material's lunr index."""
    from kbgen.search.browser import fnv1a
    site, url = search_site
    page.goto(url + "/")
    page.wait_for_load_state("networkidle")
    got = []
    page.on("requestfinished", lambda r: got.append(r))
    page.locator(".kbgen-search__input").click()
    page.wait_for_selector(".kbgen-search[data-ready]", state="attached")
    focused = [urlsplit(r.url).path for r in got]
    assert sorted(focused) == ["/assets/kbgen/kbgen-search-engine.js", "/search/manifest.json"], focused
    page.keyboard.insert_text("ENOSPC")  # one input event: one search (typing would search prefixes on the way)
    page.locator(".kbgen-search[data-query='ENOSPC']").wait_for(timeout=15000)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shots / "search-box-code.png"))
    paths = [urlsplit(r.url).path for r in got][len(focused):]
    manifest = json.loads((site / "search" / "manifest.json").read_text())
    (token,) = fts5_tokens("ENOSPC")
    assert {p for p in paths if p.startswith("/search/s/")} == {f"/search/s/{fnv1a(token) % manifest['shards']}.json"}
    assert {p for p in paths if p.startswith("/search/c/")} == {f"/search/c/{fnv1a('enospc') % manifest['code_shards']}.json"}
    shown = shown_ids(page)
    texts = [p for p in paths if p.startswith("/search/d/")]
    ids = [f["id"] for f in fragments(site)]
    assert sorted(texts) == sorted(f"/search/d/{ids.index(i)}.json" for i in shown)  # texts of the results shown only
    assert not [p for p in paths if "search_index" in p or p.startswith("/search/p/")], paths
    body = sum(r.sizes()["responseBodySize"] for r in got if urlsplit(r.url).path.startswith("/search/"))
    on_disk = sum(p.stat().st_size for p in (site / "search").rglob("*") if p.is_file())
    print(f"\none query: {len(got)} requests, {body / 1024:.1f} KB of the index (all of it: {on_disk / 1024:.0f} KB)")
    assert 0 < body < on_disk
    assert page.errors == []


def wait_for_ids(page, ids: list[str]) -> None:
    page.wait_for_function("(ids) => JSON.stringify([...document.querySelectorAll('.kbgen-search__result')]"
                           ".map((li) => li.dataset.id)) === JSON.stringify(ids)", arg=ids)


def test_filters_by_product_and_type(page, search_site, tmp_path):
    """The filters keep what `kbgen search --type/--product` keeps: one kind;
    one product's documents and those that name no product (about every product)."""
    site, url = search_site
    page.goto(url + "/")
    search(page, "ENOSPC")
    assert shown_ids(page) == [r["id"] for r in cli(site, "ENOSPC", tmp_path)["results"]]
    box = page.locator(".kbgen-search")
    page.locator(".kbgen-search__filter[data-filter='type']").select_option("runbook")
    wait_for_ids(page, [r["id"] for r in cli(site, "ENOSPC", tmp_path, type="runbook")["results"]])
    assert shown_ids(page) == ["disk-full"] and box.locator(".kbgen-search__type").all_inner_texts() == ["Runbook"]
    page.locator(".kbgen-search__filter[data-filter='type']").select_option("")
    page.locator(".kbgen-search__filter[data-filter='product']").select_option("api")
    want = [r["id"] for r in cli(site, "ENOSPC", tmp_path, product="api")["results"]]
    wait_for_ids(page, want)
    assert want == ["index"]  # the home page names no product; the db entries are gone
    page.locator(".kbgen-search__filter[data-filter='type']").select_option("runbook")
    page.wait_for_function("() => document.querySelector('.kbgen-search__meta').textContent === 'No results'")
    assert box.locator(".kbgen-search__result").count() == 0
    assert page.errors == []


def test_keyboard(page, search_site):
    site, url = search_site
    page.goto(url + "/")
    page.wait_for_load_state("networkidle")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.classList.contains('kbgen-search__input')")
    page.keyboard.type("23505", delay=40)
    page.locator(".kbgen-search[data-query='23505']").wait_for(timeout=15000)
    page.keyboard.press("ArrowDown")
    first = page.locator(".kbgen-search__result a").first.get_attribute("href")
    assert page.evaluate("document.activeElement.getAttribute('href')") == first
    page.keyboard.press("Escape")
    assert page.locator(".kbgen-search__panel").is_hidden()
    page.locator(".kbgen-search__input").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(first)
    assert page.errors == []
