"""Glue between a request and the pure ranking code: the signals of one shopper (or an anonymous
visitor), `personalize_for` (the reranker used by search, browse and chat), and the home-feed recommendations."""

from __future__ import annotations

import math
from dataclasses import replace
from functools import lru_cache

import numpy as np

from assistant.search.engine import Reranker, SearchEngine
from assistant.search.query import Filters, parse_query
from assistant.shoppers.personalize import (
    WHOLE_CATALOG_ROWS,
    Signals,
    Weights,
    blend_weight,
    make_reranker,
    query_specificity,
)
from assistant.shoppers.popularity import daypart
from assistant.shoppers.rebuy import RowValues
from assistant.shoppers.service import Shoppers, device_of, referrer_terms
from assistant.shoppers.terms import (  # noqa: F401  (the cache and weights, used from here by callers)
    _HISTORY,
    _TERMS,
    HISTORY_BUCKETS,
    TERMS_CACHE,
    TERMS_CACHE_BYTES,
    _fitted,
    history_bucket,
    history_of,
    n_baskets,
    terms_bytes,
    terms_for,
    warm_recent,
    warmer,
    weights_for,
)

BROWSE_POPULARITY = 0.35  # browsing has no query relevance to protect: popularity matters more
# the reasons of the shopper's own purchases (why.reasons): repeat, one-off, basket share
BUY_AGAIN = ("you buy this", "you bought this before", "your only order", " of your ")
FEED_CONTEXT = 1.0  # a feed has no query at all: the referring search is the best cold-start hint


_SEGMENT_PRIOR: dict[tuple, tuple[list, np.ndarray | None]] = {}


@lru_cache(maxsize=256)
def search_weights(fitted: Weights, has_purchases: bool) -> Weights:
    """A search's weights: the search-time strengths of the purchase signals (the feed's are fitted on a whole
    catalog) and of the best sellers, fitted apart for a shopper with purchases, whose own repeat/co-purchase they
    compete with."""
    return replace(
        fitted,
        profile=fitted.profile if fitted.search_profile is None else fitted.search_profile,
        repeat=fitted.search_repeat,
        rebuy=fitted.search_rebuy,
        together=fitted.search_together,
        neighbours=fitted.search_neighbours,
        basket_share=fitted.search_basket_share,
        bestseller=fitted.search_bestseller if has_purchases else fitted.search_bestseller_anonymous,
    )


def segment_popularity(seg: dict, idx) -> np.ndarray | None:
    """The segment prior per catalog row, 0..1: what the segment's members buy more than the shop's other buyers
    (share x log lift, from summary['top_products'] written at refresh); cached per segment and index."""
    top = (seg.get("summary") or {}).get("top_products") or []
    if not top:
        return None
    key = (id(top), idx.version)
    hit = _SEGMENT_PRIOR.get(key)
    if hit is not None and hit[0] is top:
        return hit[1]
    out = np.zeros(len(idx.products))
    for entry in top:
        row = idx.id_to_row.get(entry[0])
        if row is not None:  # [id, share] from older refreshes: the share alone
            out[row] = entry[1] * max(math.log(entry[2]), 0.0) if len(entry) > 2 else entry[1]
    m = out.max()
    value = out / m if m > 0 else None
    if len(_SEGMENT_PRIOR) > 64:
        _SEGMENT_PRIOR.clear()
    _SEGMENT_PRIOR[key] = (top, value)
    return value


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
    pop = shoppers.popularity_vector(idx.id_to_row, len(idx.products), device, now)
    sig = Signals(
        popularity=pop,
        now=now,
        context_terms=terms,
        context_vec=shoppers.embed(terms) if terms else None,
        popularity_label=f"popular on {device} this {daypart(now)}",
    )
    # the shop's all-time best sellers are aggregate, not personal: every visitor's ranking may use them (None
    # in a shop without purchases, so its ranking stays as it was)
    hist = history_of(shoppers, engine)
    sig.bestseller, sig.buyers = hist.bestseller, hist.rates.buyers
    if prof is None or shopper_id is None:
        return sig
    sig.profile = prof
    sig.prefs = shoppers.preferences(shopper_id)
    seg = shoppers.segment_of(shopper_id)
    if seg is not None:
        sig.segment_name, sig.segment_vec = seg["name"], seg["centroid"]
        sig.segment_pop = segment_popularity(seg, idx)
    dismissed = frozenset(r for r in (idx.id_to_row.get(pid) for pid in prof.dismissed) if r is not None)
    sig.drop_rows = sig.dismissed = dismissed
    if prof.purchased or prof.cart:
        t = terms_for(shoppers, engine, shopper_id, prof, now)
        kept = (t.repeat, t.together, t.rebuy, t.share)
        sig.repeat, sig.together, sig.rebuy, sig.share = (for_request(a) for a in kept)
        sig.bought, sig.together_anchor, sig.n_orders, sig.one_off = t.bought, t.together_anchor, t.n_orders, t.one_off
        sig.drop_rows = dismissed | t.hidden
        nb = hist.neighbours  # customers like this one: precomputed when the history was learned
        near = nb.of(shopper_id, len(idx.products)) if nb is not None else None
        if near is not None:
            sig.neighbours, sig.neighbour_buyers = for_request(near[0]), near[1]
    return sig


def for_request(values: RowValues | None) -> np.ndarray | RowValues | None:
    """A shopper's term as this request reads it: in a catalog of up to WHOLE_CATALOG_ROWS rows, a dense copy (a few
    microseconds; the reranker then indexes it directly, ~10x cheaper than finding each candidate among the
    shopper's rows); in a bigger one, as kept (catalog-sized copies would cost more than the lookups)."""
    return np.asarray(values) if values is not None and values.n <= WHOLE_CATALOG_ROWS else values


def personalize_for(
    shoppers: Shoppers,
    engine: SearchEngine,
    shopper_id: str | None,
    headers,
    query: str,
    filters: Filters | None,
    pop_weight: float | None = None,
    weight_changes: dict | None = None,
) -> Reranker:
    """The reranker for one request (also for anonymous visitors: popularity and context only).
    weight_changes: weights tried instead of the fitted ones (the evaluation's fit on its validation split)."""
    sig = signals(shoppers, engine, shopper_id, headers)
    if query.strip():
        # a shopper who types what they want is asking for it: a one-off purchase hides an item from feeds and
        # browsing, not from the shopper's own search (dismissals still do)
        sig.drop_rows = sig.dismissed
    spec = 0.0  # how precise the query is: it weighs the shopper's own terms, which an anonymous visitor has none of
    if sig.profile is not None:
        parsed = parse_query(query, engine.vocab) if query else None
        merged = (filters or Filters()).merged(parsed.filters) if parsed else (filters or Filters())
        n_filters = len([k for k in merged.as_dict() if k != "in_stock"])
        spec = query_specificity(parsed.text if parsed else "", n_filters)
    fitted = weights_for(shoppers, n_baskets(sig.profile), **(weight_changes or {}))
    weights = search_weights(fitted, n_baskets(sig.profile) > 0)  # one reranker, a search's strengths
    w = blend_weight(spec, weights) if sig.profile is not None else 0.0
    hist = 1.0 - (1.0 - weights.min_profile) * spec  # purchase history yields to a precise query too
    return make_reranker(engine.index.vectors, engine.products, sig, w, weights, pop_weight, hist=hist)


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
        # because you viewed X: nearest neighbours of the most recent positively weighted items; a shopper
        # with purchases gets the reranked feed instead (repeat and co-purchase beat look-alikes there)
        recent = [pid for pid in reversed(list(prof.items)) if prof.items[pid].weight > 0][:3]
        if prof.purchased and (sig.repeat is not None or sig.together is not None):
            recent = []
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
            weights = weights_for(shoppers, n_baskets(prof), context=FEED_CONTEXT)
            w = blend_weight(0.0, weights) if prof is not None else 0.0
            rerank = make_reranker(
                idx.vectors, idx.products, sig, w, weights, pop_weight=weights.feed_popularity, hist=1.0
            )
            base = np.full(len(pool), 1e-9)  # no query: relevance is flat
            scores, why = rerank(pool, base)
            order = np.argsort(-scores, kind="stable")[:remaining]
            for i in order.tolist():
                if not np.isfinite(scores[i]):
                    continue
                section = (
                    "buy again"
                    if any(m in w_ for w_ in why[i] for m in BUY_AGAIN)
                    else "bought together"
                    if any(w_.startswith("often bought with") for w_ in why[i])
                    else "customers like you buy"
                    if any("customers who shop like you" in w_ for w_ in why[i])
                    else "popular in your segment"
                    if sig.segment_name and any("segment" in w_ for w_ in why[i])
                    else "recommended for you"
                    if prof is not None and why[i]
                    else "popular now"
                )
                add(int(pool[i]), section, why[i] or ["popular in the shop"], float(scores[i]))
    return out
