"""Whatever a shopper types, search and autocomplete answer 200 or a 4xx with a reason, never a 500: seeded random
queries made of the tiny catalog's own words, numbers, units, repeated words, negations, price phrases and
stray symbols, sent to a live server of its own. (A number written twice, "5 5", once raised a KeyError in the
model-word matching: tests/assistant/search/test_understand_units.py.)"""

from __future__ import annotations

import random
import re

import httpx

from tests.conftest import TINY_CATALOG

EXTRA = [
    "5",
    "5",
    "55",
    "1.5",
    "0",
    "10",
    "16",
    "gb",
    "litre",
    "l",
    "kg",
    "watt",
    "inch",
    "not",
    "without",
    "no",
    "except",
    "under",
    "over",
    "500",
    "for",
    "a",
    "the",
    "men",
    "women",
    "x",
    "-",
    "'",
    "&",
    "/",
]


def _queries(n: int, seed: int = 13) -> list[str]:
    words = sorted(set(re.findall(r"[a-z]+", TINY_CATALOG.read_text(encoding="utf-8").lower()[:200_000])))
    rnd = random.Random(seed)
    pool = rnd.sample(words, min(300, len(words))) + EXTRA * 4
    out = []
    for _ in range(n):
        q = " ".join(rnd.choice(pool) for _ in range(rnd.randint(1, 6)))
        out.append(q + rnd.choice(["", " "]))  # half typed or finished
    return out


def test_random_queries_never_get_a_500(make_server):
    # a server of its own: its search log fills with these queries, which the shared server's trending must not see
    srv = make_server(rate_sessions="", rate_events="", rate_chat="")
    with httpx.Client(base_url=srv.base_url, timeout=30) as client:
        _send(client, _queries(150))


def _send(client: httpx.Client, queries: list[str]) -> None:
    for q in queries:
        for path, params in (
            ("/api/search", {"q": q, "k": 10}),
            ("/api/search", {"q": q, "k": 3, "distinct": "false", "sort": "price_asc"}),
            ("/api/autocomplete", {"q": q}),
        ):
            r = client.get(path, params=params)
            assert r.status_code == 200 or 400 <= r.status_code < 500, (path, q, r.status_code, r.text[:200])
            assert r.status_code != 500
