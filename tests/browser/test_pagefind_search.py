"""kbgen's Pagefind search box, as a reader uses it, in headless Chromium.

(Named test_pagefind_search.py: tests/test_pagefind.py exists, and pytest
cannot collect two test modules of the same name without packages.)"""
from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from test_pagefind import ENTRIES, build_search_kb

pytestmark = pytest.mark.browser

DECOYS = {  # pages of SEARCH_KB that name the code once, in passing
    "QT-001": ("/api/throttling-faq/", "/"),
    "429": ("/api/throttling-faq/", "/"),
    "ENOSPC": ("/db/maintenance/", "/"),
    "23505": ("/db/maintenance/", "/db/import-guide/", "/"),
    "pg_stat_activity": ("/db/maintenance/", "/runbooks/db-connections/"),
}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def search_site(tmp_path_factory):
    site = build_search_kb(tmp_path_factory.mktemp("pf-browser"), "public")["public"]
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield site, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def search(page, query: str) -> list[str]:
    """Type the query into the header's box; the result links once the box
    shows the results of the whole query (it marks them with data-query)."""
    page.locator(".kbgen-search__input").click()
    page.keyboard.type(query, delay=40)
    page.locator(f".kbgen-search[data-query='{query}']").wait_for(timeout=15000)
    return [a.get_attribute("href") for a in page.locator(".kbgen-search__result a").all()]


@pytest.mark.parametrize("code", list(ENTRIES))
def test_typing_a_code_shows_its_entry_first(page, search_site, code):
    site, url = search_site
    page.goto(url + "/runbooks/disk-full/")  # from a page two levels down: links must be site-relative
    page.wait_for_load_state("networkidle")
    hrefs = search(page, code)
    assert len(hrefs) >= 2, hrefs  # the entry and at least one decoy that mentions it
    first = urlsplit(hrefs[0])
    target = first.path + (f"#{first.fragment}" if first.fragment else "")
    assert target in ENTRIES[code], hrefs
    # a page that mentions the code in passing was in the running, and came after it
    assert set(DECOYS[code]) & {urlsplit(h).path for h in hrefs[1:]}, hrefs
    page.locator(".kbgen-search__result a").first.click()
    page.wait_for_load_state()
    assert code in page.locator("article").inner_text()
    if first.fragment:  # landed on the code's own section
        assert page.locator(f"[id='{first.fragment}']").is_visible()
    assert page.errors == []


def test_one_query_downloads_only_what_it_needs(page, search_site, shots):
    site, url = search_site
    page.goto(url + "/")
    page.wait_for_load_state("networkidle")
    got = []
    page.on("requestfinished", lambda r: got.append(r))
    page.locator(".kbgen-search__input").click()
    page.keyboard.insert_text("ENOSPC")  # one input event: one search (typing would search prefixes on the way)
    page.locator(".kbgen-search[data-query='ENOSPC']").wait_for(timeout=15000)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shots / "pagefind-results.png"))
    paths = [urlsplit(r.url).path for r in got]
    assert not any("search_index" in p for p in paths), paths  # Material's lunr index is never fetched
    assert any(p.endswith("/pagefind/pagefind.js") for p in paths)
    assert sum(p.endswith(".pf_index") for p in paths) == 1, paths  # one word: one index chunk
    shown = page.locator(".kbgen-search__result a").count()
    assert 1 <= sum(p.endswith(".pf_fragment") for p in paths) <= shown, paths  # fragments of shown results only
    body = sum(r.sizes()["responseBodySize"] for r in got)
    on_disk = sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file())
    print(f"\none query: {len(got)} requests, {body / 1024:.1f} KB (the whole index folder: {on_disk / 1024:.0f} KB)")
    assert 0 < body < on_disk
    assert page.errors == []


def test_nothing_is_downloaded_before_the_reader_searches(page, search_site):
    site, url = search_site
    got = []
    page.on("requestfinished", lambda r: got.append(urlsplit(r.url).path))
    page.goto(url + "/db/pg-stat-activity/")
    page.wait_for_load_state("networkidle")
    assert not [p for p in got if "/pagefind/" in p or "search_index" in p], got
    assert page.errors == []


def test_focus_loads_pagefind_and_warms_it_up(page, search_site):
    """Focusing the box loads Pagefind and runs the warm-up query: one small
    index chunk, no fragment (nothing is shown for it)."""
    from kbgen.site.pagefind import WARM_CHUNK
    site, url = search_site
    page.goto(url + "/")
    page.wait_for_load_state("networkidle")
    got = []
    page.on("requestfinished", lambda r: got.append(urlsplit(r.url).path))
    page.locator(".kbgen-search__input").click()
    page.wait_for_selector(".kbgen-search[data-warm]", state="attached")  # the box says when the warm-up query ended
    chunks = [p for p in got if p.endswith(".pf_index")]
    assert any(p.endswith("/pagefind/pagefind.js") for p in got) and any(p.endswith(".pf_meta") for p in got)
    assert len(chunks) == 1 and (site / chunks[0].lstrip("/")).stat().st_size <= WARM_CHUNK, got
    assert not [p for p in got if p.endswith(".pf_fragment")], got
    assert page.locator(".kbgen-search__result").count() == 0  # the warm-up shows nothing
    assert search(page, "QT-001")[0].endswith("/reference/gateway-errors/#qt-001")
    assert page.errors == []


def test_big_sites_search_in_pagefind_worker(page, search_site):
    """From WORKER_PAGES pages the box carries data-worker and Pagefind
    searches in its web worker (the page stays free while it works)."""
    from kbgen.site.pagefind import search_box
    site, url = search_site
    assert " data-worker>" in search_box("", {}, worker=True) and "data-worker" not in search_box("", {})
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "data-worker" not in html  # a small site searches in the page
    page.route(url + "/", lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8",
        body=html.replace('class="kbgen-search" role="search"', 'class="kbgen-search" role="search" data-worker', 1)))
    got = []
    page.on("request", lambda r: got.append(urlsplit(r.url).path))
    page.goto(url + "/")
    page.wait_for_load_state("networkidle")
    hrefs = search(page, "QT-001")
    assert hrefs[0].endswith("/reference/gateway-errors/#qt-001"), hrefs
    assert any(p.endswith("/pagefind/pagefind-worker.js") for p in got), got
    assert page.errors == []


def test_filters_by_product_and_type(page, search_site):
    site, url = search_site
    page.goto(url + "/")
    page.wait_for_load_state("networkidle")
    everything = search(page, "ENOSPC")
    assert "/runbooks/disk-full/" in everything and "/reference/system-errors/#enospc" in everything
    box = page.locator(".kbgen-search")
    page.locator(".kbgen-search__filter[data-filter='type']").select_option("Runbook")
    page.wait_for_function("() => document.querySelector('.kbgen-search__meta').textContent === '1 result'")
    assert [a.get_attribute("href") for a in box.locator(".kbgen-search__result a").all()] == ["/runbooks/disk-full/"]
    assert box.locator(".kbgen-search__type").all_inner_texts() == ["Runbook"]
    page.locator(".kbgen-search__filter[data-filter='type']").select_option("")
    page.locator(".kbgen-search__filter[data-filter='product']").select_option("API gateway")
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
    page.wait_for_url(url + first)
    assert page.errors == []
