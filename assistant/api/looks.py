"""REST routes for complete the look: around one product, or around the shopper's cart."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from assistant.api.answers import json_answer
from assistant.api.deps import OptionalShopper, ServicesDep
from assistant.api.errors import responses
from assistant.errors import BadInput, NotFound, Unauthorized
from assistant.looks.outfits import Look, complete_the_look, outfit_index
from assistant.search.cards import product_card
from assistant.services import Services
from index.catalog import Product

router = APIRouter(responses=responses(400, 401, 404, 422, 503))
MAX_CART_IDS = 50


def look_body(look: Look | None, anchors: list[Product]) -> dict[str, Any]:
    slots = []
    for s in look.slots if look else []:
        items = []
        for it in s.items:
            card = product_card(it.product, it.score, [it.why])
            if it.relaxed:
                card["relaxed"] = it.relaxed  # soft rules this item breaks because nothing else was in stock
            items.append(card)
        slots.append({"slot": s.slot, "label": s.label, "items": items})
    return {
        "anchor": product_card(anchors[0]) if anchors else None,
        "anchors": [product_card(a) for a in anchors],
        "slots": slots,
    }


def _look(svc: Services, anchors: list[Product], k: int, sid: str | None) -> Look:
    engine = svc.engine
    rules = svc.looks.rules()
    oi = outfit_index(engine, rules)
    profile = svc.shoppers.profile_vector(sid) if sid else None
    copurchase = svc.looks.copurchase(oi, svc.shoppers.copurchase_pairs)
    return complete_the_look(engine, anchors, k=k, profile=profile, copurchase=copurchase, rules=rules)


@router.get("/api/products/{product_id}/complete-the-look", tags=["outfits"])
def product_look(
    svc: ServicesDep,
    sid: OptionalShopper,
    product_id: str,
    k: int = Query(3, ge=1, le=10, description="items offered per slot; the first is the pick"),
):
    """Complementary items, one slot per kind (bottoms, shoes, belt... or case, charger...), each with why."""
    anchor = svc.engine.index.product(product_id)
    if anchor is None:
        raise NotFound(f"no product with id {product_id!r}; ids come from /api/search results")
    return json_answer(look_body(_look(svc, [anchor], k, sid), [anchor]))


@router.get("/api/cart/complete-the-look", tags=["outfits"])
def cart_look(
    svc: ServicesDep,
    sid: OptionalShopper,
    k: int = Query(3, ge=1, le=10),
    ids: str | None = Query(
        None,
        min_length=1,
        max_length=2000,
        description="comma-separated product ids, instead of the server-side cart (for shops without shopper accounts)",
    ),
):
    """Completes the shopper's cart (bearer token) or the given ids: slots the cart already fills are skipped."""
    engine = svc.engine
    if ids is not None:
        wanted = [x.strip() for x in ids.split(",") if x.strip()]
        if not wanted:
            raise BadInput("ids is empty: pass product ids separated by commas, e.g. ids=abc,def")
        if len(wanted) > MAX_CART_IDS:
            raise BadInput(f"ids names {len(wanted)} products; send at most {MAX_CART_IDS}")
        missing = [x for x in wanted if engine.index.product(x) is None]
        if missing:
            raise NotFound(f"no product with id {missing[0]!r}; ids come from /api/search results")
        anchors = [p for p in (engine.index.product(x) for x in dict.fromkeys(wanted)) if p is not None]
    else:
        if sid is None:
            raise Unauthorized(
                "the cart belongs to a shopper: send 'Authorization: Bearer <token>' "
                "(POST /api/sessions gives one) or pass product ids as ?ids=id1,id2"
            )
        # products dropped from the catalog since they were carted are skipped, not errors
        anchors = [p for p in (engine.index.product(x) for x in svc.shoppers.cart(sid)) if p is not None]
    if not anchors:
        empty = {**look_body(None, []), "message": "the cart is empty: add products to get a look around them"}
        return json_answer(empty)
    return json_answer(look_body(_look(svc, anchors, k, sid), anchors))
