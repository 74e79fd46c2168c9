"""The public site's Content-Security-Policy (kbgen.site.csp): on every page and
in _headers, as strict as Material allows; the example's public site works
under it (search, copy button, Mermaid, palette) with no violation, and an
inline script that content smuggled into a page is refused."""
from __future__ import annotations

import functools
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kbfactory import MKDOCS, run_kbgen, write_kb

pytestmark = pytest.mark.browser

# Every violation the page sees, whatever the console says about it.
WATCH = ("window.__csp = [];"
         "document.addEventListener('securitypolicyviolation', (e) =>"
         " window.__csp.push(e.effectiveDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));")
OPEN_SHADOW = ("const a = Element.prototype.attachShadow; Element.prototype.attachShadow = "
               "function (o) { return a.call(this, Object.assign({}, o, {mode: 'open'})); };")


def policy_of(html: str) -> str:
    metas = BeautifulSoup(html, "html.parser").find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert len(metas) == 1, metas
    return metas[0]["content"]


def directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_every_public_page_carries_the_policy(example_public, example_internal):
    pages = sorted(example_public.rglob("*.html"))
    assert len(pages) > 50
    policies = set()
    for page in pages:
        html = page.read_text(encoding="utf-8")
        policies.add(policy_of(html))
        head = html[:html.index("</head>")] if "</head>" in html else html
        # before anything the policy governs: right after <meta charset>
        assert re.search(r'<meta charset="utf-8">\s*<meta http-equiv="Content-Security-Policy"', head), page
    assert len(policies) == 1  # one policy for the site, the same as _headers
    policy = policies.pop()
    d = directives(policy)
    assert d["default-src"] == ["'none'"]
    assert d["object-src"] == ["'none'"] and d["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in d["script-src"] and "'unsafe-eval'" not in d["script-src"]
    assert [v for v in d["script-src"] if not v.startswith("'sha256-")] == ["'self'"]  # no eval of any kind
    assert d["connect-src"] == ["'self'"] and "worker-src" not in d  # the search box fetches its index, no worker
    assert "frame-ancestors" not in d  # ignored (and reported) in a <meta> policy
    # the example sets font: false and names no remote script or style: no remote origin at all
    assert not re.search(r"https?:", policy), policy
    # every inline script of every page is allowed by one of the hashes (and only the theme's are)
    hashes = {v for v in d["script-src"] if v.startswith("'sha256-")}
    from kbgen.site.csp import script_hashes
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        inline = [s for s in soup.find_all("script") if not s.get("src") and s.get("type") != "application/json"]
        assert len(script_hashes(str(page.read_text(encoding="utf-8")))) == len({s.string for s in inline}), page
    assert hashes
    headers = (example_public / "_headers").read_text(encoding="utf-8").splitlines()
    assert headers[1] == "/*"
    assert f"  Content-Security-Policy: {policy}; frame-ancestors 'none'" in headers
    assert "  X-Content-Type-Options: nosniff" in headers
    # the internal site is left to the server in front of it
    assert "Content-Security-Policy" not in (example_internal / "index.html").read_text(encoding="utf-8")
    assert not (example_internal / "_headers").exists()


def _violations(page) -> list[str]:
    return page.evaluate("window.__csp")


def test_example_works_under_the_policy(page, public_site_url):
    page.add_init_script(WATCH + OPEN_SHADOW)
    # search: kbgen's box (its engine loaded as a script, its index fetched)
    page.goto(public_site_url + "/")
    page.wait_for_load_state("networkidle")
    page.locator(".kbgen-search__input").click()
    page.keyboard.type("QT-001", delay=40)
    page.locator(".kbgen-search[data-query='QT-001']").wait_for(timeout=20000)
    assert page.locator(".kbgen-search__result a").count() >= 1
    page.keyboard.press("Control+A")
    page.keyboard.type("dedlock detected", delay=20)  # a typo: the correction's files too
    page.locator(".kbgen-search__suggestion button").wait_for(timeout=20000)
    assert _violations(page) == []
    # copy button (clipboard API from Material's bundle)
    page.goto(public_site_url + "/runbooks/anya-authentication-failures/")
    button = page.locator("button[data-md-type='copy'], button.md-clipboard").first
    button.wait_for(state="attached", timeout=10000)
    page.locator("pre").first.hover()
    button.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() and copied.strip() in page.locator("pre").first.inner_text()
    assert _violations(page) == []
    # Mermaid draws the escalation diagram (it writes <style> into the SVG)
    page.goto(public_site_url + "/support/anya-support-tiers/")
    page.locator(".mermaid svg").first.wait_for(timeout=20000)
    assert "Tier 1 - Level 1 Support" in page.locator(".mermaid svg").first.evaluate("e => e.textContent")
    assert _violations(page) == []
    assert page.errors == []  # a refused script or style is a console error too


def test_injected_inline_script_is_refused(page, public_site_url, example_public):
    """A script that got past every other check (as if the sanitizer missed
    it) does not run: the policy has no 'unsafe-inline' and no hash for it."""
    page.add_init_script(WATCH)
    target = public_site_url + "/runbooks/anya-authentication-failures/"
    original = (example_public / "runbooks" / "anya-authentication-failures" / "index.html").read_text(encoding="utf-8")
    assert "<article" in original
    smuggled = re.sub(r"(<article\b[^>]*>)", r"\1<script>window.__ran = 1</script>"
                      r"<img src=x onerror=\"window.__ran2 = 1\">", original, count=1)
    page.route(target, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=smuggled))
    page.goto(target)
    page.wait_for_load_state("load")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.__ran3 = 1';"
                  " document.body.appendChild(s); }")
    # the three refusals are reported (events, not a delay, say they happened)
    page.wait_for_function("() => window.__csp.filter((v) => v.startsWith('script-src')).length >= 3")
    assert page.evaluate("[window.__ran, window.__ran2, window.__ran3]") == [None, None, None]
    seen = _violations(page)
    assert sum(v.startswith("script-src-elem inline") for v in seen) == 2, seen
    assert any(v.startswith("script-src-attr inline") for v in seen), seen
    # the theme's own scripts still ran: Material's bundle set up the page
    assert page.evaluate("typeof __md_get") == "function"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


PALETTE = MKDOCS.replace("  name: material\n", """\
  name: material
  font: false
  palette:
    - scheme: default
      toggle: {icon: material/brightness-7, name: Switch to dark mode}
    - scheme: slate
      toggle: {icon: material/brightness-4, name: Switch to light mode}
""")


@pytest.fixture(scope="module")
def palette_site_url(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("csp-palette")
    kb = write_kb(tmp / "kb", mkdocs=PALETTE)
    site = tmp / "site"
    run_kbgen("build", kb, "--audience", "public", "--site-dir", site, "-q", check=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_palette_toggle_under_the_policy(page, palette_site_url):
    page.add_init_script(WATCH)
    page.goto(palette_site_url + "/")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "default"
    page.locator("label[for='__palette_1']").click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    # the choice is applied on the next page by Material's inline palette script (allowed by its hash)
    page.goto(palette_site_url + "/runbooks/public-rb/")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    assert _violations(page) == []
    assert page.errors == []


def test_remote_origins_only_when_the_config_names_them():
    from kbgen.site.csp import build_policy, config_origins
    bare = build_policy(set(), config_origins({"theme": {"name": "material", "font": False}}))
    assert "http" not in bare and "eval" not in bare
    named = config_origins({"theme": {"name": "material"},  # Material's default font: Google Fonts
                            "extra_javascript": ["js/local.js", "https://cdn.example.org/x.js"],
                            "extra_css": [{"path": "https://css.example.net/a.css"}]})
    policy = directives(build_policy(set(), named))
    assert policy["script-src"] == ["'self'", "https://cdn.example.org"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'", "https://css.example.net", "https://fonts.googleapis.com"]
    assert policy["font-src"] == ["'self'", "https://fonts.gstatic.com"]


def test_only_the_themes_inline_scripts_get_a_hash():
    from kbgen.site.csp import script_hashes
    theme = ('<script>__md_scope=new URL("../..",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),'
             '__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),__md_set=(e,_,t='
             'localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}}</script>')
    assert len(script_hashes(theme)) == 1
    # the same script with a value that leaves the string, or any other script: no hash
    assert script_hashes(theme.replace('"../.."', '"",alert(1),""')) == set()
    assert script_hashes("<script>alert(1)</script>") == set()
    assert script_hashes('<script type="application/json">{"a": 1}</script>') == set()


def test_offline_and_internal_builds_are_left_alone(tmp_path):
    from types import SimpleNamespace

    from kbgen.site.csp import apply_csp
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text('<html><head><meta charset="utf-8"></head><body></body></html>')
    public = SimpleNamespace(audience="public", config=SimpleNamespace(raw={}))
    assert apply_csp(SimpleNamespace(audience="internal", config=None), site) is None
    assert apply_csp(public, site, offline=True) is None  # file:// pages: no origin for 'self' to name
    assert "Content-Security-Policy" not in (site / "index.html").read_text()
    assert apply_csp(public, site)
    assert "Content-Security-Policy" in (site / "index.html").read_text()
    assert (site / "_headers").exists()
    assert Path(site / "_headers").read_text().count("Content-Security-Policy") == 1
