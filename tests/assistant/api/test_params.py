"""Query parameters declared once (assistant/api/params.py): parsed with a 422 naming the field, and the same
declaration in the OpenAPI docs of the search route."""

from __future__ import annotations

import pytest

from assistant.api.catalog import SEARCH_PARAMS
from assistant.api.params import Param, parse_query
from assistant.errors import BadInput

K = Param("k", int, 10, "how many", ge=1, le=100)
PRICE = Param("price_max", float, None, ge=0, le=1e12)
SORT = Param("sort", str, "relevance", choices=("relevance", "price_asc"))
FLAG = Param("distinct", bool, True)
NAME = Param("brand", str, None, min_length=1, max_length=5)


@pytest.mark.parametrize(
    "param,raw,value",
    [
        (K, None, 10),
        (K, "7", 7),
        (PRICE, "499.5", 499.5),
        (PRICE, None, None),
        (SORT, "PRICE_ASC", "price_asc"),
        (FLAG, "false", False),
        (FLAG, "1", True),
        (NAME, "nike", "nike"),
    ],
)
def test_values(param, raw, value):
    assert param.parse(raw) == value


@pytest.mark.parametrize(
    "param,raw,words",
    [
        (K, "0", "k: must be 1 or more"),
        (K, "101", "k: must be 100 or less"),
        (K, "ten", "k: must be a whole number"),
        (K, "2.5", "k: must be a whole number"),
        (PRICE, "inf", "price_max: must be a finite number"),
        (PRICE, "nan", "price_max: must be a finite number"),
        (PRICE, "1e309", "price_max: must be a finite number"),
        (PRICE, "-1", "price_max: must be 0 or more"),
        (SORT, "foo", "sort must be one of ['relevance', 'price_asc']"),
        (FLAG, "maybe", "distinct must be true or false"),
        (NAME, "", "brand: must be at least 1 characters"),
        (NAME, "adidas", "brand: is 6 characters; keep it under 5"),
    ],
)
def test_bad_values_name_the_field(param, raw, words):
    with pytest.raises(BadInput) as e:
        param.parse(raw)
    assert words in e.value.message


def test_parse_query_gives_defaults_and_ignores_unknown_names():
    assert parse_query((K, SORT), {"k": "3", "colour_of_sky": "blue"}) == {"k": 3, "sort": "relevance"}


def test_the_docs_show_the_declared_bounds(client):
    get = client.get("/openapi.json").json()["paths"]["/api/search"]["get"]
    params = {p["name"]: p for p in get["parameters"]}
    assert list(params) == [p.name for p in SEARCH_PARAMS]
    assert params["k"]["schema"] == {"type": "integer", "default": 10, "minimum": 1, "maximum": 100}
    assert params["sort"]["schema"]["enum"] == ["relevance", "price_asc", "price_desc", "rating"]
    assert {"401", "422", "503"} <= set(get["responses"])
    for p in SEARCH_PARAMS:  # every documented bound is enforced by the route
        if p.le is not None:
            r = client.get("/api/search", params={"q": "shoes", p.name: str(p.le * 10 + 1)})
            assert r.status_code == 422 and p.name in r.json()["error"]["message"]
