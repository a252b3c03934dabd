"""Glue between a request and the pure ranking code: the signals of one shopper (or an anonymous
visitor), `personalize_for` (the reranker used by search, browse and chat), and the home-feed recommendations."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from assistant.search.engine import Reranker, SearchEngine
from assistant.search.query import Filters, parse_query
from assistant.shoppers.personalize import Signals, Weights, blend_weight, make_reranker, query_specificity
from assistant.shoppers.popularity import daypart
from assistant.shoppers.service import Shoppers, device_of, referrer_terms

BROWSE_POPULARITY = 0.35  # browsing has no query relevance to protect: popularity matters more
FEED_CONTEXT = 1.0  # a feed has no query at all: the referring search is the best cold-start hint


def weights_for(shoppers: Shoppers, **changes) -> Weights:
    return replace(Weights(profile=shoppers.settings.profile_weight), **changes)


def signals(shoppers: Shoppers, engine: SearchEngine, shopper_id: str | None, headers) -> Signals:
    """What may shape this request's ranking. Without a shopper (or without consent) it is exactly
    what an anonymous visitor with the same request headers gets: aggregate popularity and the
    referring search, nothing personal."""
    now = shoppers.now()
    prof = shoppers.profile(shopper_id) if shopper_id else None
    ctx = dict(prof.context) if prof is not None else {}
    device = ctx.get("device") or device_of(headers.get("user-agent"))
    terms = referrer_terms(ctx.get("referrer") or headers.get("referer"))
    idx = engine.index
    with shoppers._lock:
        pop = shoppers.popularity.vector(idx.id_to_row, len(idx.products), device, now)
    sig = Signals(
        popularity=pop,
        now=now,
        context_terms=terms,
        context_vec=shoppers._embed(terms) if terms else None,
        popularity_label=f"popular on {device} this {daypart(now)}",
    )
    if prof is None or shopper_id is None:
        return sig
    sig.profile = prof
    sig.prefs = shoppers.preferences(shopper_id)
    seg = shoppers.segment_of(shopper_id)
    if seg is not None:
        sig.segment_name, sig.segment_vec = seg["name"], seg["centroid"]
    consumable = [c.strip().lower() for c in shoppers.settings.consumable_categories.split(",") if c.strip()]
    drop = set()
    for pid in prof.dismissed:
        row = idx.id_to_row.get(pid)
        if row is not None:
            drop.add(row)
    for pid in prof.purchased:
        row = idx.id_to_row.get(pid)
        if row is not None and not any(c in idx.products[row].category_path.lower() for c in consumable):
            drop.add(row)
    sig.drop_rows = frozenset(drop)
    return sig


def personalize_for(
    shoppers: Shoppers,
    engine: SearchEngine,
    shopper_id: str | None,
    headers,
    query: str,
    filters: Filters | None,
    pop_weight: float | None = None,
) -> Reranker:
    """The reranker for one request (also for anonymous visitors: popularity and context only)."""
    sig = signals(shoppers, engine, shopper_id, headers)
    parsed = parse_query(query, engine.vocab) if query else None
    merged = (filters or Filters()).merged(parsed.filters) if parsed else (filters or Filters())
    n_filters = len([k for k in merged.as_dict() if k != "in_stock"])
    spec = query_specificity(parsed.text if parsed else "", n_filters)
    w = blend_weight(spec, weights_for(shoppers)) if sig.profile is not None else 0.0
    return make_reranker(engine.index.vectors, engine.products, sig, w, weights_for(shoppers), pop_weight)


def recommendations(shoppers: Shoppers, engine: SearchEngine, shopper_id: str | None, headers, k: int) -> list[dict]:
    """Home feed: still in your cart, back in stock, because you viewed X, popular in your segment,
    popular now. Each entry: (product, section, reason); no product twice."""
    sig = signals(shoppers, engine, shopper_id, headers)
    idx = engine.index
    out: list[dict] = []
    seen: set[int] = set(sig.drop_rows)

    def add(row: int, section: str, why: list[str], score: float) -> None:
        if row in seen or len(out) >= k:
            return
        seen.add(row)
        out.append({"row": row, "section": section, "why": why, "score": score})

    prof = sig.profile
    if prof is not None:
        for pid in reversed(list(prof.cart)):
            row = idx.id_to_row.get(pid)
            if row is not None:
                add(row, "still in your cart", [f"{idx.products[row].title} is still in your cart"], 1.0)
        for pid in reversed(list(prof.wishlist)):
            row = idx.id_to_row.get(pid)
            if row is not None and prof.wish_stock.get(pid) is False and idx.products[row].in_stock:
                add(row, "back in stock", [f"{idx.products[row].title} from your wishlist is back in stock"], 1.0)
        # because you viewed X: nearest neighbours of the most recent positively weighted items
        recent = [pid for pid in reversed(list(prof.items)) if prof.items[pid].weight > 0][:3]
        per = max(1, (k - len(out)) // 2 // max(len(recent), 1))
        for pid in recent:
            tr = prof.items[pid]
            anchor = idx.id_to_row.get(pid)
            if anchor is None:
                continue
            seen.add(anchor)  # not the item itself
            sims = idx.vectors @ idx.vectors[anchor]
            got = 0
            for row in np.argsort(-sims)[:50].tolist():
                if row not in seen and got < per:
                    verb = {"purchase": "bought", "add_to_cart": "added to your cart"}.get(tr.last_type, "viewed")
                    add(
                        row,
                        f"because you {verb} {tr.title}",
                        [f"similar to {tr.title} you {verb} (similarity {sims[row]:.2f})"],
                        float(sims[row]),
                    )
                    got += 1
    # the rest: popularity blended with profile/segment/context through the one scoring path
    remaining = k - len(out)
    if remaining > 0:
        pool = np.array([r for r in range(len(idx.products)) if r not in seen], dtype=np.int64)
        if len(pool):
            w = blend_weight(0.0, weights_for(shoppers)) if prof is not None else 0.0
            rerank = make_reranker(
                idx.vectors, idx.products, sig, w, weights_for(shoppers, context=FEED_CONTEXT), pop_weight=1.0
            )
            base = np.full(len(pool), 1e-9)  # no query: relevance is flat
            scores, why = rerank(pool, base)
            order = np.argsort(-scores, kind="stable")[:remaining]
            for i in order.tolist():
                if not np.isfinite(scores[i]):
                    continue
                section = (
                    "popular in your segment"
                    if sig.segment_name and any("segment" in w_ for w_ in why[i])
                    else "recommended for you"
                    if prof is not None and why[i]
                    else "popular now"
                )
                add(int(pool[i]), section, why[i] or ["popular in the shop"], float(scores[i]))
    return out
