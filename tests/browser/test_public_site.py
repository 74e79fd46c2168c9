"""The published public site, as a person uses it, in headless Chromium."""
from __future__ import annotations

import functools
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
    """Type an error code into the header's search box (kbgen.search.browser);
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


def served_index(site_url: str) -> dict[str, bytes]:
    """Every file of a site's search index the box can download, as served,
    found the way the box finds them: the manifest names the shards, the
    typo vocabulary and the documents; the shards name the posting lists in
    files of their own."""
    base = site_url + "/search/"
    manifest = json.loads(_get(base + "manifest.json"))
    names = ([f"s/{i}" for i in range(manifest["shards"])] + [f"c/{i}" for i in range(manifest["code_shards"])]
             + [f"w/{w}" for w in manifest["words"]] + [f"d/{i}" for i in range(len(manifest["docs"]["type"]))])
    out = {"manifest": json.dumps(manifest).encode()}
    for name in names:
        out[name] = _get(f"{base}{name}.json")
    for name in [n for n in names if n.startswith("s/")]:
        for entry in json.loads(out[name]).values():
            out.update({f"p/{e[2]}": _get(f"{base}p/{e[2]}.json") for e in entry if isinstance(e[2], int)})
    return out


def test_internal_page_is_absent(public_site_url, example_internal):
    """The internal runbook is not served, and nothing the public site's
    search box can download (manifest, shards, posting lists, typo
    vocabulary, result texts) holds it. No lunr index is built."""
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(public_site_url + "/runbooks/quantum-gateway-unreachable/")
    assert err.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(public_site_url + "/search/search_index.json")
    assert err.value.code == 404

    marker = "Agents cannot connect to the quantum gateway"
    public = served_index(public_site_url)
    texts = [json.loads(data) for u, data in public.items() if u.startswith("d/")]
    assert len(texts) > 50 and any(f["url"] == "runbooks/anya-authentication-failures/" for f in texts)
    assert not [f["url"] for f in texts if "quantum-gateway-unreachable" in f["url"]]
    assert not [u for u, data in public.items() if marker.encode() in data or b"quantum-gateway-unreachable" in data]
    # the internal site's index has it (so this test can fail)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(example_internal)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        internal = served_index(f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
    assert [u for u, data in internal.items() if marker.encode() in data]
