"""What a customer and an agent see of the example site, in headless Chromium
(issue 24, items 3-7): an SLA page, the navigation of both sites, an error
table. Each test saves a screenshot to test-artifacts/screenshots/."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PUBLIC_TOP = ["Home", "Getting help", "Knowledge base", "Products", "Runbooks", "Error codes", "FAQ", "Support", "Tags"]


def _top_level(page) -> list[str]:
    """The navigation's top-level entries as the sidebar shows them."""
    items = page.locator("nav.md-nav--primary > ul.md-nav__list > li.md-nav__item")
    items.first.wait_for()
    return [" ".join(t.split()) for t in items.evaluate_all(
        "els => els.map(li => (li.querySelector(':scope > a, :scope > label, :scope > div > a') || li).innerText)")]


def test_sla_page(page, public_site_url, shots):
    page.goto(public_site_url + "/sla/anya-core-sla/")
    article = page.locator("article")
    article.wait_for()
    facts = article.locator("div.kbgen-facts dt").all_inner_texts()
    assert facts == ["Products", "Owner", "Last reviewed"]
    toc = page.locator("nav.md-nav--secondary").first.locator("a").all_inner_texts()
    assert [t.strip() for t in toc] == ["Response and resolution targets", "Channels"]
    rows = article.locator("table").nth(1).locator("tbody tr td:first-child").all_inner_texts()
    assert rows == ["Critical issues", "High priority", "Standard issues", "Low priority"]
    assert "anya-critical" not in article.inner_text()
    page.screenshot(path=str(shots / "sla-page.png"), full_page=True)
    assert page.errors == []


def test_public_navigation(page, public_site_url, shots):
    page.goto(public_site_url + "/products/hydraulic/support-channels/")
    assert _top_level(page) == PUBLIC_TOP
    product = page.locator("nav.md-nav--primary li.md-nav__item--active").nth(1)
    assert product.locator(":scope > label, :scope > a").first.inner_text().strip() == \
        "Hydraulic Network Web Application"
    links = [t.strip() for t in product.locator("nav a").all_inner_texts()]
    assert links[0] == "Overview" and "Hydraulic support channels and business hours" in links
    page.screenshot(path=str(shots / "navigation-public.png"))
    assert page.errors == []


def test_internal_navigation(page, internal_site_url, shots):
    page.goto(internal_site_url + "/products/mwrasp/useful-commands/")
    top = _top_level(page)
    assert top == PUBLIC_TOP[:3] + ["Operations"] + PUBLIC_TOP[3:-1] + ["Alerts", "Tags"]
    active = page.locator("nav.md-nav--primary a.md-nav__link--active").first
    assert active.inner_text().strip() == "mwrasp-cli command reference"
    page.screenshot(path=str(shots / "navigation-internal.png"))
    assert page.errors == []


def test_error_table(page, public_site_url, shots):
    page.goto(public_site_url + "/reference/http-status-codes/")
    table = page.locator("article table").filter(has=page.locator("th", has_text="Message")).first
    table.wait_for()
    codes = table.locator("tbody tr td:first-child a")
    assert codes.count() == 10
    assert codes.first.get_attribute("href") == "#200"
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "error-table.png"))
    assert page.errors == []
