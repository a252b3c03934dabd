"""REST routes for search, products, the index manifest and admin reload."""

from __future__ import annotations

import inspect
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from assistant.api.answers import json_answer
from assistant.api.deps import AdminDep, ServicesDep, get_services, optional_shopper
from assistant.api.errors import documented, responses
from assistant.api.health import probe
from assistant.api.middleware import ARRIVED
from assistant.api.params import Param, parse_query
from assistant.errors import BadInput, NotFound
from assistant.search.cards import card_json, compact_json, product_card
from assistant.search.engine import MODES, SORTS
from assistant.search.query import Filters
from assistant.services import Services
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


SEARCH_PARAMS = (
    Param("q", str, "", "the shopper's query", max_length=MAX_QUERY_CHARS),
    Param("k", int, 10, "how many results", ge=1, le=100),
    Param("category", str, None, "category path words (hard filter)", min_length=1, max_length=200),
    Param("gender", str, None, "women, men, girls, boys, baby, kids, unisex", min_length=1, max_length=20),
    Param("colour", str, None, "hard filter on the catalog's colour", min_length=1, max_length=50),
    Param("brand", str, None, "hard filter on the maker", min_length=1, max_length=200),
    Param("price_min", float, None, "hard filter", ge=0, le=1e12),
    Param("price_max", float, None, "hard filter", ge=0, le=1e12),
    Param("in_stock", bool, None, "true: only products in stock"),
    Param("mode", str, "hybrid", "hybrid, dense or lexical", choices=MODES),
    Param("sort", str, "relevance", "relevance, price_asc, price_desc or rating", choices=SORTS),
    Param("distinct", bool, True, "true: variants of one product show once, with a count"),
    Param("autocorrect", bool, True, "false: search the words as typed, no spelling correction"),
)


async def search(request: Request) -> Response:
    """Search that reads the query (type, recipient, colour, price, brand, device, negations, typos) and
    ranks what it asks for first; filters given as parameters are hard."""
    t0 = time.perf_counter()
    p = parse_query(SEARCH_PARAMS, request.query_params)  # a 422 naming the field, before any work
    svc = get_services(request)
    return await run_in_threadpool(_search, request, svc, p, t0, time.perf_counter())


def _search(request: Request, svc: Services, p: dict[str, Any], t0: float, handed: float) -> Response:
    t1 = time.perf_counter()
    sid = optional_shopper(request)  # a bad or expired token: 401 (it may read a shared database: not on the loop)
    names = ("category", "gender", "colour", "brand", "price_min", "price_max", "in_stock")
    f = explicit_filters(*(p[n] for n in names))
    engine = svc.engine
    t2 = time.perf_counter()
    rerank = personalize_for(svc.shoppers, engine, sid, request.headers, p["q"], f)
    t3 = time.perf_counter()
    res = engine.search(
        p["q"],
        k=p["k"],
        filters=f,
        mode=p["mode"],
        rerank=rerank,
        distinct=p["distinct"],
        sort=p["sort"],
        correct=p["autocorrect"],
    )
    u = res.understanding
    t4 = time.perf_counter()
    # Rendered as JSONResponse would render it, with each card's fixed fields rendered once per product.
    head = compact_json({"query": p["q"], "corrected_query": res.corrected_query})
    rest = {
        "filters": res.filters.as_dict(),
        "preferences": res.preferences,
        "understood": u.as_dict() if u else {},
        "notice": res.notice,
        "took_ms": round(res.took_ms, 3),
    }
    cards = ",".join(card_json(h.product, h.score, h.why, h.variants) for h in res.hits)
    body = f'{head[:-1]},"results":[{cards}],{compact_json(rest)[1:]}'
    response = Response(body.encode(), media_type="application/json")
    # Where the time went, per step (ms), for the benchmark's breakdown and a browser's network panel.
    t5 = time.perf_counter()
    arrived = request.scope.get(ARRIVED)
    spans = {"before_route": (t0 - arrived) * 1000} if arrived is not None else {}
    spans |= {"params": (handed - t0) * 1000, "hop": (t1 - handed) * 1000, "token": (t2 - t1) * 1000}
    spans |= {"personalize": (t3 - t2) * 1000, **res.stages, "render": (t5 - t4) * 1000, "route": (t5 - t0) * 1000}
    response.headers["server-timing"] = ", ".join(f"{name};dur={ms:.3f}" for name, ms in spans.items())
    return response


router.add_route("/api/search", search, methods=["GET"], include_in_schema=False)
OPENAPI_SEARCH = {
    "tags": ["search"],
    "summary": "Search",
    "operationId": "search_api_search_get",
    "description": inspect.cleandoc(search.__doc__ or ""),
    "parameters": [param.openapi() for param in SEARCH_PARAMS],
    "responses": {
        "200": {"description": "results, with what was understood", "content": {"application/json": {"schema": {}}}},
        **documented(400, 401, 422, 503),
    },
}


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
