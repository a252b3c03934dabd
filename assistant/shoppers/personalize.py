"""Personalized ranking as pure functions: blending weight, the reranker and its reasons.

final = relevance + w·(profile affinity + taste matches + segment prior) + popularity (+ context),
with w = blend_weight(query specificity). Every reason in `why` is produced from a term that actually
moved the score by at least `min_reason` (the term's own value, not canned text), and the terms are
returned so tests and the eval can check them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np

from assistant.shoppers.profiles import Profile
from index.catalog import Product
from index.lexical import tokenize
from index.text import format_price

VERBS = {
    "view": "viewed",
    "click": "opened",
    "add_to_cart": "added to your cart",
    "wishlist": "wishlisted",
    "purchase": "bought",
}
_STOP = {
    "a",
    "an",
    "the",
    "for",
    "with",
    "and",
    "or",
    "of",
    "in",
    "on",
    "to",
    "size",
    "my",
    "me",
    "i",
    "some",
    "show",
    "want",
    "need",
    "looking",
}


@dataclass(frozen=True)
class Weights:
    profile: float = 0.6  # w at specificity 0 (vague queries, browsing)
    min_profile: float = 0.1  # w at specificity 1 (as a fraction of `profile`)
    taste: float = 0.15  # per matched colour/brand/price-band preference, times w
    segment: float = 0.3  # segment prior, times w·(1 - confidence)
    popularity: float = 0.12  # popularity for searches (browse and recommendations use more)
    feed_popularity: float = 1.0  # the home feed's (recent) popularity, against which the feed's weights are fitted
    context: float = 0.3  # referrer search terms for shoppers with little history
    repeat: float = 0.5  # the shopper's own past purchases of a product the shop re-buys, times w/profile
    rebuy: float = 0.0  # own shown items x how many of the shop's customers buy them (orders one-off purchases)
    repeat_half_life_days: float = 365.0  # recency decay of the repeat count (<= 0: a plain count)
    together: float = 0.3  # co-purchase with what the shopper bought or has in the cart, times w/profile
    bestseller: float = 0.0  # all-time share of the shop's customers who bought it (0: a shop without purchases)
    # the same two signals in a search, where they reorder the query's candidates instead of a whole feed
    search_profile: float | None = None  # None: `profile`
    search_repeat: float = 0.5
    search_rebuy: float = 0.0
    search_together: float = 0.3
    search_bestseller: float = 0.0  # for a shopper with purchases
    search_bestseller_anonymous: float = 0.0  # for everyone else: a shop's custom ranking by what its customers buy
    min_reason: float = 0.02


def query_specificity(query: str, n_filters: int) -> float:
    """0 for vague queries ("shoes", browsing) .. 1 for precise ones ("nike air max 90 size 42")."""
    words = [w for w in tokenize(query) if w not in _STOP] if query else []
    digits = sum(any(ch.isdigit() for ch in w) for w in words)
    spec = 0.2 * max(len(words) - 1, 0) + 0.2 * n_filters + 0.2 * digits
    return float(min(1.0, spec))


def blend_weight(specificity: float, weights: Weights) -> float:
    return weights.profile * (1.0 - (1.0 - weights.min_profile) * specificity)


def when(ts: float, now: float) -> str:
    days = (now - ts) / 86400.0
    if days < 1 and time.gmtime(ts).tm_yday == time.gmtime(now).tm_yday:
        return "today"
    if days < 2:
        return "yesterday"
    if days < 14:
        return f"{int(days)} days ago"
    return "a while ago"


@dataclass
class Signals:
    """Everything personal (or anonymous-but-contextual) the reranker may use for one request."""

    profile: Profile | None = None  # None: anonymous or no consent
    prefs: dict = field(default_factory=dict)  # explicit + learned preferences
    segment_name: str | None = None
    segment_vec: np.ndarray | None = None
    popularity: np.ndarray | None = None  # per catalog row, 0..1
    popularity_label: str = "popular right now"
    context_vec: np.ndarray | None = None  # embedding of the referrer's search terms
    context_terms: str = ""
    drop_rows: frozenset[int] = frozenset()  # dismissed / bought and not re-bought in this shop
    dismissed: frozenset[int] = frozenset()  # what the shopper dismissed (hidden even from their searches)
    now: float = 0.0
    repeat: np.ndarray | None = None  # per catalog row, 0..1: own purchases x the shop's repeat rate
    bought: dict[int, int] = field(default_factory=dict)  # row -> times the shopper bought it
    together: np.ndarray | None = None  # per catalog row, 0..1: co-purchase with the shopper's items
    together_anchor: np.ndarray | None = None  # per catalog row: the anchor row behind it (-1: none)
    anchor_titles: dict[int, str] = field(default_factory=dict)
    segment_pop: np.ndarray | None = None  # per catalog row, 0..1: what the shopper's segment buys
    rebuy: np.ndarray | None = None  # per catalog row, 0..1: own shown items x the shop's buyers of them
    # per catalog row, 0..1: distinct customers who ever bought it / the most; a season-independent popularity
    bestseller: np.ndarray | None = None
    buyers: np.ndarray | None = None  # per catalog row: those distinct customers (for the reason)


@dataclass
class Contributions:
    """Per-candidate terms, kept for tests, the eval and the reasons."""

    relevance: np.ndarray
    affinity: np.ndarray
    taste: np.ndarray
    segment: np.ndarray
    popularity: np.ndarray
    context: np.ndarray
    repeat: np.ndarray
    together: np.ndarray
    bestseller: np.ndarray


WHOLE_CATALOG_ROWS = 20_000
TOGETHER_FLOOR = 0.05  # candidates whose best co-purchase is weaker than this keep the catalog scale (noise)
_BORROWED: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def estimate_new_popularity(rows: np.ndarray, vectors: np.ndarray, pop: np.ndarray, k: int = 64) -> np.ndarray:
    """Popularity of candidates; products with no events borrow half of their most similar popular
    product's popularity (content similarity), so new arrivals get exposure. Computed for the whole catalog
    once per popularity vector (it changes with events, not with requests), then looked up."""
    if len(pop) > WHOLE_CATALOG_ROWS:  # a big catalog: only the candidates, per request
        return _estimate(rows, vectors, pop, k)
    key = (id(pop), id(vectors))
    hit = _BORROWED.get(key)
    if hit is None or hit[0] is not pop or hit[1] is not vectors:
        if len(_BORROWED) > 8:
            _BORROWED.clear()
        hit = (pop, vectors, _estimate(np.arange(len(pop)), vectors, pop, k))
        _BORROWED[key] = hit
    return hit[2][rows]


def _estimate(rows: np.ndarray, vectors: np.ndarray, pop: np.ndarray, k: int) -> np.ndarray:
    own = pop[rows].astype(np.float64)
    cold = own <= 0
    if not cold.any() or not (pop > 0).any():
        return own
    top = np.argsort(-pop)[:k]
    top = top[pop[top] > 0]
    sims = np.clip(vectors[rows[cold]] @ vectors[top].T, 0.0, 1.0)
    own[cold] = 0.5 * (sims * pop[top]).max(axis=1)
    return own


def score(
    rows: np.ndarray,
    base: np.ndarray,
    vectors: np.ndarray,
    products: list[Product],
    sig: Signals,
    w: float,
    weights: Weights,
    pop_weight: float | None = None,
    hist: float | None = None,
) -> tuple[np.ndarray, Contributions]:
    """New scores for candidate rows; dropped rows get -inf.

    hist scales the purchase-history terms (repeat, co-purchase): 1 for a feed, shrinking with the query's
    specificity like w does (None: w / weights.profile)."""
    n = len(rows)
    cand = _Gathered(vectors, rows)  # the candidates' vectors, copied out only if a term needs them
    top = float(np.max(base)) if n and np.max(base) > 0 else 1.0
    rel = base / top
    zero = np.zeros(n)
    aff, taste, seg, popc, ctx = zero.copy(), zero.copy(), zero.copy(), zero.copy(), zero.copy()
    prof = sig.profile
    conf = prof.confidence() if prof is not None else 0.0
    pv = prof.vector() if prof is not None else None
    if pv is not None:
        raw = cand.get() @ pv
        aff = w * (raw - np.median(raw))
    if sig.prefs and w > 0:
        taste = w * weights.taste * _taste_matches(rows, products, taste_prefs(sig.prefs))
    if sig.segment_vec is not None and w > 0:
        raw = cand.get() @ sig.segment_vec
        seg = w * weights.segment * (1.0 - conf) * (raw - np.median(raw))
    if sig.segment_pop is not None and w > 0:
        seg = seg + w * weights.segment * (1.0 - conf) * sig.segment_pop[rows]
    # purchase-history terms follow the query's specificity like the profile does (w / profile weight)
    if hist is None:
        hist = w / weights.profile if weights.profile > 0 else 1.0
    rep = zero.copy()
    if sig.repeat is not None:
        own = sig.repeat[rows]
        shop = sig.rebuy[rows] if sig.rebuy is not None else (own > 0).astype(np.float64)
        rep = hist * (weights.repeat * own + weights.rebuy * shop)
    tog = zero.copy()
    if sig.together is not None:
        # on the candidates' own scale: in a search for "lantern" the lantern most bought with the shopper's
        # items gets the full term even when a far stronger partner (another category) tops the catalog
        raw = sig.together[rows]
        tog = hist * weights.together * raw / max(float(raw.max()) if n else 0.0, TOGETHER_FLOOR)
    best = zero.copy()
    if sig.bestseller is not None:
        best = weights.bestseller * sig.bestseller[rows]
    if sig.popularity is not None:
        pw = weights.popularity if pop_weight is None else pop_weight
        popc = pw * (1.0 - 0.5 * conf) * estimate_new_popularity(rows, vectors, sig.popularity)
    if sig.context_vec is not None:
        raw = cand.get() @ sig.context_vec
        ctx = weights.context * (1.0 - conf) * (raw - np.median(raw))
    total = rel + aff + taste + seg + popc + ctx + rep + tog + best
    if sig.drop_rows:
        drop = np.fromiter((r in sig.drop_rows for r in rows.tolist()), bool, n)
        total = np.where(drop, -np.inf, total)
    return total, Contributions(rel, aff, taste, seg, popc, ctx, rep, tog, best)


def median(x: np.ndarray) -> float:
    """float(np.median(x)) of a non-empty array without NaN, at a fraction of its cost (one partition; np.median's
    generic path cost more than the rest of a search's reasons)."""
    n = len(x)
    h = n // 2
    if n % 2:
        return float(np.partition(x, h)[h])
    part = np.partition(x, (h - 1, h))
    return float((part[h - 1] + part[h]) / 2)


class _Gathered:
    """vectors[rows], copied on first use: an anonymous shopper's search has no term that reads them."""

    def __init__(self, vectors: np.ndarray, rows: np.ndarray):
        self.vectors, self.rows = vectors, rows
        self._got: np.ndarray | None = None

    def get(self) -> np.ndarray:
        if self._got is None:
            self._got = self.vectors[self.rows]
        return self._got


class LazyReasons(Sequence[list[str]]):
    """The reasons of a reranker's candidates, worked out when asked for: a search shows k of a few hundred
    candidates, and explaining all of them cost a millisecond. reasons[i] equals what `reasons` gives for
    candidate i (each candidate's reasons depend only on its own terms and the request's signals); a
    candidate outside the mask `eligible()` (worked out when first needed) has none."""

    def __init__(self, explain: Callable[[np.ndarray], list[list[str]]], eligible: Callable[[], np.ndarray], n: int):
        self._explain, self._which = explain, eligible  # eligible(): a mask over the n candidates
        self._eligible: np.ndarray | None = None
        self._n = n
        self._done: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> list[str]: ...
    @overload
    def __getitem__(self, i: slice) -> list[list[str]]: ...
    def __getitem__(self, i: int | slice) -> list[str] | list[list[str]]:
        if isinstance(i, slice):
            return self.take(range(*i.indices(self._n)))
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        return self.take((i,))[0]

    def __iter__(self) -> Iterator[list[str]]:
        return iter(self.take(range(self._n)))  # all at once: one batch, not one call per candidate

    def take(self, positions: Iterable[int]) -> list[list[str]]:
        """The reasons of these candidates, those not worked out yet in one batch."""
        pos = list(positions)
        todo = [i for i in dict.fromkeys(pos) if i not in self._done]
        if todo and self._eligible is None:
            self._eligible = self._which()
        ask = [i for i in todo if self._eligible is not None and self._eligible[i]]
        for i, why in zip(ask, self._explain(np.asarray(ask, np.int64)) if ask else [], strict=True):
            self._done[i] = why
        for i in todo:
            self._done.setdefault(i, [])
        return [self._done[i] for i in pos]


def _names(value: object) -> set[str]:
    """A list of names from stored preferences; anything else (null, a number, a bare string) is absent."""
    if not isinstance(value, (list, tuple, set)):
        return set()
    return {v.lower() for v in value if isinstance(v, str) and v}


def _band(value: object) -> tuple[float, float] | None:
    """A usable price band [low, high] of finite numbers with low <= high; anything else is absent."""
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    lo, hi = value
    ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (lo, hi))
    return (float(lo), float(hi)) if ok and lo <= hi else None


def taste_prefs(prefs: dict) -> dict:
    """The colours, brands and price band the reranker can use; malformed stored values count as absent."""
    return {
        "colours": _names(prefs.get("colours")),
        "brands": _names(prefs.get("brands")),
        "price_band": _band(prefs.get("price_band")),
    }


_FACETS: dict[int, tuple[list[Product], np.ndarray, np.ndarray, np.ndarray]] = {}


def _facet_arrays(products: list[Product]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower-cased colour and brand (one string per distinct value) and price (NaN: none) of every product, per
    catalog; two catalogs at most (serving, and replaced during a reload): an entry keeps its catalog alive."""
    hit = _FACETS.get(id(products))
    if hit is None or hit[0] is not products:
        if len(_FACETS) >= 2:
            _FACETS.clear()
        one: dict[str, str] = {}
        colour = np.array([one.setdefault(x, x) for x in ((p.colour or "").lower() for p in products)], dtype=object)
        brand = np.array([one.setdefault(x, x) for x in ((p.brand or "").lower() for p in products)], dtype=object)
        price = np.array([np.nan if p.price is None else p.price for p in products], dtype=np.float64)
        hit = _FACETS[id(products)] = (products, colour, brand, price)
    return hit[1], hit[2], hit[3]


def _taste_matches(rows: np.ndarray, products: list[Product], prefs: dict) -> np.ndarray:
    colours, brands, band = prefs["colours"], prefs["brands"], prefs["price_band"]
    colour, brand, price = _facet_arrays(products)
    out = np.zeros(len(rows))
    if colours:
        out += np.isin(colour[rows], list(colours))
    if brands:
        out += np.isin(brand[rows], list(brands))
    if band is not None:
        p = price[rows]
        out += (p >= band[0]) & (p <= band[1])  # NaN (no price) compares False
    return out


def reasons(
    rows: np.ndarray,
    c: Contributions,
    vectors: np.ndarray,
    products: list[Product],
    sig: Signals,
    weights: Weights,
    pop_mid: float | None = None,
) -> list[list[str]]:
    """Concrete reasons per candidate from the terms that moved its score."""
    out: list[list[str]] = [[] for _ in rows]
    prof = sig.profile
    untraced: tuple[list[str], np.ndarray, np.ndarray] = ([], np.zeros(len(rows), np.int64), np.zeros(len(rows)))
    ids, best, share = prof.explain_rows(vectors[rows]) if prof is not None and c.affinity.any() else untraced
    tp = taste_prefs(sig.prefs)
    colours, brands, band = tp["colours"], tp["brands"], tp["price_band"]
    if pop_mid is None:
        pop_mid = median(c.popularity) if len(rows) else 0.0
    for i, r in enumerate(rows.tolist()):
        p = products[r]
        parts: list[tuple[float, str]] = []
        if prof is not None and ids and c.affinity[i] >= weights.min_reason and share[i] > 0:
            tr = prof.items[ids[best[i]]]
            verb, ago = VERBS.get(tr.last_type, "viewed"), when(tr.last_ts, sig.now)
            parts.append(
                (
                    c.affinity[i],
                    f"you {verb} this {ago}" if ids[best[i]] == p.id else f"similar to {tr.title} you {verb} {ago}",
                )
            )
        if c.taste[i] >= weights.min_reason:
            if (p.colour or "").lower() in colours:
                parts.append((c.taste[i], f"in {p.colour}, a colour you often choose"))
            if (p.brand or "").lower() in brands:
                parts.append((c.taste[i], f"{p.brand}, a brand you like"))
            if band and p.price is not None and band[0] <= p.price <= band[1]:
                lo, hi = format_price(band[0], p.currency), format_price(band[1], p.currency)
                parts.append((c.taste[i], f"matches your usual price range ({lo}–{hi})"))
        if c.segment[i] >= weights.min_reason and sig.segment_name:
            parts.append((c.segment[i], f"popular in your segment ({sig.segment_name})"))
        if c.popularity[i] - pop_mid >= weights.min_reason:  # popular compared with the other candidates
            parts.append((c.popularity[i], sig.popularity_label))
        if c.repeat[i] >= weights.min_reason:
            times = sig.bought.get(r, 0)
            parts.append(
                (
                    c.repeat[i],
                    f"you buy this regularly ({times} times)"
                    if times >= 2
                    else "you bought this before, and shoppers here often buy it again",
                )
            )
        if c.together[i] >= weights.min_reason and sig.together_anchor is not None:
            anchor = int(sig.together_anchor[r])
            if anchor >= 0:
                title = sig.anchor_titles.get(anchor) or products[anchor].title
                parts.append((c.together[i], f"often bought with {title}"))
        if c.bestseller[i] >= weights.min_reason and sig.buyers is not None:
            parts.append((c.bestseller[i], f"bought by {int(sig.buyers[r])} of the shop's customers"))
        if c.context[i] >= weights.min_reason and sig.context_terms:
            parts.append((c.context[i], f"related to your search for '{sig.context_terms}'"))
        out[i] = [t for _, t in sorted(parts, key=lambda x: -x[0])]
    return out


def make_reranker(
    vectors: np.ndarray,
    products: list[Product],
    sig: Signals,
    w: float,
    weights: Weights,
    pop_weight: float | None = None,
    max_reasons: int = 100,
    hist: float | None = None,
):
    """The engine's rerank hook: (rows, fused scores) -> (new scores, reasons)."""

    def rerank(rows: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, LazyReasons]:
        total, contrib = score(rows, base, vectors, products, sig, w, weights, pop_weight, hist)
        # Only rows that can be shown (k <= 100) have reasons, and only those asked for are worked out.
        mid: list[float] = []  # popular compared with all candidates: worked out with the first reasons

        def eligible() -> np.ndarray:
            out = np.zeros(len(rows), dtype=bool)
            out[np.argsort(-total, kind="stable")[:max_reasons]] = True
            return out

        def explain(at: np.ndarray) -> list[list[str]]:
            if not mid:
                mid.append(median(contrib.popularity) if len(rows) else 0.0)
            sub = Contributions(*(getattr(contrib, f)[at] for f in Contributions.__dataclass_fields__))
            return reasons(rows[at], sub, vectors, products, sig, weights, mid[0])

        return total, LazyReasons(explain, eligible, len(rows))

    return rerank
