"""The chat survives a server restart: visible "connection lost", backoff, reconnect, queued message sent."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import free_port
from tests.web.conftest import open_shop
from tests.web.test_chat_panel import open_chat, send, wait_for_reply


def test_chat_reconnects_after_a_server_restart(new_page, make_server, tmp_path_factory):
    state = tmp_path_factory.mktemp("restart-state")  # the same SQLite file and token secret on both runs
    port = free_port()
    server = make_server(port=port, data_dir=state)
    page = open_shop(new_page(), server.base_url)
    open_chat(page)
    send(page, "running shoes")
    first = wait_for_reply(page, 2)
    expect(first.get_by_test_id("product-card").first).to_be_visible()

    server.stop()
    status = page.get_by_test_id("chat-status")
    expect(status).to_have_attribute("data-state", "error")
    expect(status).to_contain_text("Connection lost")
    send(page, "sneakers")  # typed while the server is down: kept and sent once it is back

    make_server(port=port, data_dir=state)
    expect(status).to_have_attribute("data-state", "open", timeout=60000)
    reply = wait_for_reply(page, 3)
    expect(reply.get_by_test_id("product-card").first).to_be_visible()
    log = page.get_by_test_id("chat-log")
    expect(log.locator('[data-role="user"]')).to_have_text(["running shoes", "sneakers"])
    # The first reply is still on screen: the conversation was resumed, not wiped.
    expect(first.get_by_test_id("product-card").first).to_be_visible()
