"""REST routes for sessions, events, the shopper's own data, browse and recommendations.

No route takes a shopper id: the Bearer token names the shopper, so a token reaches only its own data.
"""
from __future__ import annotations

import hmac
import json

import numpy as np
from fastapi import APIRouter, Header, Query, Request

from assistant.cards import product_card
from assistant.errors import BadInput, Forbidden, Unauthorized, Unavailable
from assistant.query_parser import Filters
from assistant.recommend import BROWSE_POPULARITY, personalize_for, recommendations
from assistant.shoppers import Shoppers

router = APIRouter()
MAX_BODY_BYTES = 1 << 20


def shoppers_of(request: Request) -> Shoppers:
    sh = getattr(request.app.state.services, "shoppers", None)
    if sh is None:
        raise Unavailable("shopper profiles are not running yet; try again in a moment")
    return sh


def me(request: Request) -> str:
    sid = shoppers_of(request).shopper_from_request(request)
    if sid is None:
        raise Unauthorized("this call is personal: send 'Authorization: Bearer <token>' (POST /api/sessions "
                           "gives you one)")
    return sid


async def json_body(request: Request) -> object:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise BadInput(f"request body is {len(raw)} bytes; the limit is {MAX_BODY_BYTES}: send smaller batches")
    try:
        return json.loads(raw or b"null")
    except ValueError:
        raise BadInput("the body is not valid JSON") from None


@router.post("/api/sessions", tags=["shoppers"])
def new_session(request: Request):
    """A new anonymous shopper: {shopper_id, token}. Send the token as 'Authorization: Bearer <token>'."""
    return shoppers_of(request).create_session()


@router.post("/api/events", tags=["shoppers"])
async def post_events(request: Request):
    """One event or a batch; all are validated before any is stored, and stored before the answer."""
    body = await json_body(request)
    sid = me(request)
    from starlette.concurrency import run_in_threadpool

    res = await run_in_threadpool(shoppers_of(request).record, sid, body)
    return {"shopper_id": sid, **res}


@router.get("/api/me/profile", tags=["shoppers"])
def my_profile(request: Request, recent: int = Query(20, ge=0, le=200)):
    """What the shop knows about you: preferences, segment, consent, cart and recent events."""
    sh, sid = shoppers_of(request), me(request)
    data = sh.export(sid)
    seg = sh.segment_of(sid) if sh.has_consent(sid) else None
    return {"shopper_id": sid, "consent": sh.consent(sid), "preferences": sh.preferences(sid),
            "segment": None if seg is None else {"id": seg["id"], "name": seg["name"]},
            "cart": sh.cart(sid), "recent_searches": sh.recent_searches(sid),
            "recent_events": data["events"][-recent:] if recent else [], "event_count": len(data["events"]),
            "linked_devices": len(data["linked_devices"])}


@router.put("/api/me/consent", tags=["shoppers"])
async def put_consent(request: Request):
    body = await json_body(request)
    if not isinstance(body, dict) or not set(body) <= {"personalization", "nudges"} or not body or \
            any(not isinstance(v, bool) for v in body.values()):
        raise BadInput('send {"personalization": true|false, "nudges": true|false} (either or both)')
    sid = me(request)
    return shoppers_of(request).set_consent(sid, body.get("personalization"), body.get("nudges"))


@router.put("/api/me/preferences", tags=["shoppers"])
async def put_preferences(request: Request):
    """Explicit preferences ({"sizes": ["42"], "colours": ["blue"], "price_band": [500, 2000], ...});
    null removes one."""
    body = await json_body(request)
    if not isinstance(body, dict) or not body:
        raise BadInput('send an object such as {"colours": ["blue"], "sizes": ["42"]}')
    sh, sid = shoppers_of(request), me(request)
    for key, value in body.items():
        sh.set_preference(sid, key, value)
    return {"preferences": sh.preferences(sid)}


@router.get("/api/me/export", tags=["shoppers"])
def export(request: Request):
    """Everything stored about you, as JSON."""
    sh = shoppers_of(request)
    return sh.export(me(request))


@router.delete("/api/me", tags=["shoppers"])
def erase(request: Request):
    """Erase your events, profile, preferences, segment and device links."""
    sh = shoppers_of(request)
    return {"erased": True, **sh.erase(me(request))}


@router.post("/api/me/link", tags=["shoppers"])
async def link(request: Request):
    """Merge this device's history into your account's profile: body is the shop's signed login assertion
    {"account_id", "ts", "sig"}. Returns the account profile's token (the old one keeps working)."""
    body = await json_body(request)
    if not isinstance(body, dict):
        raise BadInput('send {"account_id": ..., "ts": ..., "sig": ...} as signed by the shop')
    sid = me(request)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(shoppers_of(request).link, sid, body)


@router.get("/api/me/nudges", tags=["shoppers"])
def my_nudges(request: Request):
    """Nudges waiting for you (each is handed out once)."""
    sh, sid = shoppers_of(request), me(request)
    return {"nudges": sh.take_nudges(sid) if sh.nudges_allowed(sid) else []}


@router.get("/api/browse", tags=["search"])
def browse(request: Request, category: str = Query(..., min_length=1, max_length=200),
           k: int = Query(20, ge=1, le=100)):
    """A category listing, personalized like search (hard category filter, then taste and popularity)."""
    sh = shoppers_of(request)
    eng = request.app.state.services.engine
    sid = sh.shopper_from_request(request)
    f = Filters(category=category)
    mask = eng.mask(f)
    rows = np.flatnonzero(mask)
    if not len(rows):
        raise BadInput(f"no products in category {category!r}; categories are nodes of a product's category path")
    rerank = personalize_for(sh, eng, sid, request.headers, "", f, pop_weight=BROWSE_POPULARITY)
    scores, why = rerank(rows, np.full(len(rows), 1.0))
    order = [i for i in np.argsort(-scores, kind="stable").tolist() if np.isfinite(scores[i])][:k]
    return {"category": category, "total": len(rows),
            "results": [product_card(eng.products[rows[i]], scores[i], why[i]) for i in order]}


@router.get("/api/recommendations", tags=["search"])
def recs(request: Request, k: int = Query(10, ge=1, le=100)):
    """Home feed: each item with its section and the reasons it was picked."""
    sh = shoppers_of(request)
    eng = request.app.state.services.engine
    sid = sh.shopper_from_request(request)
    items = recommendations(sh, eng, sid, request.headers, k)
    nudges = sh.take_nudges(sid) if sid and sh.nudges_allowed(sid) else []
    return {"results": [{**product_card(eng.products[it["row"]], it["score"], it["why"]), "section": it["section"]}
                        for it in items], "nudges": nudges}


def require_admin(request: Request, authorization: str | None) -> None:
    token = request.app.state.services.settings.admin_token
    if not token:
        raise Forbidden("admin endpoints are disabled: set SHOPMATE_ADMIN_TOKEN to enable them")
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise Forbidden("wrong or missing admin token: send 'Authorization: Bearer <SHOPMATE_ADMIN_TOKEN>'")


@router.get("/api/admin/segments", tags=["ops"])
def segments(request: Request, authorization: str | None = Header(None)):
    require_admin(request, authorization)
    sh = shoppers_of(request)
    return {"segments": [{k: v for k, v in s.items() if k != "centroid"}
                         for s in sorted(sh.segments.values(), key=lambda s: -s["size"])]}


@router.post("/api/admin/segments/refresh", tags=["ops"])
def refresh_segments(request: Request, authorization: str | None = Header(None)):
    require_admin(request, authorization)
    from assistant.segments import refresh

    sh = shoppers_of(request)
    result = refresh(sh, request.app.state.services.engine)
    return {"segments": [{k: v for k, v in s.items() if k != "centroid"} for s in result.values()]}
