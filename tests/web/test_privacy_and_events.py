"""Shopper controls and events from the widget, against the real profile store (SQLite) of the live server."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.web.test_cards_and_search import run_search


def token_of(page: Page) -> str:
    page.wait_for_function("localStorage.getItem('shopmate.token')")
    return page.evaluate("localStorage.getItem('shopmate.token')")


def shown_ids(page: Page, q: str) -> list[str]:
    grid = run_search(page, q)
    return grid.get_by_test_id("product-card").evaluate_all("els => els.map(e => e.dataset.productId)")


def test_search_add_to_cart_click_and_view_reach_the_event_store(shop, client):
    token = token_of(shop)
    posts = []
    shop.on("request", lambda r: posts.append(r) if r.url.endswith("/api/events") and r.method == "POST" else None)
    grid = run_search(shop, "running shoes")
    card = grid.get_by_test_id("product-card").first
    pid = card.get_attribute("data-product-id")
    card.get_by_test_id("add-to-cart").click()
    other = grid.get_by_test_id("product-card").nth(1).get_attribute("data-product-id")
    grid.get_by_test_id("product-card").nth(1).locator(".sm-card-title a").click()  # opening it: click + view
    expect(shop.get_by_test_id("product-detail")).to_have_attribute("data-product-id", other)
    # The queue acknowledges events only after the server answered 2xx.
    shop.wait_for_function("Shopmate.events.sent === 4 && !Shopmate.events.queue.length")
    assert posts and len(posts) < 4, "events go out in batches"
    sent = [e for r in posts for e in json.loads(r.post_data)]
    assert [e["type"] for e in sent] == ["search", "add_to_cart", "click", "view"]
    assert all(r.headers["authorization"] == f"Bearer {token}" for r in posts)
    stored = client.get("/api/me/export", headers={"Authorization": f"Bearer {token}"}).json()["events"]
    kinds = [(e["type"], e.get("product_id") or e.get("query")) for e in stored]
    for expected in [("search", "running shoes"), ("add_to_cart", pid), ("click", other), ("view", other)]:
        assert expected in kinds, (expected, kinds)


def anonymous_ids(page: Page, q: str) -> list[str]:
    """The same search from the same browser without a token: the server reads device context from the
    request (user agent), so the anonymous baseline must come from the browser too."""
    return page.evaluate(
        """async (q) => {
        const r = await fetch('/api/search?k=12&q=' + encodeURIComponent(q));
        return (await r.json()).results.map(c => c.id);
    }""",
        q,
    )


def test_personalization_toggle_switches_to_anonymous_results(shop, client):
    token = token_of(shop)
    auth = {"Authorization": f"Bearer {token}"}
    blue = client.get("/api/search", params={"q": "blue running shoes", "k": 4}).json()["results"]
    r = client.post(
        "/api/events",
        headers=auth,
        json=[{"type": "view", "product_id": c["id"]} for c in blue]
        + [{"type": "add_to_cart", "product_id": blue[0]["id"]}],
    )
    assert r.status_code == 200, r.text
    anonymous = anonymous_ids(shop, "shoes")
    personal = shown_ids(shop, "shoes")
    assert personal != anonymous, "a shopper with a history gets their own ranking"

    shop.get_by_test_id("chat-open").click()
    shop.get_by_test_id("privacy-open").click()
    toggle = shop.get_by_test_id("personalization-toggle")
    expect(shop.get_by_test_id("privacy-panel")).to_have_attribute("data-loaded", "true")
    expect(toggle).to_be_checked()
    with shop.expect_response(lambda r: r.url.endswith("/api/me/consent")) as consent:
        toggle.click()
    assert consent.value.ok and json.loads(consent.value.request.post_data)["personalization"] is False
    expect(shop.get_by_test_id("privacy-status")).to_contain_text("Personalization is off")
    shop.get_by_role("button", name="Close privacy settings").click()
    shop.get_by_role("button", name="Close chat").click()
    after = shown_ids(shop, "shoes")
    # Anonymous results follow aggregate popularity, which this test's own events moved: compare with now.
    assert after == anonymous_ids(shop, "shoes") and after != personal


def test_profile_download_and_forget_me(shop, client):
    token = token_of(shop)
    run_search(shop, "sneakers")
    shop.evaluate("Shopmate.events.flush()")
    shop.get_by_test_id("chat-open").click()
    shop.get_by_test_id("privacy-open").click()
    shop.get_by_test_id("profile-show").click()
    view = shop.get_by_test_id("profile-view")
    expect(view).to_contain_text("What we know about you")
    expect(view).to_contain_text("sneakers")  # the search just made
    with shop.expect_download() as dl:
        shop.get_by_test_id("export-data").click()
    exported = json.loads(Path(dl.value.path()).read_text())
    assert any(e.get("query") == "sneakers" for e in exported["events"])

    shop.get_by_test_id("forget-me").click()
    with shop.expect_response(lambda r: r.url.endswith("/api/me") and r.request.method == "DELETE") as erased:
        shop.get_by_test_id("forget-me-confirm").click()
    assert erased.value.ok
    expect(shop.get_by_test_id("privacy-status")).to_contain_text("erased")
    r = client.get("/api/me/export", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 or r.json()["events"] == []
    assert token_of(shop) != token  # a fresh anonymous identity from here on
