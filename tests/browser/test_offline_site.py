"""`kbgen build --offline`: the public example opened from file:// in headless
Chromium, with no request leaving the machine."""
from __future__ import annotations

import pytest

from kbfactory import ROOT, run_kbgen

pytestmark = pytest.mark.browser

OPEN_SHADOW = ("const a = Element.prototype.attachShadow; Element.prototype.attachShadow = "
               "function (o) { return a.call(this, Object.assign({}, o, {mode: 'open'})); };")


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("offline") / "site"
    run_kbgen("build", ROOT, "--audience", "public", "--offline", "--site-dir", site, "-q", check=True)
    return site


@pytest.fixture
def watched(page):
    """The page, recording every request that is not for a local file."""
    page.remote = []
    page.on("request", lambda r: page.remote.append(r.url) if not r.url.startswith("file:") else None)
    return page


def test_search_works_from_file_urls(watched, offline_site):
    watched.goto((offline_site / "index.html").as_uri())
    watched.wait_for_load_state("networkidle")
    watched.locator("input.md-search__input").click()
    watched.keyboard.type("QT-001", delay=60)
    first = watched.locator(".md-search-result__item a").first
    first.wait_for(timeout=20000)
    assert "reference/mwrasp-error-codes.html" in first.get_attribute("href")
    assert watched.remote == [] and watched.errors == []


def test_mermaid_renders_from_file_urls(watched, offline_site):
    watched.add_init_script(OPEN_SHADOW)  # Material draws diagrams into a closed shadow root
    watched.goto((offline_site / "support" / "anya-support-tiers.html").as_uri())
    watched.locator(".mermaid svg").first.wait_for(timeout=20000)
    assert "Tier 1" in watched.locator(".mermaid svg").first.evaluate("e => e.textContent")
    assert watched.remote == [] and watched.errors == []
