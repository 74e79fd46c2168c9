"""The example built by each renderer, used as a reader does in headless
Chromium: search finds an error code, the Mermaid diagram renders (and only
its page loads Mermaid), the copy button copies. Whichever search box the
site has: kbgen's search box, Material's, or Zensical's dialog."""
from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from kbfactory import ROOT, run_kbgen

pytestmark = pytest.mark.browser
RENDERERS = ("mkdocs", "properdocs", "zensical")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module", params=RENDERERS)
def site_url(request, tmp_path_factory):
    site = tmp_path_factory.mktemp(f"browser-{request.param}") / "site"
    run_kbgen("build", ROOT, "--audience", "public", "--site-dir", site, "--renderer", request.param, "-q",
              check=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _search(page, query: str) -> list[str]:
    if page.locator(".kbgen-search__input").count():
        page.locator(".kbgen-search__input").click()
        page.keyboard.type(query, delay=40)
        page.locator(f".kbgen-search[data-query='{query}']").wait_for(timeout=15000)
        return [a.get_attribute("href") for a in page.locator(".kbgen-search__result a").all()]
    if page.locator("input.md-search__input").count():
        page.locator("input.md-search__input").click()
        page.keyboard.type(query, delay=60)
        whole = query.lower().replace("-", "+")
        page.locator(f".md-search-result__item a[href*='h={whole}']").first.wait_for(timeout=20000)
        return [a.get_attribute("href") for a in page.locator(".md-search-result__item a").all()]
    page.locator("button.md-search__button").click()  # Zensical: a dialog in an open shadow root
    page.locator("dialog input").first.wait_for(timeout=10000)
    page.keyboard.type(query, delay=60)
    page.locator(f"dialog a[href*='h={query}']").first.wait_for(timeout=20000)
    return [a.get_attribute("href") for a in page.locator("dialog a").all()]


def test_search_finds_an_error_code(page, site_url):
    page.goto(site_url + "/")
    page.wait_for_load_state("networkidle")
    hrefs = _search(page, "QT-001")
    assert hrefs, "no results"
    assert urlsplit(hrefs[0]).path.endswith("/reference/mwrasp-error-codes/"), hrefs[:3]
    assert page.errors == []


def test_mermaid_renders_and_loads_only_where_needed(page, site_url):
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(site_url + "/")
    page.wait_for_load_state("networkidle")
    assert not [u for u in fetched if "mermaid.min.js" in u], "the home page has no diagram"
    # the theme renders diagrams into a closed shadow root; open it to look inside
    page.add_init_script("const a = Element.prototype.attachShadow; Element.prototype.attachShadow = "
                         "function (o) { return a.call(this, Object.assign({}, o, {mode: 'open'})); };")
    page.goto(site_url + "/support/anya-support-tiers/")
    page.locator(".mermaid svg").first.wait_for(timeout=20000)
    labels = page.locator(".mermaid svg").first.evaluate("e => e.textContent")
    assert "Tier 1 - Level 1 Support" in labels
    local = [u for u in fetched if "mermaid.min.js" in u]
    assert local and all(u.startswith(site_url) for u in local), local  # the vendored copy, no CDN
    assert page.errors == []


def test_copy_button_copies_the_command(page, site_url):
    page.goto(site_url + "/runbooks/anya-authentication-failures/")
    button = page.locator("button[data-md-type='copy'], button.md-clipboard, button.md-code__button").first
    button.wait_for(state="attached", timeout=10000)
    pre = page.locator("pre").first
    pre.hover()
    button.click()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.strip() and copied.strip() in pre.inner_text(), copied
    assert page.errors == []
