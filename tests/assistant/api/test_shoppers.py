"""Shopper profiles end to end: a live uvicorn server, its real SQLite file, the real model."""

from __future__ import annotations

import re
import sqlite3
import time

import httpx
import pytest

from assistant.shoppers.tokens import sign_login

SHOP_SECRET = "shop-secret-for-tests"


@pytest.fixture(scope="module")
def srv(make_server):
    return make_server(shop_secret=SHOP_SECRET, segments_refresh_s=0)


@pytest.fixture(scope="module")
def http(srv):
    with httpx.Client(base_url=srv.base_url, timeout=60) as c:
        yield c


def session(http) -> dict:
    r = http.post("/api/sessions")
    assert r.status_code == 200, r.text
    body = r.json()
    return {"id": body["shopper_id"], "h": {"Authorization": f"Bearer {body['token']}"}}


def post(http, who, events):
    return http.post("/api/events", json=events, headers=who["h"])


def search(http, q, who=None, **params):
    r = http.get("/api/search", params={"q": q, "k": 10, **params}, headers=who["h"] if who else {})
    assert r.status_code == 200, r.text
    return r.json()["results"]


def blue_shoes(products):
    return [p for p in products if p.colour == "blue" and "shoe" in (p.title + " " + p.category_path).lower()]


def db_count(srv, sql, args=()):
    con = sqlite3.connect(srv.settings.data_dir / "shoppers.sqlite3")
    try:
        return con.execute(sql, args).fetchone()[0]
    finally:
        con.close()


def test_viewing_blue_running_shoes_personalizes_shoes(http, tiny_products):
    viewed = blue_shoes(tiny_products)
    assert len(viewed) >= 2, "the tiny catalog has blue shoes to view"
    anon = search(http, "shoes")
    me = session(http)
    assert search(http, "shoes", me) == anon  # no history yet: same as anonymous
    r = post(
        http,
        me,
        [{"type": "view", "product_id": p.id, "context": {"device": "desktop"}} for p in viewed]
        + [{"type": "click", "product_id": viewed[0].id}],
    )
    assert r.status_code == 200 and r.json()["stored"] == len(viewed) + 1
    mine = search(http, "shoes", me)  # the very next request already reflects the events
    assert [c["id"] for c in mine] != [c["id"] for c in anon]
    blue = lambda cards: sum(c["colour"] == "blue" for c in cards)
    shoe = lambda cards: sum("shoe" in (c["title"] + c["category"]).lower() for c in cards)
    assert blue(mine) > blue(anon)
    assert shoe(mine) >= shoe(anon)
    titles = {p.title for p in viewed}
    reasons = [w for c in mine for w in c["why"]]
    assert any(
        w.startswith("similar to ")
        and any(t in w for t in titles)
        and ("you viewed today" in w or "you opened today" in w)
        for w in reasons
    ), reasons
    # precise queries are moved less than vague ones; hard filters always hold
    for c in search(http, "shoes", me, colour="black"):
        assert c["colour"] == "black"
    for c in search(http, "red shoes", me):  # a parsed colour: known other colours never, unknown may show
        assert c["colour"] in ("red", None)


def test_consent_off_is_identical_to_anonymous(http, srv, tiny_products):
    me = session(http)
    shoes = blue_shoes(tiny_products)
    assert post(http, me, [{"type": "view", "product_id": p.id} for p in shoes]).status_code == 200
    assert search(http, "shoes", me) != search(http, "shoes")
    r = http.put("/api/me/consent", json={"personalization": False}, headers=me["h"])
    assert r.status_code == 200 and r.json()["personalization"] is False
    for q in ("shoes", "watch", ""):
        assert search(http, q, me) == search(http, q)
    browse_anon = http.get("/api/browse", params={"category": "Footwear"}).json()
    assert http.get("/api/browse", params={"category": "Footwear"}, headers=me["h"]).json() == browse_anon
    before = db_count(srv, "SELECT COUNT(*) FROM events WHERE shopper_id=?", (me["id"],))
    r = post(
        http,
        me,
        [
            {"type": "view", "product_id": shoes[0].id},
            {"type": "search", "query": "blue shoes"},
            {"type": "add_to_cart", "product_id": shoes[0].id},
        ],
    )
    assert r.json()["stored"] == 1 and r.json()["dropped"] == 2  # only the cart is kept
    assert db_count(srv, "SELECT COUNT(*) FROM events WHERE shopper_id=?", (me["id"],)) == before + 1
    assert http.get("/api/me/profile", headers=me["h"]).json()["cart"] == [shoes[0].id]
    assert search(http, "shoes", me) == search(http, "shoes")


def test_erase_leaves_nothing(http, srv, tiny_products):
    me = session(http)
    shoes = blue_shoes(tiny_products)
    post(http, me, [{"type": "view", "product_id": p.id} for p in shoes] + [{"type": "search", "query": "shoes"}])
    http.put("/api/me/preferences", json={"sizes": ["42"]}, headers=me["h"])
    exported = http.get("/api/me/export", headers=me["h"]).json()
    assert len(exported["events"]) == len(shoes) + 1 and exported["shopper"]["explicit_preferences"] == {
        "sizes": ["42"]
    }
    r = http.delete("/api/me", headers=me["h"])
    assert r.status_code == 200 and r.json()["erased_events"] == len(shoes) + 1
    after = http.get("/api/me/export", headers=me["h"]).json()
    assert after["events"] == [] and after["shopper"] is None and after["preferences"] == {}
    assert db_count(srv, "SELECT COUNT(*) FROM events WHERE shopper_id=?", (me["id"],)) == 0
    assert db_count(srv, "SELECT COUNT(*) FROM shoppers WHERE id=?", (me["id"],)) == 0
    assert search(http, "shoes", me) == search(http, "shoes")


def test_a_token_reaches_only_its_own_shopper(http, srv, tiny_products):
    a, b = session(http), session(http)
    post(http, b, [{"type": "view", "product_id": tiny_products[0].id}])
    export_a = http.get("/api/me/export", headers=a["h"]).json()
    assert export_a["shopper_id"] == a["id"] and export_a["events"] == []
    # a's signature on b's id is refused, so is a made-up token
    tok_a = a["h"]["Authorization"].split()[1]
    _, exp, sig = tok_a.split(".")
    for forged in (f"{b['id']}.{exp}.{sig}", "nonsense", f"{b['id']}.{exp}.AAAA"):
        h = {"Authorization": f"Bearer {forged}"}
        assert http.get("/api/me/export", headers=h).status_code == 401
        assert http.delete("/api/me", headers=h).status_code == 401
    assert http.delete("/api/me", headers=a["h"]).status_code == 200
    assert len(http.get("/api/me/export", headers=b["h"]).json()["events"]) == 1  # b untouched
    assert http.get("/api/me/export").status_code == 401  # personal calls need a token
    assert post(http, {"h": {}}, [{"type": "view", "product_id": tiny_products[0].id}]).status_code == 401


def test_linking_two_devices_gives_one_profile(http, tiny_products):
    phone, laptop = session(http), session(http)
    shoes = blue_shoes(tiny_products)
    post(http, phone, [{"type": "view", "product_id": p.id} for p in shoes])
    post(http, laptop, [{"type": "search", "query": "running shoes"}])
    ts = int(time.time())
    assertion = {"account_id": "acct-42", "ts": ts, "sig": sign_login(SHOP_SECRET.encode(), "acct-42", ts)}
    r1 = http.post("/api/me/link", json=assertion, headers=phone["h"])
    assert r1.status_code == 200 and r1.json()["shopper_id"] == phone["id"]
    r2 = http.post("/api/me/link", json=assertion, headers=laptop["h"])
    assert r2.status_code == 200 and r2.json()["shopper_id"] == phone["id"] and r2.json()["merged_events"] == 1
    p1 = http.get("/api/me/profile", headers=phone["h"]).json()
    p2 = http.get("/api/me/profile", headers=laptop["h"]).json()  # the laptop's old token now reaches the account
    p3 = http.get("/api/me/profile", headers={"Authorization": f"Bearer {r2.json()['token']}"}).json()
    assert p1 == p2 == p3 and p1["event_count"] == len(shoes) + 1 and p1["recent_searches"] == ["running shoes"]
    assert search(http, "shoes", phone) == search(http, "shoes", laptop) != search(http, "shoes")
    bad = dict(assertion, sig="0" * 64)
    assert http.post("/api/me/link", json=bad, headers=laptop["h"]).status_code == 403


@pytest.mark.parametrize(
    "events, reason",
    [
        ({"type": "teleport", "product_id": "x"}, "unknown"),
        ({"type": "view", "product_id": "no-such-product"}, "not in the catalog"),
        ({"type": "view", "ts": 10**11}, "needs a product_id"),
        ({"type": "search", "query": "x", "ts": time.time() + 3600}, "future"),
        ([{"type": "search", "query": "ok"}] * 501, "over the limit"),
        ([{"type": "search", "query": "ok"}, {"type": "search", "query": "ok"}, "oops"], "events\\[2\\]"),
        ([], "no events"),
    ],
)
def test_bad_events_are_rejected_and_nothing_is_stored(http, srv, events, reason):
    me = session(http)
    r = post(http, me, events)
    assert r.status_code == 422
    import re

    assert re.search(reason, r.json()["error"]["message"]), r.json()
    assert db_count(srv, "SELECT COUNT(*) FROM events WHERE shopper_id=?", (me["id"],)) == 0
    r = http.post("/api/events", content=b"{not json", headers={**me["h"], "content-type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["error"]["message"]


def test_dismissed_items_drop_and_bought_ones_leave_the_feed_not_the_search(http, tiny_products):
    me = session(http)
    top = search(http, "shoes", me)
    gone, bought = top[0], top[1]
    post(http, me, [{"type": "dismiss", "product_id": gone["id"]}, {"type": "purchase", "product_id": bought["id"]}])
    ids = [c["id"] for c in search(http, "shoes", me, k=50)]
    # a one-off purchase is hidden from the feed; a shopper who searches for it again is asking for it
    assert gone["id"] not in ids and bought["id"] in ids
    recs = http.get("/api/recommendations", params={"k": 50}, headers=me["h"]).json()["results"]
    assert gone["id"] not in {r["id"] for r in recs} and bought["id"] not in {r["id"] for r in recs}


def test_recommendations_have_sections_and_reasons(http, tiny_products):
    me = session(http)
    shoes = blue_shoes(tiny_products)
    post(http, me, [{"type": "view", "product_id": shoes[0].id}, {"type": "add_to_cart", "product_id": shoes[1].id}])
    recs = http.get("/api/recommendations", params={"k": 8}, headers=me["h"]).json()["results"]
    assert recs[0]["id"] == shoes[1].id and recs[0]["section"] == "still in your cart"
    assert any(r["section"].startswith("because you") for r in recs)
    assert all(r["why"] for r in recs)
    assert len({r["id"] for r in recs}) == len(recs) == 8


def test_cold_start_context_and_first_click(http, tiny_products):
    plain = http.get("/api/recommendations", params={"k": 10}).json()["results"]
    ref = {"Referer": "https://www.example-search.com/search?q=analog+wrist+watch"}
    ctx = http.get("/api/recommendations", params={"k": 10}, headers=ref).json()["results"]
    watch = lambda cards: sum("watch" in (c["title"] + c["category"]).lower() for c in cards)
    assert watch(ctx) > watch(plain)
    assert any("analog wrist watch" in w for c in ctx for w in c["why"])
    # one event is enough to move a brand-new shopper's feed
    me = session(http)
    mug = next(p for p in tiny_products if "mug" in p.title.lower())
    post(http, me, [{"type": "click", "product_id": mug.id}])
    feed = http.get("/api/recommendations", params={"k": 10}, headers=me["h"]).json()["results"]
    assert sum("mug" in c["title"].lower() for c in feed) > sum("mug" in c["title"].lower() for c in plain)


def test_nudges_for_repeated_views_need_consent_and_are_capped(http, tiny_products):
    p = tiny_products[5]
    me = session(http)
    got = [post(http, me, [{"type": "view", "product_id": p.id}]).json()["nudges"] for _ in range(3)]
    assert got[0] == got[1] == [] and got[2][0]["rule"] == "repeated_views"
    assert "3 times" in got[2][0]["why"] and got[2][0]["incentive"]["code"]
    other = tiny_products[6]
    for _ in range(3):
        post(http, me, [{"type": "view", "product_id": other.id}])
    third = tiny_products[7]
    capped = [post(http, me, [{"type": "view", "product_id": third.id}]).json()["nudges"] for _ in range(3)]
    assert capped == [[], [], []]  # max_per_shopper is 2
    off = session(http)
    http.put("/api/me/consent", json={"nudges": False}, headers=off["h"])
    assert [post(http, off, [{"type": "view", "product_id": p.id}]).json()["nudges"] for _ in range(3)] == [[]] * 3


def test_segments_are_clustered_and_named(http, srv, tiny_products):
    def pick(word):
        return [p for p in tiny_products if word in p.category_path.lower()]

    groups = {"footwear": pick("footwear")[:6], "watches": pick("watches")[:6], "jewellery": pick("jewellery")[:6]}
    for items in groups.values():
        for i in range(4):
            who = session(http)
            post(http, who, [{"type": "click", "product_id": p.id} for p in items[i : i + 3]])
    admin = {"Authorization": "Bearer test-admin"}
    assert http.post("/api/admin/segments/refresh").status_code == 403
    assert http.post("/api/admin/segments/refresh", headers=admin).status_code == 200
    segs = http.get("/api/admin/segments", headers=admin).json()["segments"]
    assert len(segs) >= 2 and all(s["name"] and s["size"] > 0 for s in segs)
    names = " ".join(s["name"] for s in segs).lower()
    assert "watches" in names or "footwear" in names, names
    assert any(w in names for w in ("budget", "mid-range", "premium"))


def test_interface_for_other_features(http, srv, tiny_products):
    """What chat, autocomplete and complete-the-look call on app.state.services.shoppers."""
    sh = srv.app.state.services.shoppers
    me = session(http)
    a, b = tiny_products[10], tiny_products[11]
    sh.record(
        me["id"],
        [
            {"type": "add_to_cart", "product_id": a.id},
            {"type": "purchase", "product_id": b.id},
            {"type": "search", "query": "Linen Shirts"},
            {"type": "search", "query": "linen shirts"},
        ],
    )
    assert sh.cart(me["id"]) == [a.id]
    assert sh.recent_searches(me["id"], 5) == ["linen shirts", "Linen Shirts"]
    assert (min(a.id, b.id), max(a.id, b.id), 1) in sh.copurchase_pairs()
    assert dict(sh.popular_searches(50))["linen shirts"] > 0
    v = sh.profile_vector(me["id"])
    assert v is not None and abs(float((v**2).sum()) - 1.0) < 1e-4
    sh.set_preference(me["id"], "sizes", ["M"])
    assert sh.preferences(me["id"])["sizes"] == ["M"]
    assert sh.authenticate(me["h"]["Authorization"].split()[1]) == me["id"]
    http.put("/api/me/consent", json={"personalization": False}, headers=me["h"])
    assert sh.profile_vector(me["id"]) is None and sh.preferences(me["id"]) == {} and not sh.has_consent(me["id"])
    assert sh.recent_searches(me["id"]) == []


def test_abandoned_cart_nudge_and_feed(http, tiny_products):
    me = session(http)
    item = tiny_products[20]
    post(http, me, [{"type": "add_to_cart", "product_id": item.id, "ts": time.time() - 45 * 60}])
    r = post(http, me, [{"type": "view", "product_id": tiny_products[21].id}]).json()
    assert [n["rule"] for n in r["nudges"]] == ["abandoned_cart"]
    assert item.title in r["nudges"][0]["message"] and "minutes with no purchase" in r["nudges"][0]["why"]
    assert http.get("/api/me/nudges", headers=me["h"]).json()["nudges"][0]["rule"] == "abandoned_cart"
    assert http.get("/api/me/nudges", headers=me["h"]).json()["nudges"] == []  # handed out once


def test_events_older_than_retention_are_purged(make_server, tiny_products):
    srv = make_server(retention_days=2, segments_refresh_s=0)
    sh = srv.app.state.services.shoppers
    with httpx.Client(base_url=srv.base_url, timeout=60) as c:
        me = session(c)
        old, new = tiny_products[30], tiny_products[31]
        r = post(
            c,
            me,
            [
                {"type": "view", "product_id": old.id, "ts": time.time() - 1.5 * 86400},
                {"type": "view", "product_id": new.id},
            ],
        )
        assert r.json()["stored"] == 2
        assert post(c, me, [{"type": "view", "product_id": old.id, "ts": time.time() - 3 * 86400}]).status_code == 422
        real_now = sh.now
        sh.now = lambda: real_now() + 86400  # a day later the first view is past the 2-day retention
        try:
            assert sh.purge_expired() == 1
        finally:
            sh.now = real_now
        events = c.get("/api/me/export", headers=me["h"]).json()["events"]
        assert [e["product_id"] for e in events] == [new.id]
        assert list(sh.profile(me["id"]).items) == [new.id]  # what was learned from it is gone too


NESTED = b"[" * 5000 + b"]" * 5000


@pytest.mark.parametrize(
    "path, method, body, field",
    [
        (
            "/api/events",
            "post",
            b'{"type":"view","product_id":"%s","context":{"device":"\\ud800"}}',
            "context.device|valid Unicode",
        ),
        ("/api/events", "post", b'{"type":"search","query":"shoes \\udfff"}', "query|valid Unicode"),
        ("/api/events", "post", b'{"type":"search","query":"shoes","ts":NaN}', "ts|finite"),
        ("/api/events", "post", b'{"type":"search","query":"shoes","ts":1e309}', "ts|finite"),
        ("/api/events", "post", b'{"type":"search","query":"shoes","ts":1' + b"0" * 400 + b"}", "ts|finite|large"),
        ("/api/events", "post", b'{"type":"search","query":"x","\\ud800":1}', "unknown fields|valid Unicode"),
        ("/api/events", "post", NESTED, "JSON|nest|deep"),
        ("/api/me/preferences", "put", b'{"price_band":[NaN, 100]}', "finite|price_band"),
        ("/api/me/preferences", "put", b'{"brands":["\\ud83d"]}', "brands|valid Unicode"),
        ("/api/me/preferences", "put", NESTED, "JSON|nest|deep"),
        ("/api/me/consent", "put", NESTED, "JSON|nest|deep"),
        ("/api/me/link", "post", b'{"account_id":"\\ud800","ts":1,"sig":"00"}', "account_id|valid Unicode"),
        ("/api/me/link", "post", b'{"account_id":"a","ts":NaN,"sig":"00"}', "ts|finite"),
        ("/api/me/link", "post", b'{"account_id":"a","ts":1,"sig":"\\ud800"}', "sig|valid Unicode"),
    ],
)
def test_bad_values_are_refused_and_never_poison_later_responses(http, srv, tiny_products, path, method, body, field):
    """Lone surrogates, NaN/inf and huge numbers, too-deep nesting: a 422 naming the field, nothing stored,
    and every later response for the shopper still answers."""
    me = session(http)
    body = body.replace(b"%s", tiny_products[0].id.encode())
    r = http.request(method, path, content=body, headers={**me["h"], "content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert re.search(field, r.json()["error"]["message"]), r.text  # the field, or the edge check's reason
    assert db_count(srv, "SELECT COUNT(*) FROM events WHERE shopper_id=?", (me["id"],)) == 0
    for later in ("/api/me/export", "/api/me/profile", "/api/recommendations", "/api/me/nudges"):
        assert http.get(later, headers=me["h"]).status_code == 200, later
    assert http.get("/api/search", params={"q": "shoes"}, headers=me["h"]).status_code == 200
    assert http.get("/api/browse", params={"category": "Footwear"}, headers=me["h"]).status_code == 200
    assert http.get("/api/me/profile", headers=me["h"]).json()["preferences"] == {}
