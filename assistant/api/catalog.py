"""REST routes for search, products, the index manifest and admin reload."""

from __future__ import annotations

import time

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from assistant.api.answers import json_answer
from assistant.api.deps import AdminDep, ServicesDep, get_services, optional_shopper
from assistant.api.errors import responses
from assistant.api.health import probe
from assistant.api.middleware import ARRIVED
from assistant.errors import BadInput, NotFound
from assistant.search.cards import product_card
from assistant.search.engine import MODES, SORTS
from assistant.search.query import Filters
from assistant.shoppers.recommend import personalize_for
from index.attributes import GENDER_ADMITS
from index.store import IndexMismatch, IndexNotFound

router = APIRouter(responses=responses(400, 422))  # any route: a malformed request or query string
MAX_QUERY_CHARS = 500


def explicit_filters(
    category: str | None,
    gender: str | None,
    colour: str | None,
    brand: str | None,
    price_min: float | None,
    price_max: float | None,
    in_stock: bool | None,
) -> Filters:
    from index.attributes import COLOURS, canonical_colour

    if gender is not None and gender.lower() not in GENDER_ADMITS:
        raise BadInput(f"gender must be one of {sorted(GENDER_ADMITS)}, got {gender!r}")
    col = None
    if colour is not None:
        col = canonical_colour(colour)
        if col is None:
            raise BadInput(f"unknown colour {colour!r}; known colours: {', '.join(COLOURS)}")
    if price_min is not None and price_max is not None and price_min > price_max:
        raise BadInput(f"price_min ({price_min}) is above price_max ({price_max})")
    return Filters(
        category=category or None,
        gender=gender.lower() if gender else None,
        colour=col,
        brand=brand or None,
        price_min=price_min,
        price_max=price_max,
        in_stock=in_stock,
    )


@router.get("/api/search", tags=["search"], responses=responses(401, 503))
def search(
    request: Request,
    q: str = Query("", description="the shopper's query"),
    k: int = Query(10, ge=1, le=100),
    category: str | None = Query(None, min_length=1, max_length=200),
    gender: str | None = Query(
        None, min_length=1, max_length=20, description="women, men, girls, boys, baby, kids, unisex"
    ),
    colour: str | None = Query(None, min_length=1, max_length=50),
    brand: str | None = Query(None, min_length=1, max_length=200),
    price_min: float | None = Query(None, ge=0, le=1e12, allow_inf_nan=False),
    price_max: float | None = Query(None, ge=0, le=1e12, allow_inf_nan=False),
    in_stock: bool | None = None,
    mode: str = Query("hybrid", description="hybrid, dense or lexical"),
    sort: str = Query("relevance", description="relevance, price_asc, price_desc or rating"),
    distinct: str = Query("true", description="true: variants of one product show once, with a count"),
    autocorrect: str = Query("true", description="false: search the words as typed, no spelling correction"),
):
    """Search that reads the query (type, recipient, colour, price, brand, device, negations, typos) and
    ranks what it asks for first; filters given as parameters are hard."""
    t0 = time.perf_counter()
    # The services and the shopper are read here rather than as FastAPI dependencies: a plain-function
    # dependency runs in the thread pool, a hop each before the route's own.
    svc = get_services(request)
    sid = optional_shopper(request)  # a bad or expired token: 401
    if len(q) > MAX_QUERY_CHARS:
        raise BadInput(f"q is {len(q)} characters; keep it under {MAX_QUERY_CHARS}")
    if mode not in MODES:
        raise BadInput(f"mode must be one of {list(MODES)}")
    if sort not in SORTS:
        raise BadInput(f"sort must be one of {list(SORTS)}, got {sort!r}")
    if distinct.lower() not in _BOOLS:
        raise BadInput(f"distinct must be true or false, got {distinct!r}")
    if autocorrect.lower() not in _BOOLS:
        raise BadInput(f"autocorrect must be true or false, got {autocorrect!r}")
    f = explicit_filters(category, gender, colour, brand, price_min, price_max, in_stock)
    engine = svc.engine
    correct = _BOOLS[autocorrect.lower()]
    engine.prefetch(q, correct, mode)  # the query is encoded while the shopper's reranker is made
    t1 = time.perf_counter()
    rerank = personalize_for(svc.shoppers, engine, sid, request.headers, q, f)
    t2 = time.perf_counter()
    res = engine.search(
        q,
        k=k,
        filters=f,
        mode=mode,
        rerank=rerank,
        distinct=_BOOLS[distinct.lower()],
        sort=sort,
        correct=correct,
    )
    u = res.understanding
    t3 = time.perf_counter()
    # Plain JSON types throughout: rendered as is (json.dumps), without FastAPI's generic encoder walking it.
    response = JSONResponse(
        {
            "query": q,
            "corrected_query": res.corrected_query,
            "results": [product_card(h.product, h.score, h.why, h.variants) for h in res.hits],
            "filters": res.filters.as_dict(),
            "preferences": res.preferences,
            "understood": u.as_dict() if u else {},
            "notice": res.notice,
            "took_ms": round(res.took_ms, 3),
        }
    )
    # Where the time went, per step (ms), for the benchmark's breakdown and a browser's network panel.
    t4 = time.perf_counter()
    arrived = request.scope.get(ARRIVED)
    spans = {"before_route": (t0 - arrived) * 1000} if arrived is not None else {}
    spans |= {"params": (t1 - t0) * 1000, "personalize": (t2 - t1) * 1000, **res.stages}
    spans |= {"render": (t4 - t3) * 1000, "route": (t4 - t0) * 1000}
    response.headers["server-timing"] = ", ".join(f"{name};dur={ms:.3f}" for name, ms in spans.items())
    return response


_BOOLS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


@router.get("/api/products/{product_id}", tags=["catalog"], responses=responses(404, 503))
def product(svc: ServicesDep, product_id: str):
    p = svc.engine.index.product(product_id)
    if p is None:
        raise NotFound(f"no product with id {product_id!r}; ids come from /api/search results")
    card = product_card(p)
    card.update(description=p.description, attributes=p.attributes, category_path=p.category)
    return json_answer(card)


@router.get("/api/index", tags=["catalog"], responses=responses(503))
def index_summary(svc: ServicesDep):
    eng = svc.engine
    return {**eng.index.manifest.summary(), "version": eng.index.version}


@router.get("/healthz", tags=["ops"])
async def healthz(request: Request) -> JSONResponse:
    """Liveness: answered on the event loop, never queued behind searches in the thread pool."""
    return _probe_response(request, "healthz")


@router.get("/readyz", tags=["ops"], responses=responses(503))
async def readyz(request: Request) -> JSONResponse:
    """Readiness: 200 once the index is loaded (send traffic), 503 until then."""
    return _probe_response(request, "readyz")


def _probe_response(request: Request, name: str) -> JSONResponse:
    status, body, headers = probe(request.app.state, name)  # the same answer as on SHOPMATE_HEALTH_PORT
    return JSONResponse(body, status_code=status, headers=headers)


@router.post("/api/admin/reload", tags=["ops"], dependencies=[AdminDep], responses=responses(403, 503))
async def reload(svc: ServicesDep):
    """Load the index version now on disk; the old one serves until the new one is ready."""
    try:
        eng = await svc.reload()
    except (IndexNotFound, IndexMismatch) as e:
        raise BadInput(f"reload refused, the old index keeps serving: {e}") from None
    return {**eng.index.manifest.summary(), "version": eng.index.version}
