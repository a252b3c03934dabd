"""The product card: one JSON shape for a product wherever it is shown (search, chat, autocomplete, looks)."""

from __future__ import annotations

import json
from typing import Any

from index.catalog import Product

# Rendered as Starlette's JSONResponse renders (compact, UTF-8 as is, NaN refused), so a response assembled from
# card_json texts is the bytes JSONResponse would have sent.
compact_json = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
_FIXED: dict[int, tuple[Product, str]] = {}  # id(product) -> (product, its card's fixed fields as JSON, no "}")
_FIXED_MAX = 65_536  # products whose fixed part is kept (~0.5 KB each); cleared whole when full


def product_card(
    p: Product, score: float | None = None, why: list[str] | None = None, variants: int | None = None
) -> dict[str, Any]:
    card: dict[str, Any] = {
        "id": p.id,
        "title": p.title,
        "price": p.price,
        "list_price": p.list_price,
        "currency": p.currency,
        "category": p.category_path,
        "brand": p.brand,
        "colour": p.colour,
        "gender": p.gender,
        "product_type": p.product_type,
        "image_url": p.image_url,
        "url": p.url,
        "in_stock": p.in_stock,
        "rating": p.rating,
    }
    return card | _per_request(score, why, variants)


def _per_request(score: float | None, why: list[str] | None, variants: int | None) -> dict[str, Any]:
    """The fields a card gets from the request that shows it, in the card's order."""
    out: dict[str, Any] = {}
    if variants is not None:
        out["variants"] = variants
    if score is not None:
        out["score"] = round(float(score), 6)
    if why is not None:
        out["why"] = why
    return out


def card_json(p: Product, score: float | None = None, why: list[str] | None = None, variants: int | None = None) -> str:
    """product_card(...) as compact JSON text. The product's own fields are rendered once and kept (a search
    renders ten cards per request, mostly of products shown before); only score, why and variants per call."""
    hit = _FIXED.get(id(p))
    if hit is None or hit[0] is not p:  # (an id is reused only after its product is gone)
        if len(_FIXED) >= _FIXED_MAX:
            _FIXED.clear()
        hit = _FIXED[id(p)] = (p, compact_json(product_card(p))[:-1])
    extra = _per_request(score, why, variants)
    return hit[1] + ("," + compact_json(extra)[1:] if extra else "}")
