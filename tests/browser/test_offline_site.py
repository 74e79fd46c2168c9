"""`kbgen build --offline`: the public example opened from file:// in headless
Chromium, with no request leaving the machine."""
from __future__ import annotations

import json

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


def test_search_works_from_file_urls(watched, offline_site, tmp_path):
    """file:// pages cannot fetch(): the box loads its engine and the index's
    files as scripts, finds what `kbgen search` finds, and its links open the
    pages (name.html) from disk."""
    watched.goto((offline_site / "runbooks" / "system-health-check.html").as_uri())  # a page one level down
    watched.wait_for_load_state("networkidle")
    watched.locator(".kbgen-search__input").click()
    watched.keyboard.type("disk full", delay=60)
    watched.wait_for_function("() => document.querySelector('.kbgen-search').dataset.query === 'disk full'",
                              timeout=20000)
    ids = [li.get_attribute("data-id") for li in watched.locator(".kbgen-search__result").all()]
    want = json.loads(run_kbgen("search", ROOT, "disk full", "--audience", "public", "--json",
                                env={"KBGEN_SEARCH_DIR": str(tmp_path)}).stdout)
    assert ids == [r["id"] for r in want["results"]] and ids[0] == "system-errors:ENOSPC"
    first = watched.locator(".kbgen-search__result a").first
    assert first.get_attribute("href") == (offline_site / "reference" / "system-errors.html").as_uri() + "#enospc"
    first.click()
    watched.wait_for_load_state()
    assert watched.locator("[id='enospc']").is_visible()
    assert watched.remote == [] and watched.errors == []


def test_mermaid_renders_from_file_urls(watched, offline_site):
    watched.add_init_script(OPEN_SHADOW)  # Material draws diagrams into a closed shadow root
    watched.goto((offline_site / "support" / "anya-support-tiers.html").as_uri())
    watched.locator(".mermaid svg").first.wait_for(timeout=20000)
    assert "Tier 1" in watched.locator(".mermaid svg").first.evaluate("e => e.textContent")
    assert watched.remote == [] and watched.errors == []
