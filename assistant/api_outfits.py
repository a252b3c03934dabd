"""REST routes for complete the look: around one product, or around the shopper's cart."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request

from assistant.cards import product_card
from assistant.copurchase import CoPurchase
from assistant.errors import BadInput, NotFound, Unauthorized, Unavailable
from assistant.outfit_rules import PALETTE_FILE, RULES_FILE, OutfitRules, RulesError
from assistant.outfits import Look, OutfitIndex, complete_the_look, default_rules, outfit_index
from assistant.services import Services
from index.catalog import Product

router = APIRouter()
MAX_CART_IDS = 50
_LOCK = threading.Lock()


def _services(request: Request) -> Services:
    return request.app.state.services


def _rules(request: Request) -> OutfitRules:
    return rules_for_app(request.app)


def rules_for_app(app: Any) -> OutfitRules:
    """The shop's rules files (settings.outfit_rules / outfit_palette), read once per app; chat uses them too."""
    with _LOCK:
        rules = getattr(app.state, "outfit_rules", None)
        if rules is None:
            s = app.state.services.settings
            try:
                bundled = (Path(s.outfit_rules).resolve() == RULES_FILE.resolve()
                           and Path(s.outfit_palette).resolve() == PALETTE_FILE.resolve())
                # the bundled files: share the rules (and so the per-index features) with chat
                rules = default_rules() if bundled else OutfitRules.load(s.outfit_rules, s.outfit_palette)
            except RulesError as e:
                raise Unavailable(f"complete the look is not configured: {e}; fix the file and restart") from None
            app.state.outfit_rules = rules
        return rules


def _shoppers(svc: Services) -> Any:
    return getattr(svc, "shoppers", None)


def _copurchase(request: Request, oi: OutfitIndex) -> CoPurchase | None:
    """Co-purchase lift from the event log, reused for outfit_copurchase_ttl_s (None without profiles)."""
    svc = _services(request)
    pairs_of = getattr(_shoppers(svc), "copurchase_pairs", None)
    if pairs_of is None:
        return None
    now = time.monotonic()
    with _LOCK:
        cached = getattr(request.app.state, "outfit_copurchase", None)
        if cached and cached[1] is oi and now - cached[0] < svc.settings.outfit_copurchase_ttl_s:
            return cached[2]
    cp = CoPurchase.from_pairs(pairs_of(), oi.key_of_id)
    with _LOCK:
        request.app.state.outfit_copurchase = (now, oi, cp)
    return cp


def _profile(request: Request):
    """(shopper id, profile vector) from an optional bearer token; a bad token is a 401."""
    shoppers = _shoppers(_services(request))
    if shoppers is None:
        return None, None
    sid = shoppers.shopper_from_request(request)
    return sid, (shoppers.profile_vector(sid) if sid else None)


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
    return {"anchor": product_card(anchors[0]) if anchors else None,
            "anchors": [product_card(a) for a in anchors], "slots": slots}


def _look(request: Request, anchors: list[Product], k: int, sid_profile) -> Look:
    svc = _services(request)
    engine = svc.engine
    rules = _rules(request)
    oi = outfit_index(engine, rules)
    _, profile = sid_profile
    return complete_the_look(engine, anchors, k=k, profile=profile, copurchase=_copurchase(request, oi), rules=rules)


@router.get("/api/products/{product_id}/complete-the-look", tags=["outfits"])
def product_look(request: Request, product_id: str,
                 k: int = Query(3, ge=1, le=10, description="items offered per slot; the first is the pick")):
    """Complementary items, one slot per kind (bottoms, shoes, belt... or case, charger...), each with why."""
    engine = _services(request).engine
    anchor = engine.index.product(product_id)
    if anchor is None:
        raise NotFound(f"no product with id {product_id!r}; ids come from /api/search results")
    who = _profile(request)
    return look_body(_look(request, [anchor], k, who), [anchor])


@router.get("/api/cart/complete-the-look", tags=["outfits"])
def cart_look(request: Request, k: int = Query(3, ge=1, le=10),
              ids: str | None = Query(None, description="comma-separated product ids, instead of the server-side "
                                                        "cart (for shops without shopper accounts)")):
    """Completes the shopper's cart (bearer token) or the given ids: slots the cart already fills are skipped."""
    svc = _services(request)
    engine = svc.engine
    who = _profile(request)
    if ids is not None:
        wanted = [x.strip() for x in ids.split(",") if x.strip()]
        if not wanted:
            raise BadInput("ids is empty: pass product ids separated by commas, e.g. ids=abc,def")
        if len(wanted) > MAX_CART_IDS:
            raise BadInput(f"ids names {len(wanted)} products; send at most {MAX_CART_IDS}")
        missing = [x for x in wanted if engine.index.product(x) is None]
        if missing:
            raise NotFound(f"no product with id {missing[0]!r}; ids come from /api/search results")
        anchors = [engine.index.product(x) for x in dict.fromkeys(wanted)]
    else:
        shoppers = _shoppers(svc)
        if shoppers is None:
            raise Unauthorized("this server keeps no shopper carts; pass the cart's product ids as ?ids=id1,id2")
        sid, _ = who
        if sid is None:
            raise Unauthorized("the cart belongs to a shopper: send 'Authorization: Bearer <token>' "
                               "(POST /api/sessions gives one) or pass product ids as ?ids=id1,id2")
        # products dropped from the catalog since they were carted are skipped, not errors
        anchors = [p for p in (engine.index.product(x) for x in shoppers.cart(sid)) if p is not None]
    if not anchors:
        return {**look_body(None, []), "message": "the cart is empty: add products to get a look around them"}
    return look_body(_look(request, anchors, k, who), anchors)
