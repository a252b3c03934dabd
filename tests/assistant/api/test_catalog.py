"""REST API over a real uvicorn server: search shape, products, index summary, errors, admin reload."""

from __future__ import annotations

import httpx

from index.build import build_index
from tests.conftest import TINY_CATALOG

RESULT_KEYS = {
    "id",
    "title",
    "price",
    "currency",
    "category",
    "brand",
    "colour",
    "gender",
    "image_url",
    "url",
    "score",
    "why",
}


def test_search_response_shape(client):
    r = client.get("/api/search", params={"q": "red shirt for men", "k": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "red shirt for men"
    # a parsed colour and gender are preferences (known red first, unknown next, known other colours never)
    assert body["filters"] == {} and body["preferences"] == {"gender": "men", "colour": "red"}
    assert body["understood"]["colour"] == "red" and body["corrected_query"] is None and body["notice"] is None
    assert isinstance(body["took_ms"], float)
    assert 1 <= len(body["results"]) <= 5
    colours = [item["colour"] for item in body["results"]]
    assert colours[0] == "red" and set(colours) <= {"red", None}
    assert colours == sorted(colours, key=lambda c: c != "red")
    for item in body["results"]:
        assert set(item) >= RESULT_KEYS | {"rating", "variants"}
        assert item["gender"] in ("men", "unisex", None) and item["variants"] >= 1
        assert " > " in item["category"] or item["category"] == ""


def test_search_with_explicit_filters(client):
    r = client.get("/api/search", params={"q": "shoes", "gender": "women", "price_max": 1000, "k": 20})
    body = r.json()
    assert body["filters"] == {"gender": "women", "price_max": 1000.0}
    assert body["results"]
    assert all(x["gender"] in ("women", "unisex") and x["price"] <= 1000 for x in body["results"])


def test_product_and_index_endpoints(client, tiny_products):
    hit = client.get("/api/search", params={"q": "watch", "k": 1}).json()["results"][0]
    p = client.get(f"/api/products/{hit['id']}").json()
    assert p["id"] == hit["id"] and p["title"] == hit["title"] and "description" in p
    idx = client.get("/api/index").json()
    assert idx["count"] == len(tiny_products)
    assert idx["model"].endswith("all-MiniLM-L6-v2") and idx["dim"] == 384
    assert len(idx["catalog_sha256"]) == 64 and idx["built_at"]
    assert client.get("/healthz").json() == {"ok": True}
    assert client.get("/openapi.json").status_code == 200


def test_bad_input_gets_clear_errors(client):
    cases = [
        ({"q": "x", "k": 0}, "k"),
        ({"q": "x", "k": 1000}, "k"),
        ({"q": "x", "colour": "zzz"}, "unknown colour"),
        ({"q": "x", "gender": "aliens"}, "gender must be one of"),
        ({"q": "x", "price_min": 50, "price_max": 10}, "price_min"),
        ({"q": "x" * 600}, "keep it under"),
        ({"q": "x", "mode": "magic"}, "mode must be one of"),
        ({"q": "x", "sort": "foo"}, "sort must be one of"),
        ({"q": "x", "distinct": "maybe"}, "distinct must be true or false"),
        ({"q": "x", "autocorrect": "maybe"}, "autocorrect must be true or false"),
    ]
    for params, words in cases:
        r = client.get("/api/search", params=params)
        assert r.status_code == 422, params
        assert words in r.json()["error"]["message"], r.json()
    r = client.get("/api/products/does-not-exist")
    assert r.status_code == 404 and "does-not-exist" in r.json()["error"]["message"]
    assert client.get("/healthz").status_code == 200  # still serving


def test_admin_reload_swaps_in_a_rebuilt_index(make_server, copy_index, embedder, mapping, tmp_path):
    d = copy_index()
    srv = make_server(index_dir=d, admin_token="s3cret")
    with httpx.Client(base_url=srv.base_url, timeout=60) as c:
        before = c.get("/api/index").json()
        assert c.post("/api/admin/reload").status_code == 403
        assert c.post("/api/admin/reload", headers={"Authorization": "Bearer nope"}).status_code == 403
        # rebuild on disk from a catalog with one product fewer
        lines = TINY_CATALOG.read_text(encoding="utf-8").splitlines(keepends=True)
        smaller = tmp_path / "smaller.csv"
        smaller.write_text("".join(lines[:1] + lines[2:]), encoding="utf-8")
        build_index(smaller, d, embedder, mapping)
        assert c.get("/api/index").json()["version"] == before["version"]  # old one serves until reload
        r = c.post("/api/admin/reload", headers={"Authorization": "Bearer s3cret"})
        assert r.status_code == 200, r.text
        after = c.get("/api/index").json()
        assert after["version"] != before["version"] and after["count"] == before["count"] - 1


def test_admin_disabled_without_token(make_server):
    srv = make_server(admin_token="")
    r = httpx.post(srv.base_url + "/api/admin/reload", timeout=30)
    assert r.status_code == 403 and "SHOPMATE_ADMIN_TOKEN" in r.json()["error"]["message"]


def test_cors_lets_a_shop_page_on_another_origin_use_the_api_and_widget(make_server):
    # The default is same-origin only; a shop lists its origins (or "*", explicitly) in SHOPMATE_CORS_ORIGINS.
    shop = "https://shop.example"
    client = httpx.Client(base_url=make_server(cors_origins="*").base_url, timeout=30)
    pre = client.options(
        "/api/events",
        headers={
            "Origin": shop,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] in (shop, "*")
    assert "authorization" in pre.headers["access-control-allow-headers"].lower()
    r = client.get("/api/search", params={"q": "shoes", "k": 1}, headers={"Origin": shop})
    assert r.headers["access-control-allow-origin"] in (shop, "*")
    js = client.get("/web/widget/main.js", headers={"Origin": shop})  # the widget's ES modules, imported cross-origin
    assert js.status_code == 200 and js.headers["access-control-allow-origin"] in (shop, "*")


def test_cors_can_be_limited_to_the_shops_origins(make_server):
    srv = make_server(cors_origins="https://shop.example")
    ok = httpx.get(srv.base_url + "/healthz", headers={"Origin": "https://shop.example"}, timeout=30)
    assert ok.headers["access-control-allow-origin"] == "https://shop.example"
    other = httpx.get(srv.base_url + "/healthz", headers={"Origin": "https://evil.example"}, timeout=30)
    assert "access-control-allow-origin" not in other.headers


def test_search_reports_corrections_notices_variants_and_sorts(make_server, tmp_path, embedder):
    from tests.assistant.search.shop import build_shop

    catalog, index_dir = build_shop(tmp_path, embedder)
    srv = make_server(index_dir=index_dir, catalog=catalog, mapping=None)
    with httpx.Client(base_url=srv.base_url, timeout=60) as c:
        body = c.get("/api/search", params={"q": "dreses", "k": 5}).json()
        assert body["query"] == "dreses" and body["corrected_query"] == "dresses"
        typed = c.get("/api/search", params={"q": "dreses", "k": 5, "autocorrect": "false"}).json()
        assert typed["query"] == "dreses" and typed["corrected_query"] is None  # "search instead for" as typed
        body = c.get("/api/search", params={"q": "green dress", "k": 5}).json()
        assert "green" in body["notice"] and body["preferences"] == {"colour": "green"}
        grouped = c.get("/api/search", params={"q": "wrap dress", "k": 20}).json()["results"]
        lumen = [x for x in grouped if x["title"] == "Lumen Women's Wrap Dress"]
        assert len(lumen) == 1 and lumen[0]["variants"] == 3
        flat = c.get("/api/search", params={"q": "wrap dress", "k": 20, "distinct": "false"}).json()["results"]
        assert sum(x["title"] == "Lumen Women's Wrap Dress" for x in flat) == 3
        cheap = c.get("/api/search", params={"q": "dress", "k": 5, "sort": "price_asc"}).json()["results"]
        assert [x["price"] for x in cheap] == sorted(x["price"] for x in cheap)
        body = c.get("/api/search", params={"q": "back cover for samsung galaxy j7", "k": 2}).json()
        assert body["filters"] == {} and body["understood"]["compatible_with"] == "samsung galaxy j7"
        assert {x["id"] for x in body["results"]} == {"c-1", "c-2"}
        rated = c.get("/api/search", params={"q": "dress", "k": 3, "sort": "rating"}).json()["results"]
        assert rated[0]["rating"] == 4.8
