"""The product card as JSON text: the same bytes JSONResponse renders from product_card, fixed part kept."""

from __future__ import annotations

import json

from starlette.responses import JSONResponse

from assistant.search.cards import card_json, product_card


def _rendered(card: dict) -> str:
    return JSONResponse(card).body.decode()


def test_card_json_is_what_jsonresponse_renders_for_every_product_and_extra(tiny_products):
    for i, p in enumerate(tiny_products):
        why = ["matches 'red'", 'é "quoted"']
        for extra in ({}, {"score": 0.1234567 * i}, {"score": 1.0, "why": why, "variants": 3}):
            assert card_json(p, **extra) == _rendered(product_card(p, **extra))
            assert card_json(p, **extra) == _rendered(product_card(p, **extra))  # again, from the kept part


def test_a_new_product_object_gets_its_own_card(tiny_products):
    p = tiny_products[0]
    first = json.loads(card_json(p))
    other = type(p)(**{**vars(p), "title": p.title + " (new edition)", "price": 12.5})
    again = json.loads(card_json(other))
    assert first["title"] == p.title and again["title"] == p.title + " (new edition)"
    assert again["price"] == 12.5
