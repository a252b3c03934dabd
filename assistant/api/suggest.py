"""REST routes of the search-box autocomplete: suggestions per keystroke, and accepted suggestions.

The handler is `async` on purpose: it does a few hundred microseconds of in-memory work and no I/O for
an anonymous shopper, so running it on the event loop saves the thread-pool hop a sync route pays. The
body is rendered by hand (json.dumps) rather than by FastAPI's generic encoder, which cost a third of the
time per keystroke. For the same reason GET /api/autocomplete is a plain Starlette route that reads q and k
itself: FastAPI's parameter validation and dependency solving cost more than a cached answer does. Its
OpenAPI entry is declared by hand (`document`).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import re
import time

import numpy as np
from fastapi import APIRouter, Body, Request
from fastapi.responses import Response

from assistant.api.deps import OptionalShopper, ServicesDep, get_services, optional_shopper
from assistant.api.errors import documented, responses
from assistant.errors import BadInput, Unavailable
from assistant.search.cards import product_card
from assistant.services import Services
from assistant.suggest.service import Autocomplete
from assistant.suggest.suggester import Suggestion
from index.suggestions import display_form

router = APIRouter()
log = logging.getLogger("shopmate.autocomplete")
MAX_Q_CHARS = 200
K_DEFAULT, K_MAX = 8, 20
PRODUCT_HITS = 3
RECENT = 5


def _autocomplete(svc: Services) -> Autocomplete:
    ac = svc.engine.autocomplete
    if ac is None:
        raise Unavailable("autocomplete is not loaded yet; try again in a moment")
    return ac


def shopper_context(svc: Services, request: Request) -> tuple[str | None, np.ndarray | None, list[str]]:
    """(shopper id, profile vector, recent searches); the last two only with personalization consent."""
    shoppers = svc.shoppers
    sid = optional_shopper(request)  # a bad token raises Unauthorized (401)
    if sid is None or not shoppers.has_consent(sid):
        return sid, None, []
    return sid, shoppers.profile_vector(sid), list(shoppers.recent_searches(sid, RECENT))


def _refresh_from_log(ac: Autocomplete, svc: Services) -> None:
    try:
        ac.refresh(list(svc.shoppers.popular_searches(svc.settings.autocomplete_log_size)), svc.embedder.encode)
    except Exception:  # a failed refresh must not take autocomplete down: the old phrases keep serving
        log.exception("autocomplete refresh from the search log failed")
    finally:
        ac.refreshing = False


def maybe_refresh(ac: Autocomplete, svc: Services) -> None:
    """Fold the search log in every autocomplete_refresh_s, in a worker thread (never on this request)."""
    if ac.refreshing:
        return
    if time.monotonic() - ac.refreshed_at < svc.settings.autocomplete_refresh_s:
        return
    ac.refreshing = True
    asyncio.get_running_loop().run_in_executor(None, _refresh_from_log, ac, svc)


def _recent_and_trending(ac: Autocomplete, recent: list[str], k: int) -> list[Suggestion]:
    out: list[Suggestion] = []
    seen: set[str] = set()
    for text in recent:
        t = " ".join(text.split())
        if t and t.lower() not in seen:
            seen.add(t.lower())
            out.append(Suggestion(t, "query", []))
    for s in ac.suggester.trending(k + len(out)):
        if s.text not in seen:
            seen.add(s.text)
            out.append(s)
    return out[:k]


_INT = re.compile(r"\s*[+-]?[0-9]+(?:\.0*)?\s*")


def parse_k(raw: str | None) -> int:
    """k from the query string: a whole number 1..K_MAX (default K_DEFAULT), else BadInput (422)."""
    if raw is None:
        return K_DEFAULT
    if not _INT.fullmatch(raw):
        raise BadInput(f"k: must be a whole number from 1 to {K_MAX}, got {raw[:20]!r}")
    k = int(raw.strip().split(".")[0])
    if not 1 <= k <= K_MAX:
        raise BadInput(f"k: must be from 1 to {K_MAX}, got {k}")
    return k


async def autocomplete(request: Request) -> Response:
    """Suggestions for the search box, plus the top product hits of the best suggestions. With a shopper
    token (and consent) the order follows the shopper's taste; an empty q gives recent + trending."""
    t0 = time.perf_counter()
    params = request.query_params
    q = params.get("q", "")
    k = parse_k(params.get("k"))
    if len(q) > MAX_Q_CHARS:
        raise BadInput(
            f"q is {len(q)} characters; autocomplete takes at most {MAX_Q_CHARS} (send longer text to /api/search)"
        )
    svc = get_services(request)
    ac = _autocomplete(svc)
    _, profile, recent = shopper_context(svc, request)  # in-memory only: no I/O on this path
    maybe_refresh(ac, svc)
    sugg = ac.suggester
    # Anonymous answers depend only on the typed text and the phrases' state: popular prefixes are typed
    # over and over, so they are kept rendered (per Suggester and its learning version).
    key = (display_form(q), k, id(sugg), sugg.version) if profile is None and not recent else None
    body = ac.cache.get(key) if key is not None else None
    if body is None:
        if not q.strip():
            items, products = _recent_and_trending(ac, recent, k), []
        else:
            items = sugg.suggest(q, k, profile, recent)
            rows = sugg.product_rows(items, PRODUCT_HITS, profile, ac.index.vectors)
            products = [product_card(ac.index.products[r]) for r in rows]
        body = json.dumps({"suggestions": [s.as_dict() for s in items], "products": products}, ensure_ascii=False)[1:-1]
        if key is not None and svc.settings.autocomplete_cache_size > 0:
            ac.cache[key] = body
            if len(ac.cache) > svc.settings.autocomplete_cache_size:
                ac.cache.popitem(last=False)
    elif key is not None:
        ac.cache.move_to_end(key)
    took = round((time.perf_counter() - t0) * 1000, 3)
    return Response(
        f'{{"q": {json.dumps(q, ensure_ascii=False)}, {body}, "took_ms": {took}}}', media_type="application/json"
    )


router.add_route("/api/autocomplete", autocomplete, methods=["GET"], include_in_schema=False)


@router.post("/api/autocomplete/accept", tags=["search"], responses=responses(400, 401, 413, 422, 503))
async def accept(
    svc: ServicesDep,
    sid: OptionalShopper,
    text: str = Body(..., embed=True, max_length=MAX_Q_CHARS, pattern=r"\S", description="the suggestion chosen"),
    typed: str | None = Body(None, embed=True, max_length=MAX_Q_CHARS, description="what was typed when it was"),
):
    """The shopper picked a suggestion: it counts towards its popularity now (no rebuild), and, for a
    shopper with a token, it is recorded as a `search` event (so the search log keeps it)."""
    text = " ".join((text or "").split())
    if not text:
        raise BadInput('text is empty: send {"text": "<the suggestion the shopper picked>"}')
    if len(text) > MAX_Q_CHARS:
        raise BadInput(f"text is {len(text)} characters; at most {MAX_Q_CHARS}")
    ac = _autocomplete(svc)
    recorded = False
    if sid is not None:
        await asyncio.to_thread(svc.shoppers.record, sid, [{"type": "search", "query": text}])
        recorded = True
    learned = ac.suggester.learn(text, logged=recorded, typed=typed)
    return {"text": text, "learned": learned, "recorded": recorded}


OPENAPI_GET = {
    "tags": ["search"],
    "summary": "Autocomplete",
    "operationId": "autocomplete_api_autocomplete_get",
    "description": inspect.cleandoc(autocomplete.__doc__ or ""),
    "parameters": [
        {
            "name": "q",
            "in": "query",
            "required": False,
            "description": "what the shopper has typed so far",
            "schema": {"type": "string", "default": "", "maxLength": MAX_Q_CHARS},
        },
        {
            "name": "k",
            "in": "query",
            "required": False,
            "description": "how many suggestions",
            "schema": {"type": "integer", "minimum": 1, "maximum": K_MAX, "default": K_DEFAULT},
        },
    ],
    "responses": {
        "200": {"description": "suggestions and product hits", "content": {"application/json": {"schema": {}}}},
        **documented(401, 422, 503),
    },
}
