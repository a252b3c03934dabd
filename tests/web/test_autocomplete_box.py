"""The search box in a real browser: suggestions per keystroke, highlight, keyboard, ARIA combobox."""

from __future__ import annotations

from playwright.sync_api import expect


def test_typing_sne_suggests_sneakers_with_the_typed_part_highlighted(shop, client):
    box = shop.get_by_test_id("search-input")
    box.press_sequentially("sne", delay=15)  # real keystrokes: each one asks the server
    expect(shop.get_by_test_id("autocomplete-list")).to_have_attribute("data-q", "sne")  # the last keystroke's answer
    items = shop.get_by_test_id("autocomplete-item")
    expect(items.first).to_be_visible()
    texts = [t.lower() for t in items.all_inner_texts()]
    assert any("sneaker" in t for t in texts), texts
    # What is shown is the answer for the last keystroke, never an older one.
    api = client.get("/api/autocomplete", params={"q": "sne", "k": 8}).json()
    shown = items.evaluate_all("els => els.map(e => e.querySelector('.sm-ac-text').textContent)")
    assert shown == [s["text"] for s in api["suggestions"]]
    for i, s in enumerate(api["suggestions"]):
        marks = items.nth(i).locator("mark").all_inner_texts()
        assert marks == [s["text"][a:b] for a, b in s["highlight"]]
    products = shop.get_by_test_id("autocomplete-product")
    expect(products).to_have_count(min(3, len(api["products"])))
    if api["products"]:
        first = products.first
        expect(first).to_have_attribute("data-product-id", api["products"][0]["id"])
        expect(first.locator(".sm-ac-price")).to_contain_text("₹")
        expect(first.locator(".sm-thumb")).to_be_visible()  # image or its placeholder


def test_arrow_and_enter_run_the_suggested_search(shop, client):
    box = shop.get_by_test_id("search-input")
    box.press_sequentially("sne", delay=15)
    expect(shop.get_by_test_id("autocomplete-list")).to_have_attribute("data-q", "sne")  # the last keystroke's answer
    items = shop.get_by_test_id("autocomplete-item")
    expect(items.first).to_be_visible()
    first_text = items.first.locator(".sm-ac-text").inner_text()
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(items.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", items.first.get_attribute("id"))
    box.press("ArrowDown")
    box.press("ArrowUp")  # back to the first
    expect(items.first).to_have_attribute("aria-selected", "true")
    with shop.expect_response(lambda r: "/api/autocomplete/accept" in r.url) as accepted:
        box.press("Enter")
    assert accepted.value.ok
    expect(box).to_have_value(first_text)
    expect(box).to_have_attribute("aria-expanded", "false")
    grid = shop.locator(f'[data-testid="results-grid"][data-query="{first_text}"]')
    expect(grid).to_be_visible()
    expected = client.get("/api/search", params={"q": first_text, "k": 12}).json()["results"]
    assert expected, "the suggestion must lead to products"
    ids = grid.get_by_test_id("product-card").evaluate_all("els => els.map(e => e.dataset.productId)")
    assert ids == [c["id"] for c in expected]


def test_escape_closes_then_clears(shop):
    box = shop.get_by_test_id("search-input")
    box.press_sequentially("sne", delay=15)
    expect(shop.get_by_test_id("autocomplete-list")).to_have_attribute("data-q", "sne")  # the last keystroke's answer
    expect(shop.get_by_test_id("autocomplete-item").first).to_be_visible()
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(shop.get_by_test_id("autocomplete-list")).to_be_hidden()
    expect(box).to_have_value("sne")
    box.press("Escape")
    expect(box).to_have_value("")


def test_product_hit_opens_the_product(shop, client):
    box = shop.get_by_test_id("search-input")
    box.press_sequentially("sne", delay=15)
    expect(shop.get_by_test_id("autocomplete-list")).to_have_attribute("data-q", "sne")  # the last keystroke's answer
    products = shop.get_by_test_id("autocomplete-product")
    expect(products.first).to_be_visible()
    pid = products.first.get_attribute("data-product-id")
    products.first.click()
    expect(shop.get_by_test_id("product-detail")).to_have_attribute("data-product-id", pid)


def test_overlong_input_shows_the_servers_reason(shop):
    box = shop.get_by_test_id("search-input")
    box.fill("s" * 201)  # the real server refuses over 200 characters (422)
    status = shop.get_by_test_id("autocomplete-status")
    expect(status).to_contain_text("Suggestions are unavailable")
    expect(status).to_contain_text("200")


def test_a_picked_suggestion_teaches_what_the_typed_letters_lead_to(new_page, make_server):
    import json

    import httpx

    from tests.web.conftest import open_shop

    srv = make_server(rate_sessions="", rate_events="", rate_chat="")  # its own autocomplete: this test teaches it
    before = [
        s["text"]
        for s in httpx.get(srv.base_url + "/api/autocomplete", params={"q": "sne", "k": 8}).json()["suggestions"]
    ]
    assert len(before) >= 3, before
    page = open_shop(new_page(), srv.base_url)
    box = page.get_by_test_id("search-input")
    box.press_sequentially("sne", delay=15)
    expect(page.get_by_test_id("autocomplete-list")).to_have_attribute("data-q", "sne")
    last = page.get_by_test_id("autocomplete-item").nth(len(before) - 1)
    picked = last.locator(".sm-ac-text").inner_text()
    assert picked == before[-1]
    with page.expect_request(lambda r: "/api/autocomplete/accept" in r.url) as req:
        last.click()
    assert json.loads(req.value.post_data) == {"text": picked, "typed": "sne"}
    expect(page.locator(f'[data-testid="results-grid"][data-query="{picked}"]')).to_be_visible()
    after = [
        s["text"]
        for s in httpx.get(srv.base_url + "/api/autocomplete", params={"q": "sne", "k": 8}).json()["suggestions"]
    ]
    assert after.index(picked) < before.index(picked), (before, after)  # the next shopper typing "sne" sees it higher
