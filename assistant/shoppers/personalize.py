"""Personalized ranking as pure functions: blending weight, the reranker and its reasons.

final = relevance + w·(profile affinity + taste matches + segment prior) + popularity (+ context) + purchase-history
terms (repeat, basket share, co-purchase, customers like you), with w = blend_weight(query specificity). Every reason
(`why.reasons`) is produced from a term that actually moved the score by at least `min_reason` (the term's own
value, not canned text), and the terms are returned so tests and the eval can check them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.shoppers.profiles import Profile
from assistant.shoppers.rebuy import MIN_RATE, AnchorLookup, RowValues
from assistant.shoppers.why import LazyReasons, _taste_matches, median, reasons, taste_prefs
from index.catalog import Product
from index.lexical import tokenize

__all__ = ["Contributions", "Signals", "Weights", "make_reranker", "median", "reasons", "score", "taste_prefs"]

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
    neighbours: float = 0.0  # what the customers who buy most like the shopper buy (user-kNN), times w/profile
    basket_share: float = 0.0  # share of the shopper's orders holding the item (linear), times w/profile
    # a one-off purchase is hidden when the shop's learned repeat rate is under this (fitted: in a shop whose
    # rates are learned from a short history, hiding costs the re-buys the rates have not yet seen)
    hide_below_rate: float = MIN_RATE
    # the same two signals in a search, where they reorder the query's candidates instead of a whole feed
    search_profile: float | None = None  # None: `profile`
    search_repeat: float = 0.5
    search_rebuy: float = 0.0
    search_together: float = 0.3
    search_bestseller: float = 0.0  # for a shopper with purchases
    search_bestseller_anonymous: float = 0.0  # for everyone else: a shop's custom ranking by what its customers buy
    search_neighbours: float = 0.0
    search_basket_share: float = 0.0
    min_reason: float = 0.02


def query_specificity(query: str, n_filters: int) -> float:
    """0 for vague queries ("shoes", browsing) .. 1 for precise ones ("nike air max 90 size 42")."""
    words = [w for w in tokenize(query) if w not in _STOP] if query else []
    digits = sum(any(ch.isdigit() for ch in w) for w in words)
    spec = 0.2 * max(len(words) - 1, 0) + 0.2 * n_filters + 0.2 * digits
    return float(min(1.0, spec))


def blend_weight(specificity: float, weights: Weights) -> float:
    return weights.profile * (1.0 - (1.0 - weights.min_profile) * specificity)


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
    repeat: np.ndarray | RowValues | None = None  # per catalog row, 0..1: own purchases x the shop's repeat rate
    bought: dict[int, int] = field(default_factory=dict)  # row -> times the shopper bought it
    together: np.ndarray | RowValues | None = None  # per catalog row, 0..1: co-purchase with the shopper's items
    together_anchor: AnchorLookup | None = None  # per catalog row: the anchor row behind it (-1: none)
    anchor_titles: dict[int, str] = field(default_factory=dict)
    segment_pop: np.ndarray | None = None  # per catalog row, 0..1: what the shopper's segment buys
    rebuy: np.ndarray | RowValues | None = None  # per catalog row, 0..1: own shown items x the shop's buyers of them
    # per catalog row, 0..1: distinct customers who ever bought it / the most; a season-independent popularity
    bestseller: np.ndarray | None = None
    buyers: np.ndarray | None = None  # per catalog row: those distinct customers (for the reason)
    neighbours: np.ndarray | RowValues | None = None  # per catalog row, 0..1: what the shopper's nearest customers buy
    neighbour_buyers: np.ndarray | RowValues | None = None  # per catalog row: how many of those neighbours bought it
    share: np.ndarray | RowValues | None = None  # per catalog row, 0..1: share of the shopper's orders holding it
    n_orders: int = 0  # the shopper's orders (for the share's reason)
    one_off: frozenset[int] = frozenset()  # shown own rows the shop seldom re-buys (their reason says so)


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
    neighbours: np.ndarray
    share: np.ndarray


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
    # w = 0 (a search weighted by purchases alone): the affinity is all zero, no need to gather the candidates for it
    pv = prof.vector() if prof is not None and w != 0 else None
    if pv is not None:
        raw = cand.get() @ pv
        aff = w * (raw - median(raw))
    if sig.prefs and w > 0:
        taste = w * weights.taste * _taste_matches(rows, products, taste_prefs(sig.prefs))
    if sig.segment_vec is not None and w > 0:
        raw = cand.get() @ sig.segment_vec
        seg = w * weights.segment * (1.0 - conf) * (raw - median(raw))
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
        ctx = weights.context * (1.0 - conf) * (raw - median(raw))
    near = zero.copy()
    if sig.neighbours is not None:
        near = hist * weights.neighbours * sig.neighbours[rows]
    shr = zero.copy()
    if sig.share is not None:
        shr = hist * weights.basket_share * sig.share[rows]
    total = rel + aff + taste + seg + popc + ctx + rep + tog + best + near + shr
    if sig.drop_rows:
        drop = np.fromiter((r in sig.drop_rows for r in rows.tolist()), bool, n)
        total = np.where(drop, -np.inf, total)
    return total, Contributions(rel, aff, taste, seg, popc, ctx, rep, tog, best, near, shr)


class _Gathered:
    """vectors[rows], copied on first use: an anonymous shopper's search has no term that reads them."""

    def __init__(self, vectors: np.ndarray, rows: np.ndarray):
        self.vectors, self.rows = vectors, rows
        self._got: np.ndarray | None = None

    def get(self) -> np.ndarray:
        if self._got is None:
            self._got = self.vectors[self.rows]
        return self._got


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
