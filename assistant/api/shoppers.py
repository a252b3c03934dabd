"""REST routes for sessions, events, the shopper's own data, browse and recommendations.

No route takes a shopper id: the Bearer token names the shopper, so a token reaches only its own data.
"""

from __future__ import annotations

import json

import numpy as np
from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from assistant.api.answers import json_answer
from assistant.api.bodies import ConsentIn, LinkIn, PreferencesIn, check, events_schema, openapi_body
from assistant.api.deps import AdminDep, EventsRate, OptionalShopper, ServicesDep, SessionsRate, ShopperDep
from assistant.api.errors import responses
from assistant.errors import BadInput
from assistant.search.cards import product_card
from assistant.search.query import Filters
from assistant.shoppers.recommend import BROWSE_POPULARITY, personalize_for, recommendations
from assistant.shoppers.segments import refresh

router = APIRouter(responses=responses(400, 422))  # any route: a malformed request or query string
PERSONAL = responses(401, 413, 503)  # routes with a bearer token and a body
MAX_BODY_BYTES = 1 << 20


async def json_body(request: Request) -> object:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise BadInput(f"request body is {len(raw)} bytes; the limit is {MAX_BODY_BYTES}: send smaller batches")
    try:
        return json.loads(raw or b"null")
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser's stack
        raise BadInput("the body is not valid JSON (or is nested too deeply)") from None


@router.post("/api/sessions", tags=["shoppers"], dependencies=[SessionsRate], responses=responses(429, 503))
def new_session(svc: ServicesDep):
    """A new anonymous shopper: {shopper_id, token}. Send the token as 'Authorization: Bearer <token>'."""
    return svc.shoppers.create_session()


@router.post(
    "/api/events",
    tags=["shoppers"],
    dependencies=[EventsRate],
    responses={**PERSONAL, **responses(429)},
    openapi_extra=openapi_body(events_schema(), "one event or a list of events"),
)
async def post_events(request: Request, svc: ServicesDep, sid: ShopperDep):
    """One event or a batch; all are validated before any is stored, and stored before the answer."""
    body = await json_body(request)
    res = await run_in_threadpool(svc.shoppers.record, sid, body)
    return {"shopper_id": sid, **res}


@router.get("/api/me/profile", tags=["shoppers"], responses=PERSONAL)
def my_profile(svc: ServicesDep, sid: ShopperDep, recent: int = Query(20, ge=0, le=200)):
    """What the shop knows about you: preferences, segment, consent, cart and recent events."""
    sh = svc.shoppers
    data = sh.export(sid)
    seg = sh.segment_of(sid) if sh.has_consent(sid) else None
    return json_answer(
        {
            "shopper_id": sid,
            "consent": sh.consent(sid),
            "preferences": sh.preferences(sid),
            "segment": None if seg is None else {"id": seg["id"], "name": seg["name"]},
            "cart": sh.cart(sid),
            "recent_searches": sh.recent_searches(sid),
            "recent_events": data["events"][-recent:] if recent else [],
            "event_count": len(data["events"]),
            "linked_devices": len(data["linked_devices"]),
        }
    )


@router.put(
    "/api/me/consent",
    tags=["shoppers"],
    responses=PERSONAL,
    openapi_extra=openapi_body(ConsentIn.model_json_schema(), "either or both switches"),
)
async def put_consent(request: Request, svc: ServicesDep, sid: ShopperDep):
    """Turn personalization and nudges on or off (either or both)."""
    body = await json_body(request)
    if (
        not isinstance(body, dict)
        or not set(body) <= {"personalization", "nudges"}
        or not body
        or any(not isinstance(v, bool) for v in body.values())
    ):
        raise BadInput('send {"personalization": true|false, "nudges": true|false} (either or both)')
    return await run_in_threadpool(svc.shoppers.set_consent, sid, body.get("personalization"), body.get("nudges"))


@router.put(
    "/api/me/preferences",
    tags=["shoppers"],
    responses=PERSONAL,
    openapi_extra=openapi_body(PreferencesIn.model_json_schema(), "preferences to set; null removes one"),
)
async def put_preferences(request: Request, svc: ServicesDep, sid: ShopperDep):
    """Explicit preferences ({"sizes": ["42"], "colours": ["blue"], "price_band": [500, 2000], ...});
    null removes one."""
    body = await json_body(request)
    if not isinstance(body, dict) or not body:
        raise BadInput('send an object such as {"colours": ["blue"], "sizes": ["42"]}')
    check(PreferencesIn, body)
    sh = svc.shoppers

    def apply() -> dict:
        for key, value in body.items():
            sh.set_preference(sid, key, value)
        return {"preferences": sh.preferences(sid)}

    return await run_in_threadpool(apply)


@router.get("/api/me/export", tags=["shoppers"], responses=PERSONAL)
def export(svc: ServicesDep, sid: ShopperDep):
    """Everything stored about you, as JSON."""
    return json_answer(svc.shoppers.export(sid))


@router.delete("/api/me", tags=["shoppers"], responses=PERSONAL)
def erase(svc: ServicesDep, sid: ShopperDep):
    """Erase your events, profile, preferences, segment and device links."""
    return {"erased": True, **svc.shoppers.erase(sid)}


@router.post(
    "/api/me/link",
    tags=["shoppers"],
    responses={**PERSONAL, **responses(403)},
    openapi_extra=openapi_body(LinkIn.model_json_schema(), "the shop's signed login assertion"),
)
async def link(request: Request, svc: ServicesDep, sid: ShopperDep):
    """Merge this device's history into your account's profile: body is the shop's signed login assertion
    {"account_id", "ts", "sig"}. Returns the account profile's token (the old one keeps working)."""
    body = await json_body(request)
    if not isinstance(body, dict):
        raise BadInput('send {"account_id": ..., "ts": ..., "sig": ...} as signed by the shop')
    check(LinkIn, body)
    return await run_in_threadpool(svc.shoppers.link, sid, body)


@router.get("/api/me/nudges", tags=["shoppers"], responses=PERSONAL)
def my_nudges(svc: ServicesDep, sid: ShopperDep):
    """Nudges waiting for you (each is handed out once)."""
    sh = svc.shoppers
    return {"nudges": sh.take_nudges(sid) if sh.nudges_allowed(sid) else []}


@router.get("/api/browse", tags=["search"], responses=responses(401, 503))
def browse(
    request: Request,
    svc: ServicesDep,
    sid: OptionalShopper,
    category: str = Query(..., min_length=1, max_length=200),
    k: int = Query(20, ge=1, le=100),
):
    """A category listing, personalized like search (hard category filter, then taste and popularity)."""
    sh, eng = svc.shoppers, svc.engine
    f = Filters(category=category)
    mask = eng.mask(f)
    rows = np.flatnonzero(mask) if mask is not None else np.arange(len(eng.products))
    if not len(rows):
        raise BadInput(f"no products in category {category!r}; categories are nodes of a product's category path")
    rerank = personalize_for(sh, eng, sid, request.headers, "", f, pop_weight=BROWSE_POPULARITY)
    scores, why = rerank(rows, np.full(len(rows), 1.0))
    order = [i for i in np.argsort(-scores, kind="stable").tolist() if np.isfinite(scores[i])][:k]
    return json_answer(
        {
            "category": category,
            "total": len(rows),
            "results": [product_card(eng.products[rows[i]], scores[i], why[i]) for i in order],
        }
    )


@router.get("/api/recommendations", tags=["search"], responses=responses(401, 503))
def recs(request: Request, svc: ServicesDep, sid: OptionalShopper, k: int = Query(10, ge=1, le=100)):
    """Home feed: each item with its section and the reasons it was picked."""
    sh, eng = svc.shoppers, svc.engine
    items = recommendations(sh, eng, sid, request.headers, k)
    nudges = sh.take_nudges(sid) if sid and sh.nudges_allowed(sid) else []
    cards = [
        {**product_card(eng.products[it["row"]], it["score"], it["why"]), "section": it["section"]} for it in items
    ]
    return json_answer({"results": cards, "nudges": nudges})


def _segments_body(segments) -> dict:
    return {"segments": [{k: v for k, v in s.items() if k != "centroid"} for s in segments]}


@router.get("/api/admin/segments", tags=["ops"], dependencies=[AdminDep], responses=responses(403))
def segments(svc: ServicesDep):
    return _segments_body(sorted(svc.shoppers.segments.values(), key=lambda s: -s["size"]))


@router.post("/api/admin/segments/refresh", tags=["ops"], dependencies=[AdminDep], responses=responses(403, 503))
def refresh_segments(svc: ServicesDep):
    return _segments_body(refresh(svc.shoppers, svc.engine).values())
