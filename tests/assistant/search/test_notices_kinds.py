"""A kind of a type the shop has none of ("washing machine" in a shop whose machines sew and punch) is said, as
what was checked: no product of the type mentions the word, anywhere in its text. A small shop written here, real
model, real index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.search.engine import SearchEngine
from index.build import build_index
from index.catalog import Mapping
from index.store import load_index

SEWING = ["Home", "Sewing Machines"]
PUNCHING = ["Stationery", "Punching Machines"]
PERFUMES = ["Beauty", "Fragrances", "Perfumes"]
SHOP = [
    *[{"id": f"sew-{i}", "title": f"Usha{i} Manual Sewing Machine", "category": SEWING} for i in range(3)],
    # only its description says what it stitches
    {
        "id": "sew-zz",
        "title": "Brother Electric Sewing Machine",
        "category": SEWING,
        "description": "Sews zigzag and straight stitches on cotton and denim.",
    },
    *[{"id": f"pun-{i}", "title": f"Kangaro{i} Paper Punching Machine", "category": PUNCHING} for i in range(2)],
    # the words the queries use, said by products of other kinds
    {"id": "powder", "title": "Surf Washing Powder", "category": ["Home", "Detergents"]},
    {"id": "scissors", "title": "Pinking Zigzag Scissors", "category": ["Stationery", "Scissors"]},
    *[
        {"id": f"mug-{i}", "title": f"Rockmantra{i} Coffee Mug", "category": ["Kitchen", "Coffee Mugs"]}
        for i in range(2)
    ],
    *[{"id": f"pf-{i}", "title": f"Aroma{i} Eau de Parfum Perfume", "category": PERFUMES} for i in range(3)],
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    d = tmp_path_factory.mktemp("notices_kinds")
    catalog = d / "shop.jsonl"
    catalog.write_text("".join(json.dumps({**p, "price": 999}) + "\n" for p in SHOP), encoding="utf-8")
    build_index(catalog, d / "index", embedder, Mapping())
    return SearchEngine(load_index(Path(d / "index"), embedder.name, embedder.dim), embedder)


def test_a_kind_of_a_word_several_types_end_in_that_none_mentions_is_said(shop):
    u = shop.understand("washing machine")
    assert u.type_is_head and u.type_terms == ("machin",), u
    res = shop.search("washing machine", k=5)
    assert res.notice == "No machine mentions 'washing'; showing the closest products instead.", res.notice
    assert res.hits  # what is closest is still shown


def test_a_kind_the_shop_has_carries_no_notice(shop):
    for query in ("sewing machine", "punching machine", "machine"):
        assert shop.search(query, k=5).notice is None, query


def test_a_word_only_a_description_says_is_mentioned(shop):
    # no machine's title says "zigzag"; the Brother's description does: it may be the one asked for
    res = shop.search("zigzag machine", k=5)
    assert res.notice is None, res.notice
    assert res.hits[0].product.id == "sew-zz"


def test_a_word_before_one_types_name_is_no_kind_said_lacking(shop):
    # "Perfumes" is one type: a word before it may only describe it (a diwali decoration, gold plated earrings)
    u = shop.understand("coffee perfume")
    assert u.product_type == "Perfumes" and not u.type_is_head, u
    assert "mentions" not in (shop.search("coffee perfume", k=5).notice or "")
