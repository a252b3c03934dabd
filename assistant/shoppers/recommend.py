"""Glue between a request and the pure ranking code: the signals of one shopper (or an anonymous
visitor), `personalize_for` (the reranker used by search, browse and chat), and the home-feed recommendations."""

from __future__ import annotations

import json
import math
import threading
import weakref
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.search.engine import Reranker, SearchEngine
from assistant.search.query import Filters, parse_query
from assistant.shoppers.basket import HistoryCache, ShopHistory
from assistant.shoppers.lru import SizedLru
from assistant.shoppers.personalize import Signals, Weights, blend_weight, make_reranker, query_specificity
from assistant.shoppers.popularity import daypart
from assistant.shoppers.profiles import Profile
from assistant.shoppers.rebuy import PurchaseTerms, terms_from
from assistant.shoppers.service import Shoppers, device_of, referrer_terms

BROWSE_POPULARITY = 0.35  # browsing has no query relevance to protect: popularity matters more
# the reasons of the shopper's own purchases (why.reasons): repeat, one-off, basket share
BUY_AGAIN = ("you buy this", "you bought this before", "your only order", " of your ")
FEED_CONTEXT = 1.0  # a feed has no query at all: the referring search is the best cold-start hint


HISTORY_BUCKETS = (0, 1, 3, 6)  # purchase baskets: none, 1-2, 3-5, 6 or more
_HISTORY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Per Shoppers: the history the entries were computed with, and shopper -> ((basket version, index version, hour,
# half-life), purchase terms). A shopper's requests reuse them until their next purchase/cart event, a new index
# version or the next hour; a relearned history starts them over, from the shoppers' baskets (`Shoppers.basket`,
# kept: worked out when the purchase or cart event was recorded).
_TERMS: weakref.WeakKeyDictionary[Shoppers, tuple[ShopHistory, SizedLru[PurchaseTerms]]] = weakref.WeakKeyDictionary()
TERMS_CACHE = 4096
# Each entry holds up to four catalog-sized arrays (640 KB per shopper at 20k products: 4,096 of them would be
# ~2.6 GB), so the cache is bounded by their bytes too; the least recently used shoppers' terms go first.
TERMS_CACHE_BYTES = 64 << 20
_CACHE_LOCK = threading.Lock()
_SEGMENT_PRIOR: dict[tuple, tuple[list, np.ndarray | None]] = {}
_WEIGHTS: dict[tuple, tuple[dict, Weights]] = {}  # weights_for's answers, with the fitted table they were read from


def history_bucket(n_baskets: int) -> int:
    return max(b for b in HISTORY_BUCKETS if n_baskets >= b)


@lru_cache(maxsize=8)
def _fitted(path: Path | None) -> dict[int, dict]:
    """Fitted weights per history bucket (file written by the evaluation's --fit on a validation split):
    one set for every shopper ("weights") or, in older files, one per bucket ("buckets")."""
    if path is None or not Path(path).exists():
        return {}
    data = json.loads(Path(path).read_text())
    if "weights" in data:
        return dict.fromkeys(HISTORY_BUCKETS, data["weights"])
    return {int(b): w for b, w in data["buckets"].items()}


def weights_for(shoppers: Shoppers, n_baskets: int | None = None, **changes) -> Weights:
    """Defaults (SHOPMATE_PROFILE_WEIGHT), then the fitted blend for this length of history, then `changes`."""
    path = shoppers.settings.blend_weights
    table = _fitted(path)
    bucket = None if n_baskets is None else history_bucket(n_baskets)
    key = (shoppers.settings.profile_weight, path, bucket, tuple(sorted(changes.items())))
    hit = _WEIGHTS.get(key)
    if hit is not None and hit[0] is table:  # the same fitted file as read: building a Weights costs ~20 us
        return hit[1]
    base = Weights(profile=shoppers.settings.profile_weight)
    fitted = table.get(bucket) if bucket is not None else None
    if fitted:
        base = replace(base, **fitted)
    weights = replace(base, **changes)
    if len(_WEIGHTS) > 256:
        _WEIGHTS.clear()
    _WEIGHTS[key] = (table, weights)
    return weights


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


def history_of(shoppers: Shoppers, engine: SearchEngine) -> ShopHistory:
    """The shop's learned repeat rates and co-purchases (cached per Shoppers for settings.history_ttl_s)."""
    cache = _HISTORY.get(shoppers)
    if cache is None:
        cache = _HISTORY.setdefault(shoppers, HistoryCache(shoppers.settings.history_ttl_s))
    return cache.get(shoppers.store, engine.index)


def n_baskets(prof: Profile | None) -> int:
    """Orders the shopper placed (distinct purchase hours)."""
    return 0 if prof is None else prof.n_baskets()


def terms_for(shoppers: Shoppers, engine: SearchEngine, shopper_id: str, prof: Profile, now: float) -> PurchaseTerms:
    """The shopper's repeat/co-purchase terms, computed once per purchase/cart change (and per hour, for decay):
    views, clicks and searches leave them cached; a relearned shop history or a new index version recomputes them
    (from the basket, kept)."""
    idx = engine.index
    hist = history_of(shoppers, engine)
    fitted = weights_for(shoppers, n_baskets(prof))
    half_life, min_rate = fitted.repeat_half_life_days, fitted.hide_below_rate
    key = (prof.basket_version, idx.version, int(now // 3600), half_life, min_rate)
    held = _TERMS.get(shoppers)
    if held is None or held[0] is not hist:
        with _CACHE_LOCK:
            held = _TERMS.get(shoppers)
            if held is None or held[0] is not hist:
                held = _TERMS[shoppers] = (hist, SizedLru(TERMS_CACHE, TERMS_CACHE_BYTES, terms_bytes))
                if _forget_terms not in shoppers.forget_hooks:
                    shoppers.forget_hooks.append(_forget_terms)
    terms = held[1].get(shopper_id, key)
    if terms is not None:
        return terms
    consumable = [c.strip().lower() for c in shoppers.settings.consumable_categories.split(",") if c.strip()]

    def fallback(row: int) -> bool:  # a shop too young to have learned rates: the configured list
        return any(c in idx.products[row].category_path.lower() for c in consumable)

    basket = shoppers.basket(shopper_id, idx)
    n = len(idx.products)
    terms = terms_from(basket, now, n, hist.rates, hist.together_of, fallback, half_life, min_rate, prof.n_baskets())
    held[1].put(shopper_id, key, terms)
    return terms


def _forget_terms(shoppers: Shoppers, shopper_ids: list[str]) -> None:
    """An erased shopper's terms leave the cache at once, not when evicted."""
    held = _TERMS.get(shoppers)
    if held is not None:
        for sid in shopper_ids:
            held[1].pop(sid)


def terms_bytes(t: PurchaseTerms) -> int:
    """The bytes of a shopper's catalog-sized arrays."""
    return sum(a.nbytes for a in (t.repeat, t.together, t.rebuy, t.share) if a is not None)


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
        sig.repeat, sig.bought, sig.together, sig.together_anchor = t.repeat, t.bought, t.together, t.together_anchor
        sig.rebuy, sig.share, sig.n_orders, sig.one_off = t.rebuy, t.share, t.n_orders, t.one_off
        sig.drop_rows = dismissed | t.hidden
        nb = hist.neighbours  # customers like this one: precomputed when the history was learned
        near = nb.of(shopper_id, len(idx.products)) if nb is not None else None
        if near is not None:
            sig.neighbours, sig.neighbour_buyers = near
    return sig


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
