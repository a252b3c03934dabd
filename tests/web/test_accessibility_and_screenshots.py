"""axe-core over every state of the widget, and the README's screenshots (desktop and phone width)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.conftest import DESKTOP, MOBILE, SCREENSHOTS, VENDOR, open_shop
from tests.web.test_chat_panel import open_chat, send, wait_for_reply

# Rules that do not apply, with the reason. Empty: every applicable axe rule must pass.
AXE_EXCEPTIONS: dict[str, str] = {}


def axe_violations(page: Page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(VENDOR / "axe.min.js"))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3)
                                                     .map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
    }""")
    return [v for v in result if v["id"] not in AXE_EXCEPTIONS]


def assert_accessible(page: Page, state: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe violations with {state}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations
    )


def test_axe_passes_on_every_widget_state(shop):
    expect(shop.get_by_test_id("results-grid")).to_be_visible()
    assert_accessible(shop, "the results grid")
    box = shop.get_by_test_id("search-input")
    box.press_sequentially("sne", delay=15)
    expect(shop.get_by_test_id("autocomplete-list")).to_have_attribute("data-q", "sne")  # the last keystroke's answer
    expect(shop.get_by_test_id("autocomplete-item").first).to_be_visible()
    box.press("ArrowDown")
    assert_accessible(shop, "the autocomplete open")
    box.press("Escape")
    open_chat(shop)
    send(shop, "sneakers for men")
    reply = wait_for_reply(shop, 2)
    reply.get_by_test_id("why-button").first.click()
    assert_accessible(shop, "the chat open with a reply")
    shop.get_by_test_id("privacy-open").click()
    shop.get_by_test_id("profile-show").click()
    expect(shop.get_by_test_id("profile-view")).to_contain_text("What we know about you")
    assert_accessible(shop, "the privacy panel and profile")


def test_axe_passes_at_phone_width(new_page, live_server):
    page = open_shop(new_page(viewport=MOBILE, is_mobile=True, has_touch=True), live_server.base_url)
    expect(page.get_by_test_id("results-grid")).to_be_visible()
    assert_accessible(page, "the phone-width page")
    open_chat(page)
    send(page, "running shoes")
    wait_for_reply(page, 2)
    assert_accessible(page, "the phone-width chat")


PICTURES = ("desktop.png", "desktop-autocomplete.png", "mobile.png", "mobile-chat.png")


def test_screenshots_of_the_demo_page(new_page, live_server):
    """The README's pictures (into build/screenshots; `make screenshots`: docs/screenshots); the assertions
    check that the pictured state is the real, working one."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name in PICTURES:  # the size check below must see this run's pictures
        (SCREENSHOTS / name).unlink(missing_ok=True)
    page = open_shop(new_page(viewport=DESKTOP), live_server.base_url)
    expect(page.get_by_test_id("results-grid").get_by_test_id("product-card").first).to_be_visible()
    open_chat(page)
    send(page, "sneakers for men")
    expect(wait_for_reply(page, 2).get_by_test_id("product-card").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "desktop.png"))
    page.get_by_role("button", name="Close chat").click()
    box = page.get_by_test_id("search-input")
    box.press_sequentially("sne", delay=15)
    expect(page.get_by_test_id("autocomplete-list")).to_have_attribute("data-q", "sne")  # the last keystroke's answer
    expect(page.get_by_test_id("autocomplete-product").first).to_be_visible()
    box.press("ArrowDown")
    page.screenshot(path=str(SCREENSHOTS / "desktop-autocomplete.png"))

    phone = open_shop(
        new_page(viewport=MOBILE, is_mobile=True, has_touch=True, device_scale_factor=2),
        live_server.base_url,
        "/?q=running%20shoes",
    )
    expect(phone.get_by_test_id("results-grid").get_by_test_id("product-card").nth(3)).to_be_visible()
    phone.screenshot(path=str(SCREENSHOTS / "mobile.png"))
    open_chat(phone)
    send(phone, "running shoes under 2000")
    expect(wait_for_reply(phone, 2).get_by_test_id("product-card").first).to_be_visible()
    phone.screenshot(path=str(SCREENSHOTS / "mobile-chat.png"))
    for name in PICTURES:
        assert (SCREENSHOTS / name).stat().st_size > 10_000, name
