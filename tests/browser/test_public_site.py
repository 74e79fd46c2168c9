"""The published public site, as a person uses it, in headless Chromium."""
from __future__ import annotations

import functools
import gzip
import json
import threading
import urllib.error
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from kbgen.text.anchors import code_anchor

pytestmark = pytest.mark.browser


def test_home_page(page, public_site_url, shots):
    page.goto(public_site_url + "/")
    assert page.locator("h1").first.inner_text().rstrip("¶") == "Support knowledge base"  # ¶: the permalink
    page.screenshot(path=str(shots / "home.png"), full_page=True)
    print(f"\nscreenshot: {shots / 'home.png'}")
    assert page.errors == []


@pytest.mark.parametrize("code,targets", [
    ("429", ("/reference/http-status-codes/", "/runbooks/anya-api-rate-limiting/", "/runbooks/api-rate-limiting/")),
    ("QT-001", ("/reference/mwrasp-error-codes/",)),
    ("ENOSPC", ("/reference/system-errors/", "/runbooks/system-health-check/")),
])
def test_search_box_reaches_the_code(page, public_site_url, code, targets):
    """Type an error code into the header's search box (Pagefind, kbgen.pagefind);
    the first result is its error entry or its runbook, and following it lands
    on a page showing the code."""
    page.goto(public_site_url + "/")
    page.wait_for_load_state("networkidle")
    page.locator(".kbgen-search__input").click()
    page.keyboard.type(code, delay=60)
    # results update per keystroke: the box marks those of the whole query
    page.locator(f".kbgen-search[data-query='{code}'] .kbgen-search__result a").first.wait_for(timeout=20000)
    result = page.locator(".kbgen-search__result a").first
    href = urlsplit(result.get_attribute("href") or "").path
    assert any(href.endswith(t) for t in targets), href
    # the result list also offers the code's own section
    sections = [urlsplit(a.get_attribute("href") or "").fragment for a in page.locator(".kbgen-search__result a").all()]
    assert code_anchor(code) in sections or "runbooks" in href, sections
    result.click()
    page.wait_for_load_state()
    assert code in page.locator("article").inner_text()
    assert page.errors == []


def test_runbook_page_copy_button(page, public_site_url, shots):
    page.goto(public_site_url + "/runbooks/anya-authentication-failures/")
    assert "Unable to authenticate to Anya Core" in page.locator("h1").first.inner_text()
    # Material 9.8 draws the copy button as .md-code__button[data-md-type=copy] (older: .md-clipboard)
    button = page.locator("button[data-md-type='copy'], button.md-clipboard").first
    button.wait_for(state="attached", timeout=10000)
    page.locator("pre").first.hover()
    button.click()
    page.screenshot(path=str(shots / "runbook.png"), full_page=True)
    print(f"\nscreenshot: {shots / 'runbook.png'}")
    assert page.errors == []


def test_error_code_page(page, public_site_url, shots):
    page.goto(public_site_url + "/reference/mwrasp-error-codes/")
    page.screenshot(path=str(shots / "error-codes.png"), full_page=True)
    page.goto(public_site_url + "/reference/mwrasp-error-codes/#qt-001")
    assert page.locator("[id='qt-001']").count() == 1
    assert page.locator("[id='qt-001']").is_visible()
    print(f"\nscreenshot: {shots / 'error-codes.png'}")
    assert page.errors == []


def test_mermaid_escalation_diagram_renders_as_svg(page, public_site_url, shots):
    # Material renders diagrams into a closed shadow root; open it so the test can look inside.
    page.add_init_script("const a = Element.prototype.attachShadow; Element.prototype.attachShadow = "
                         "function (o) { return a.call(this, Object.assign({}, o, {mode: 'open'})); };")
    page.goto(public_site_url + "/support/anya-support-tiers/")
    svg = page.locator(".mermaid svg").first
    svg.wait_for(timeout=20000)
    labels = page.locator(".mermaid svg").first.evaluate("e => e.textContent")
    assert "Tier 1 - Level 1 Support" in labels and "Tier 3 - Level 3 Support" in labels
    page.screenshot(path=str(shots / "tiers.png"), full_page=True)
    assert page.errors == []


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _get(url: str) -> bytes:
    return urllib.request.urlopen(url).read()


def _pagefind(url: str) -> bytes:
    """A Pagefind index file as served: gzip, then Pagefind's signature."""
    data = gzip.decompress(_get(url))
    assert data.startswith(b"pagefind_dcd"), url
    return data[len(b"pagefind_dcd"):]


def test_internal_page_is_absent(public_site_url, example_internal):
    """The internal runbook is not served, and nothing the public site's search
    serves (every Pagefind fragment, word chunk and filter its metadata names)
    holds it. Online builds have no lunr index at all."""
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(public_site_url + "/runbooks/quantum-gateway-unreachable/")
    assert err.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(public_site_url + "/search/search_index.json")
    assert err.value.code == 404

    def served(site_url: str) -> dict[str, bytes]:
        from kbgen.site.pagefind import _cbor_load
        bundle = site_url + "/pagefind/"
        out = {}
        for info in json.loads(_get(bundle + "pagefind-entry.json"))["languages"].values():
            meta, _ = _cbor_load(_pagefind(f"{bundle}pagefind.{info['hash']}.pf_meta"))
            _version, pages, chunks, filters = meta[:4]
            urls = ([f"fragment/{h}.pf_fragment" for h, _words in pages] + [f"index/{c[2]}.pf_index" for c in chunks]
                    + [f"filter/{h}.pf_filter" for _name, h in filters])
            out.update({u: _pagefind(bundle + u) for u in urls})
        return out

    marker = b"Agents cannot connect to the quantum gateway"
    public = served(public_site_url)
    fragments = [json.loads(data) for u, data in public.items() if u.startswith("fragment/")]
    assert len(fragments) > 50 and any(f["url"] == "/runbooks/anya-authentication-failures/" for f in fragments)
    assert not [f["url"] for f in fragments if "quantum-gateway-unreachable" in f["url"]]
    assert not [u for u, data in public.items() if marker in data]
    # the internal site's index has it (so this test can fail)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(example_internal)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        internal = served(f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
    assert [u for u, data in internal.items() if marker in data]
