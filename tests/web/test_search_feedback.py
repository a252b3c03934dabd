"""What the results page tells the shopper beyond the cards, in a real browser against a real server: the spelling
correction with "search instead for" what was typed, the server's notice, and the number of variants of a
grouped result. Every expected text is read from the server's own answer to the same query."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.assistant.search.shop import build_shop
from tests.web.conftest import open_shop


@pytest.fixture(scope="module")
def shop_server(make_server, tmp_path_factory, embedder):
    """A server over the small search shop (variants, known/unknown colours, a misspellable "dresses")."""
    catalog, index_dir = build_shop(tmp_path_factory.mktemp("feedback-shop"), embedder)
    return make_server(index_dir=index_dir, catalog=catalog, mapping=None)


def api(server, q: str, **params) -> dict:
    r = httpx.get(server.base_url + "/api/search", params={"q": q, "k": 12, **params}, timeout=60)
    r.raise_for_status()
    return r.json()


def submit(page, q: str, autocorrect: bool = True):
    box = page.get_by_test_id("search-input")
    box.fill(q)
    box.press("Enter")
    return shown(page, q, autocorrect)


def shown(page, q: str, autocorrect: bool = True):
    grid = page.locator(f'[data-testid="results-grid"][data-autocorrect="{str(autocorrect).lower()}"]')
    expect(grid).to_have_attribute("data-query", q)
    return grid


def card_ids(grid) -> list[str]:
    return grid.get_by_test_id("product-card").evaluate_all("els => els.map(e => e.dataset.productId)")


def test_correction_is_shown_and_search_instead_reruns_the_typed_words(new_page, shop_server):
    corrected = api(shop_server, "dreses")
    typed = api(shop_server, "dreses", autocorrect="false")
    assert corrected["corrected_query"] and typed["corrected_query"] is None  # what the page must reflect
    page = open_shop(new_page(), shop_server.base_url)
    grid = submit(page, "dreses")
    line = page.get_by_test_id("correction")
    expect(line).to_be_visible()
    expect(line).to_have_text(f"Showing results for {corrected['corrected_query']} · Search instead for dreses")
    expect(page.get_by_test_id("results-title")).to_have_text(f"Results for “{corrected['corrected_query']}”")
    assert card_ids(grid) == [c["id"] for c in corrected["results"]]

    with page.expect_request(lambda r: "/api/search" in r.url and "autocorrect=false" in r.url) as req:
        page.get_by_test_id("search-instead").click()
    assert "q=dreses" in req.value.url
    grid = shown(page, "dreses", autocorrect=False)
    expect(page.get_by_test_id("correction")).to_have_count(0)  # the typed words were searched as they are
    expect(page.get_by_test_id("results-title")).to_have_text("Results for “dreses”")
    assert card_ids(grid) == [c["id"] for c in typed["results"]]


def test_no_correction_line_when_nothing_was_corrected(new_page, shop_server):
    body = api(shop_server, "wrap dress")
    assert body["corrected_query"] is None
    page = open_shop(new_page(), shop_server.base_url)
    submit(page, "wrap dress")
    expect(page.get_by_test_id("correction")).to_have_count(0)


def test_server_text_is_shown_as_text_never_as_markup(new_page, shop_server):
    q = "<img src=x onerror=window.__pwned=1>dreses"
    body = api(shop_server, q)
    assert body["corrected_query"], body  # the page shows a correction line for it
    page = open_shop(new_page(), shop_server.base_url)
    submit(page, q)
    instead = page.get_by_test_id("search-instead")
    expect(instead).to_have_text(q)
    expect(page.get_by_test_id("corrected-query")).to_have_text(body["corrected_query"])
    assert page.locator('[data-testid="correction"] img').count() == 0
    assert page.evaluate("window.__pwned") is None


def test_notice_appears_above_the_results(new_page, shop_server):
    body = api(shop_server, "green dress")
    assert body["notice"]  # the shop has no green dress: the server says what it relaxed
    page = open_shop(new_page(), shop_server.base_url)
    submit(page, "green dress")
    notice = page.get_by_test_id("search-notice")
    expect(notice).to_have_text(body["notice"])
    above = notice.evaluate(
        "n => !!(n.compareDocumentPosition(document.querySelector('[data-testid=results-grid]'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    assert above
    submit(page, "wrap dress")  # a query the page fits: no notice left over from the last one
    assert api(shop_server, "wrap dress")["notice"] is None
    expect(page.get_by_test_id("search-notice")).to_have_count(0)


def test_grouped_results_show_their_variant_count(new_page, shop_server):
    results = api(shop_server, "wrap dress")["results"]
    grouped = [c for c in results if c.get("variants", 1) > 1]
    assert grouped, results  # the shop sells one wrap dress in three variants
    page = open_shop(new_page(), shop_server.base_url)
    grid = submit(page, "wrap dress")
    for c in results:
        card = grid.locator(f'[data-testid="product-card"][data-product-id="{c["id"]}"]')
        if c.get("variants", 1) > 1:
            expect(card.get_by_test_id("variants")).to_have_text(f"{c['variants']} variants")
        else:
            expect(card.get_by_test_id("variants")).to_have_count(0)
