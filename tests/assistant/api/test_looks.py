"""Complete-the-look over HTTP on a live uvicorn server (tiny catalog): product, cart, errors, live learning."""

from __future__ import annotations

import httpx
import pytest


def _id(tiny_products, title: str) -> str:
    return next(p.id for p in tiny_products if p.title == title)


SHIRT = "Van Heusen Men's Printed Party Shirt"
JEANS = "Wrangler Skanders Fit Men's Jeans"
BELT = "Vermello Men Casual Brown Genuine Leather Belt"
DRESS = "Just In Time Fashions Women's A-line Dress"
BOOTS = "Shuz Touch Boots"


def test_product_look_has_slots_with_cards_and_why(client, tiny_products):
    shirt = _id(tiny_products, SHIRT)
    r = client.get(f"/api/products/{shirt}/complete-the-look", params={"k": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["anchor"]["id"] == shirt
    slots = [s["slot"] for s in body["slots"]]
    assert "bottom" in slots and "footwear" in slots
    for s in body["slots"]:
        assert 1 <= len(s["items"]) <= 2 and s["label"]
        for card in s["items"]:
            assert card["id"] != shirt and card["gender"] in ("men", "unisex")
            assert card["why"][0].startswith(f"goes with: {SHIRT}")
            assert {"title", "price", "image_url", "score"} <= set(card)


def test_unknown_product_is_404_with_a_message(client):
    r = client.get("/api/products/no-such-id/complete-the-look")
    assert r.status_code == 404
    err = r.json()["error"]
    assert err["code"] == "not_found" and "no-such-id" in err["message"]


def test_bad_k_is_422(client, tiny_products):
    r = client.get(f"/api/products/{_id(tiny_products, SHIRT)}/complete-the-look", params={"k": 0})
    assert r.status_code == 422 and "k" in r.json()["error"]["message"]


def test_cart_look_needs_a_token_or_ids(client):
    r = client.get("/api/cart/complete-the-look")
    assert r.status_code == 401
    assert "Authorization: Bearer" in r.json()["error"]["message"] and "ids=" in r.json()["error"]["message"]
    r = client.get("/api/cart/complete-the-look", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401


def test_cart_look_from_ids_skips_what_the_cart_has(client, tiny_products):
    ids = [_id(tiny_products, SHIRT), _id(tiny_products, JEANS)]
    r = client.get("/api/cart/complete-the-look", params={"ids": ",".join(ids)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [a["id"] for a in body["anchors"]] == ids
    slots = [s["slot"] for s in body["slots"]]
    assert slots and "top" not in slots and "bottom" not in slots
    r = client.get("/api/cart/complete-the-look", params={"ids": f"{ids[0]},nope"})
    assert r.status_code == 404 and "nope" in r.json()["error"]["message"]


def _session(c: httpx.Client) -> dict:
    r = c.post("/api/sessions")
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_cart_look_reads_the_shoppers_cart(client, tiny_products):
    auth = _session(client)
    r = client.get("/api/cart/complete-the-look", headers=auth)
    assert r.status_code == 200 and r.json()["slots"] == [] and "empty" in r.json()["message"]
    dress = _id(tiny_products, DRESS)
    r = client.post("/api/events", headers=auth, json=[{"type": "add_to_cart", "product_id": dress}])
    assert r.status_code == 200, r.text
    r = client.get("/api/cart/complete-the-look", headers=auth, params={"k": 1})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["anchor"]["id"] == dress
    assert "footwear" in [s["slot"] for s in body["slots"]]
    assert all(s["items"][0]["gender"] in ("women", "unisex") for s in body["slots"])


@pytest.fixture(scope="module")
def fresh_server(make_server):
    return make_server(outfit_copurchase_ttl_s=0)  # every request reads the event log


def test_carts_of_other_shoppers_reorder_the_slots_live(fresh_server, tiny_products):
    shirt, belt = _id(tiny_products, SHIRT), _id(tiny_products, BELT)
    dress, boots = _id(tiny_products, DRESS), _id(tiny_products, BOOTS)
    with httpx.Client(base_url=fresh_server.base_url, timeout=60) as c:

        def order() -> list[str]:
            r = c.get(f"/api/products/{shirt}/complete-the-look", params={"k": 1})
            assert r.status_code == 200, r.text
            return [s["slot"] for s in r.json()["slots"]]

        before = order()
        assert before.index("bottom") < before.index("belt")
        for pair in [(shirt, belt)] * 3 + [(dress, boots)] * 3:
            auth = _session(c)
            r = c.post("/api/events", headers=auth, json=[{"type": "add_to_cart", "product_id": pid} for pid in pair])
            assert r.status_code == 200, r.text
        after = order()
        assert after.index("belt") < after.index("bottom"), after
        r = c.get(f"/api/products/{shirt}/complete-the-look", params={"k": 1})
        belt_card = next(s["items"][0] for s in r.json()["slots"] if s["slot"] == "belt")
        assert belt_card["id"] == belt and "often bought together" in belt_card["why"][0]
