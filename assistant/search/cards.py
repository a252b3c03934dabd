"""The product card: one JSON shape for a product wherever it is shown (search, chat, autocomplete, looks)."""

from __future__ import annotations

from typing import Any

from index.catalog import Product


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
    if variants is not None:
        card["variants"] = variants
    if score is not None:
        card["score"] = round(float(score), 6)
    if why is not None:
        card["why"] = why
    return card
