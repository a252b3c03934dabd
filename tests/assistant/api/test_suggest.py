"""GET /api/autocomplete and POST /api/autocomplete/accept on a live uvicorn server over the tiny index."""

from __future__ import annotations

import time

import httpx
import pytest

from index.lexical import normalise


def suggest(client: httpx.Client, q: str, token: str | None = None, **params) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = client.get("/api/autocomplete", params={"q": q, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def texts(body: dict) -> list[str]:
    return [s["text"] for s in body["suggestions"]]


def test_shape_highlights_and_products(client):
    body = suggest(client, "cas sh")
    assert body["q"] == "cas sh" and isinstance(body["took_ms"], float)
    assert 1 <= len(body["suggestions"]) <= 8
    for s in body["suggestions"]:
        assert s["kind"] in ("query", "category", "brand", "product")
        assert [normalise(s["text"][a:b])[:3] for a, b in s["highlight"]] == ["cas", "sh"]
    assert 1 <= len(body["products"]) <= 3
    for p in body["products"]:
        assert {"id", "title", "price", "image_url"} <= set(p)
        assert client.get(f"/api/products/{p['id']}").status_code == 200
    # the product hits are products that the best suggestion finds
    best = body["suggestions"][0]["text"]
    found = {
        h["id"] for h in client.get("/api/search", params={"q": best, "k": 100, "mode": "lexical"}).json()["results"]
    }
    assert body["products"][0]["id"] in found
    assert len(texts(suggest(client, "s", k=3))) == 3


def test_typo_and_word_start_over_http(client):
    assert "wrangler" in texts(suggest(client, "wrangelr"))
    assert any(not t.startswith("shoe") for t in texts(suggest(client, "shoe")))


def test_every_suggestion_finds_products_over_http(client):
    for q in ["a", "b", "sh", "wo", "men", "ring"]:
        for t in texts(suggest(client, q)):
            assert client.get("/api/search", params={"q": t, "k": 1, "mode": "lexical"}).json()["results"], t


def test_empty_q_gives_trending(client):
    for q in ("", "   "):
        body = suggest(client, q)
        assert body["products"] == [] and len(body["suggestions"]) == 8
        assert all(s["highlight"] == [] for s in body["suggestions"])


@pytest.mark.parametrize(
    "params,needle",
    [
        ({"q": "x" * 201}, "at most 200"),
        ({"q": "shoes", "k": 0}, "k: must be from 1 to 20, got 0"),
        ({"q": "shoes", "k": 21}, "k: must be from 1 to 20, got 21"),
        ({"q": "shoes", "k": -3}, "k: must be from 1 to 20"),
        ({"q": "shoes", "k": "many"}, "k: must be a whole number"),
        ({"q": "shoes", "k": ""}, "k: must be a whole number"),
        ({"q": "shoes", "k": "2.5"}, "k: must be a whole number"),
        ({"q": "x" * 201, "k": 0}, "k:"),  # k is checked first, as before
    ],
)
def test_bad_input_is_422_with_a_message(client, params, needle):
    r = client.get("/api/autocomplete", params=params)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "bad_input"
    assert needle in r.json()["error"]["message"]
    assert client.get("/api/autocomplete", params={"q": "x" * 200}).status_code == 200


def test_k_is_read_from_the_query_string(client):
    # the route parses q and k itself (no FastAPI validation): defaults, bounds and number forms
    assert len(texts(suggest(client, "s"))) == 8
    assert len(texts(suggest(client, "s", k=1))) == 1
    assert len(texts(suggest(client, "s", k=20))) > 8
    three = texts(suggest(client, "s", k=3))
    assert len(three) == 3 and texts(suggest(client, "s", k="3.0")) == texts(suggest(client, "s", k=" 3")) == three
    r = client.get("/api/autocomplete?k=2&q=cas%20sh")
    assert r.headers["content-type"] == "application/json" and r.json()["q"] == "cas sh"
    assert len(r.json()["suggestions"]) == 2


def test_listed_in_the_openapi_docs(client):
    paths = client.get("/openapi.json").json()["paths"]
    params = {p["name"]: p["schema"] for p in paths["/api/autocomplete"]["get"]["parameters"]}
    assert params["k"]["minimum"] == 1 and params["k"]["maximum"] == 20 and params["k"]["default"] == 8
    assert params["q"]["maxLength"] == 200
    assert "post" in paths["/api/autocomplete/accept"]


def test_accept_validates_its_body(client):
    assert client.post("/api/autocomplete/accept", json={"text": "  "}).status_code == 422
    assert client.post("/api/autocomplete/accept", json={}).status_code == 422
    r = client.post("/api/autocomplete/accept", json={"text": "no such phrase xyz"})
    assert r.status_code == 200 and r.json()["learned"] is False


@pytest.fixture(scope="module")
def personal_server(make_server):
    """Its own server (learning changes its order); the search log is folded in on every request."""
    return make_server(autocomplete_refresh_s=0)


def _session(c: httpx.Client, consent: bool) -> str:
    tok = c.post("/api/sessions").json()["token"]
    if not consent:
        r = c.put("/api/me/consent", json={"personalization": False}, headers={"Authorization": f"Bearer {tok}"})
        assert r.status_code == 200
    return tok


def _history(c: httpx.Client, tok: str, ids: list[str], searches: list[str]) -> None:
    events = [{"type": t, "product_id": pid} for pid in ids for t in ("view", "click", "add_to_cart")]
    events += [{"type": "search", "query": q} for q in searches]
    r = c.post("/api/events", json={"events": events}, headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 200, r.text


def test_personalization_needs_consent_and_history(personal_server):
    with httpx.Client(base_url=personal_server.base_url, timeout=30) as c:
        shoes = [
            p["id"]
            for p in c.get("/api/search", params={"q": "women's heels sandals", "k": 8, "gender": "women"}).json()[
                "results"
            ]
        ]
        fan, no_consent, newcomer = _session(c, True), _session(c, False), _session(c, True)
        for tok in (fan, no_consent):
            _history(c, tok, shoes, ["women's casual shoes", "women's boots"])
        prefixes = ["s", "w", "c", "b", "f", "t"]
        # the fan's searches join the shop-wide search log (a refresh away): compare once that has happened
        deadline = time.monotonic() + 60
        while "women's boots" not in texts(suggest(c, "")) and time.monotonic() < deadline:
            time.sleep(0.2)
        anon = {q: texts(suggest(c, q)) for q in prefixes}
        assert {q: texts(suggest(c, q, newcomer)) for q in prefixes} == anon  # no history: no change
        assert {q: texts(suggest(c, q, no_consent)) for q in prefixes} == anon  # no consent: no change
        mine = {q: texts(suggest(c, q, fan)) for q in prefixes}
        assert sum(mine[q] != anon[q] for q in prefixes) >= 3
        assert mine["w"][0] in ("women's casual shoes", "women's boots")
        # empty box: the shopper's recent searches come first; without consent, none are kept
        assert texts(suggest(c, "", fan))[:2] == ["women's boots", "women's casual shoes"]
        assert texts(suggest(c, "", no_consent)) == texts(suggest(c, ""))  # trending only
        bad = c.get("/api/autocomplete", params={"q": "s"}, headers={"Authorization": "Bearer forged"})
        assert bad.status_code == 401


def test_accepted_and_searched_phrases_rise_without_a_rebuild(personal_server):
    with httpx.Client(base_url=personal_server.base_url, timeout=30) as c:
        before = texts(suggest(c, "b"))
        target = before[-1]
        for _ in range(25):
            r = c.post("/api/autocomplete/accept", json={"text": target})
            assert r.json() == {"text": target, "learned": True, "recorded": False}
        after = texts(suggest(c, "b"))
        assert after.index(target) < before.index(target)
        # searches logged as events reach the suggestions through the periodic search-log refresh
        tok = _session(c, True)
        query = "black casual shoes under 3000"
        assert query not in texts(suggest(c, "black cas"))
        _history(c, tok, [], [query] * 30)
        deadline = time.monotonic() + 60
        while query not in texts(suggest(c, "black cas")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert query in texts(suggest(c, "black cas"))
        assert query in texts(suggest(c, ""))  # and it is trending now
