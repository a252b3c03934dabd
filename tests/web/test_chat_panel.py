"""The chat panel in a real browser over the real /ws/chat: streaming, cards, why, chips, mobile layout."""

from __future__ import annotations

import json

import httpx
from playwright.sync_api import Page, expect
from websockets.sync.client import connect

from tests.web.conftest import MOBILE, open_shop


class Frames:
    """Every chat frame the page sends and receives, as parsed JSON (recorded by the browser itself)."""

    def __init__(self, page: Page):
        self.received: list[dict] = []
        self.sent: list[dict] = []

        def on_ws(ws):
            if "/ws/chat" in ws.url:
                ws.on("framereceived", lambda payload: self.received.append(json.loads(payload)))
                ws.on("framesent", lambda payload: self.sent.append(json.loads(payload)))

        page.on("websocket", on_ws)

    def turn(self, turn_id: str) -> list[dict]:
        return [f for f in self.received if f.get("turn_id") == turn_id]

    def last_done_turn(self) -> str:
        return [f for f in self.received if f["type"] == "done"][-1]["turn_id"]


def send(page: Page, text: str) -> None:
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-send").click()


def wait_for_reply(page: Page, n: int):
    """The n-th assistant message (1-based, counting the greeting) once its turn is done."""
    msg = page.locator('[data-testid="chat-message"][data-role="assistant"]').nth(n - 1)
    expect(msg).to_have_attribute("data-done", "true")
    return msg


def open_chat(page: Page) -> None:
    page.get_by_test_id("chat-open").click()
    expect(page.get_by_test_id("chat-status")).to_have_attribute("data-state", "open")


def test_message_gets_a_streamed_reply_with_product_cards(shop):
    frames = Frames(shop)
    open_chat(shop)
    send(shop, "sneakers for men")
    user = shop.locator('[data-testid="chat-message"][data-role="user"]').last
    expect(user).to_have_text("sneakers for men")
    reply = wait_for_reply(shop, 2)  # 1 is the widget's greeting
    turn = frames.turn(frames.last_done_turn())
    deltas = [f["text"] for f in turn if f["type"] == "delta"]
    assert len(deltas) >= 2, "the reply arrives in several delta frames"
    expect(reply.locator(".sm-msg-text")).to_have_text("".join(deltas))
    items = next(f["items"] for f in turn if f["type"] == "products")
    assert items
    cards = reply.get_by_test_id("product-card")
    assert cards.evaluate_all("els => els.map(e => e.dataset.productId)") == [c["id"] for c in items]
    for btn in ("add-to-cart", "complete-look", "why-button"):
        expect(cards.first.get_by_test_id(btn)).to_be_visible()
    chips = next((f["chips"] for f in turn if f["type"] == "suggestions"), [])
    assert reply.get_by_test_id("chip").all_inner_texts() == chips


def test_why_in_chat_shows_the_reason_the_server_gave(shop):
    frames = Frames(shop)
    open_chat(shop)
    send(shop, "running shoes")
    reply = wait_for_reply(shop, 2)
    items = next(f["items"] for f in frames.turn(frames.last_done_turn()) if f["type"] == "products")
    card = reply.get_by_test_id("product-card").first
    card.get_by_test_id("why-button").click()
    why = card.get_by_test_id("why-text")
    expect(why).to_be_visible()
    assert items[0].get("why"), "chat cards carry their reasons"
    expect(why).to_have_text(" · ".join(items[0]["why"]))


def test_a_chip_refines_the_results(shop):
    frames = Frames(shop)
    open_chat(shop)
    send(shop, "shoes")
    first = wait_for_reply(shop, 2)
    first_turn = frames.turn(frames.last_done_turn())
    before = next(f["items"] for f in first_turn if f["type"] == "products")
    chip = first.get_by_test_id("chip").first
    chip_text = chip.inner_text()
    chip.click()
    expect(shop.locator('[data-testid="chat-message"][data-role="user"]').last).to_have_text(chip_text)
    assert frames.sent[-1]["type"] == "message" and frames.sent[-1]["text"] == chip_text
    second = wait_for_reply(shop, 3)
    after_turn = frames.turn(frames.last_done_turn())
    after = next(f["items"] for f in after_turn if f["type"] == "products")
    shown = second.get_by_test_id("product-card").evaluate_all("els => els.map(e => e.dataset.productId)")
    assert shown == [c["id"] for c in after]
    assert [c["id"] for c in after] != [c["id"] for c in before], "the chip changed what is shown"


def test_add_to_cart_from_chat_is_sent_as_an_action(shop):
    frames = Frames(shop)
    open_chat(shop)
    send(shop, "running shoes")
    reply = wait_for_reply(shop, 2)
    card = reply.get_by_test_id("product-card").first
    pid = card.get_attribute("data-product-id")
    card.get_by_test_id("add-to-cart").click()
    expect(card.get_by_test_id("add-to-cart")).to_have_text("Added ✓")
    wait_for_reply(shop, 3)  # the assistant confirms in its own turn
    assert {"type": "action", "action": "add_to_cart", "product_id": pid} == frames.sent[-1]


def test_conversation_survives_a_page_reload(shop, live_server):
    open_chat(shop)
    send(shop, "running shoes")
    wait_for_reply(shop, 2)
    shop.reload()
    shop.wait_for_selector("html[data-shopmate-ready]", state="attached")
    open_chat(shop)
    log = shop.get_by_test_id("chat-log")
    expect(log.locator('[data-role="user"]').first).to_have_text("running shoes")
    expect(log.locator('[data-role="assistant"]').first.get_by_test_id("product-card").first).to_be_visible()
    expect(shop.get_by_test_id("chat-panel")).to_have_attribute("data-resumed", "true")


def test_a_refused_conversation_id_is_forgotten_and_a_fresh_chat_starts(new_page, live_server):
    # A conversation that belongs to a signed-in shopper, its id then left in the storage of a visitor who has
    # no token (the session endpoint is down, so the widget chats anonymously and resumes by that id): the
    # server refuses it, and the widget must drop it rather than retry it forever.
    token = httpx.post(live_server.base_url + "/api/sessions", timeout=30).json()["token"]
    ws_base = live_server.base_url.replace("http://", "ws://")
    with connect(f"{ws_base}/ws/chat?token={token}", open_timeout=30) as ws:
        foreign = json.loads(ws.recv(timeout=30))["conversation_id"]
    page = new_page()
    page.add_init_script(f"window.sessionStorage.setItem('shopmate.conversation', {json.dumps(foreign)})")
    page.route("**/api/sessions", lambda route: route.fulfill(status=503, json={"error": {"code": "busy"}}))
    frames = Frames(page)
    open_shop(page, live_server.base_url)
    open_chat(page)
    page.wait_for_function(
        "(old) => { const v = window.sessionStorage.getItem('shopmate.conversation'); return v && v !== old; }",
        arg=foreign,
    )
    codes = [f.get("code") for f in frames.received if f["type"] == "error"]
    assert codes and codes[0] == "forbidden"
    readies = [f for f in frames.received if f["type"] == "ready"]
    assert readies and readies[-1]["conversation_id"] != foreign and not readies[-1]["resumed"]
    send(page, "running shoes")
    expect(wait_for_reply(page, 2).get_by_test_id("product-card").first).to_be_visible()


def test_mobile_width_chat_fills_the_screen(new_page, live_server):
    page = open_shop(new_page(viewport=MOBILE, is_mobile=True, has_touch=True), live_server.base_url)
    open_chat(page)
    box = page.get_by_test_id("chat-panel").bounding_box()
    assert box["x"] == 0 and box["width"] == MOBILE["width"]
    send(page, "sneakers")
    reply = wait_for_reply(page, 2)
    card = reply.get_by_test_id("product-card").first
    cb = card.bounding_box()
    assert cb["x"] >= 0 and cb["x"] + cb["width"] <= MOBILE["width"], "cards fit the screen"
    # No page-level sideways scrolling at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
