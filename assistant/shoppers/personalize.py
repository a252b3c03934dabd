"""Personalized ranking as pure functions: blending weight, the reranker and its reasons.

final = relevance + w·(profile affinity + taste matches + segment prior) + popularity (+ context) + purchase-history
terms (repeat, basket share, co-purchase, customers like you), with w = blend_weight(query specificity). Every reason
(`why.reasons`) is produced from a term that actually moved the score by at least `min_reason` (the term's own
value, not canned text), and the terms are returned so tests and the eval can check them.
"""

from __future__ import annotations

import numpy as np

from assistant.shoppers.signals import Contributions, Signals, Weights
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


def query_specificity(query: str, n_filters: int) -> float:
    """0 for vague queries ("shoes", browsing) .. 1 for precise ones ("nike air max 90 size 42")."""
    words = [w for w in tokenize(query) if w not in _STOP] if query else []
    digits = sum(any(ch.isdigit() for ch in w) for w in words)
    spec = 0.2 * max(len(words) - 1, 0) + 0.2 * n_filters + 0.2 * digits
    return float(min(1.0, spec))


def blend_weight(specificity: float, weights: Weights) -> float:
    return weights.profile * (1.0 - (1.0 - weights.min_profile) * specificity)


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
