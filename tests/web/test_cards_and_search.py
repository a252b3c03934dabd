"""The embed, the results grid and product cards in a real browser against the real server."""

from __future__ import annotations

import struct
import zlib

from playwright.sync_api import expect

from tests.web.conftest import open_shop


def png(width: int = 8, height: int = 8) -> bytes:
    """A valid solid-colour PNG, built here so the test needs no image file."""
    raw = b"".join(b"\x00" + b"\x4f\x46\xe5" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def run_search(page, q: str):
    box = page.get_by_test_id("search-input")
    box.fill(q)
    box.press("Enter")
    grid = page.locator(f'[data-testid="results-grid"][data-query="{q}"]')
    expect(grid).to_be_visible()
    return grid


def api_results(client, q: str, k: int = 12) -> list[dict]:
    r = client.get("/api/search", params={"q": q, "k": k})
    r.raise_for_status()
    return r.json()["results"]


def test_widget_script_and_demo_page_are_served(client):
    js = client.get("/widget.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    assert "data-shopmate-url" in js.text
    page = client.get("/")
    assert '<script src="/widget.js"' in page.text and "data-shopmate-search" in page.text
    for module in ("main.js", "api.js", "search.js", "chat.js", "cards.js", "privacy.js", "widget.css"):
        assert client.get(f"/web/widget/{module}").status_code == 200, module


def test_enter_shows_grid_of_cards_in_server_order_with_prices(shop, client):
    grid = run_search(shop, "sneakers")
    expected = api_results(client, "sneakers")
    cards = grid.get_by_test_id("product-card")
    expect(cards).to_have_count(len(expected))
    ids = cards.evaluate_all("els => els.map(e => e.dataset.productId)")
    assert ids == [c["id"] for c in expected]
    for i, c in enumerate(expected):
        card = cards.nth(i)
        expect(card.locator(".sm-card-title")).to_have_text(c["title"])
        price = card.get_by_test_id("price").inner_text()
        assert price.startswith("₹") and price.replace("₹", "").replace(",", "") == f"{c['price']:g}"
        if c["list_price"] and c["list_price"] > c["price"]:
            pct = round((1 - c["price"] / c["list_price"]) * 100)
            expect(card.get_by_test_id("discount")).to_have_text(f"{pct}% off")
        else:
            expect(card.get_by_test_id("discount")).to_have_count(0)
    assert "q=sneakers" in shop.url  # the results page has a shareable address


def card_of(grid, product_id: str):
    return grid.locator(f'[data-testid="product-card"][data-product-id="{product_id}"]')


def test_cards_show_placeholders_without_or_with_unreachable_images(shop, client):
    grid = run_search(shop, "running shoes")
    results = api_results(client, "running shoes")
    with_image = [c for c in results if c["image_url"]]
    without = [c for c in results if not c["image_url"]]
    assert with_image and without, "this query's results need both kinds of product"
    for c in with_image[:2] + without[:2]:
        card = card_of(grid, c["id"])
        ph = card.get_by_test_id("image-placeholder")
        expect(ph).to_be_visible()  # no image, or the CDN is unreachable (offline): never a broken-image icon
        expect(card.locator("img")).to_have_count(0)
        label = c["category"].split(">")[0].strip() or c["product_type"] or c["title"]
        expect(ph.locator(".sm-ph-letter")).to_have_text(label[0].upper())


def test_images_show_when_they_load(new_page, live_server, client):
    page = new_page()
    image = png()
    page.context.route("**/*.jp*g", lambda route: route.fulfill(status=200, content_type="image/png", body=image))
    open_shop(page, live_server.base_url)
    grid = run_search(page, "running shoes")
    first = next(c for c in api_results(client, "running shoes") if c["image_url"])
    card = card_of(grid, first["id"])
    img = card.locator("img")
    expect(img).to_have_attribute("src", first["image_url"])
    page.wait_for_function("img => img.complete && img.naturalWidth === 8", arg=img.element_handle())
    expect(card.get_by_test_id("image-placeholder")).to_have_count(0)


def test_why_button_shows_the_servers_reason(shop, client):
    grid = run_search(shop, "sneakers")
    first = api_results(client, "sneakers")[0]
    assert first["why"], "search results carry reasons"
    card = grid.get_by_test_id("product-card").first
    why = card.get_by_test_id("why-text")
    expect(why).to_be_hidden()
    card.get_by_test_id("why-button").click()
    expect(why).to_be_visible()
    expect(why).to_have_text(" · ".join(first["why"]))
    expect(card.get_by_test_id("why-button")).to_have_attribute("aria-expanded", "true")


def test_opening_a_product_shows_its_page(shop, client):
    grid = run_search(shop, "sneakers")
    first = api_results(client, "sneakers")[0]
    grid.get_by_test_id("product-card").first.locator(".sm-card-title a").click()
    detail = shop.get_by_test_id("product-detail")
    expect(detail).to_have_attribute("data-product-id", first["id"])
    expect(detail.locator(".sm-detail-title")).to_have_text(first["title"])


def test_failing_search_shows_an_error_not_a_blank(shop):
    box = shop.get_by_test_id("search-input")
    box.fill("x" * 600)  # the real server refuses queries over 500 characters with a 422
    box.press("Enter")
    err = shop.locator("[data-shopmate-results]").get_by_test_id("error")
    expect(err).to_be_visible()
    expect(err).to_contain_text("Search failed")
    expect(err).to_contain_text("500")


def test_unreachable_api_gives_visible_errors(new_page, live_server):
    """A shop page whose data-shopmate-url points at a server that is down: errors shown, page keeps working."""
    from tests.conftest import free_port

    dead = f"http://127.0.0.1:{free_port()}"
    page = new_page()
    html = (
        f'<!doctype html><html lang="en"><head><title>Other shop</title></head><body><main>'
        f'<input data-shopmate-search aria-label="Search"><div data-shopmate-results></div></main>'
        f'<script src="{live_server.base_url}/widget.js" data-shopmate-url="{dead}"></script></body></html>'
    )
    page.route(
        live_server.base_url + "/other-shop",
        lambda route: route.fulfill(status=200, body=html, content_type="text/html"),
    )
    open_shop(page, live_server.base_url, "/other-shop")
    box = page.get_by_test_id("search-input")
    box.fill("shoes")
    status = page.get_by_test_id("autocomplete-status")
    expect(status).to_contain_text("Suggestions are unavailable")
    box.press("Enter")
    expect(page.get_by_test_id("error")).to_contain_text("Can't reach")
    page.get_by_test_id("chat-open").click()
    chat_status = page.get_by_test_id("chat-status")
    expect(chat_status).to_have_attribute("data-state", "error")
    expect(chat_status).to_contain_text("unavailable")


def test_complete_the_look_from_a_card_shows_the_servers_slots(shop, client):
    grid = run_search(shop, "men's shirt")
    card = grid.get_by_test_id("product-card").first
    pid = card.get_attribute("data-product-id")
    look = client.get(f"/api/products/{pid}/complete-the-look", params={"k": 3}).json()
    assert look["slots"], "a shirt has items that go with it"
    card.get_by_test_id("complete-look").click()
    slots = shop.get_by_test_id("look-slot")
    expect(slots).to_have_count(len(look["slots"]))
    assert slots.evaluate_all("els => els.map(e => e.textContent)") == [
        s.get("label") or s["slot"] for s in look["slots"]
    ]
    shown = (
        shop.locator(".sm-look").get_by_test_id("product-card").evaluate_all("els => els.map(e => e.dataset.productId)")
    )
    assert shown == [it["id"] for s in look["slots"] for it in s["items"]]
