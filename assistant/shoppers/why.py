"""Why a product is shown: the reasons the reranker gives per candidate (from the terms that moved its score),
worked out lazily for the few candidates shown, and the colour/brand/price-band matches they cite."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import overload

import numpy as np

from assistant.shoppers.signals import Contributions, Signals, Weights
from index.catalog import Product
from index.text import format_price

VERBS = {
    "view": "viewed",
    "click": "opened",
    "add_to_cart": "added to your cart",
    "wishlist": "wishlisted",
    "purchase": "bought",
}


def when(ts: float, now: float) -> str:
    days = (now - ts) / 86400.0
    if days < 1 and time.gmtime(ts).tm_yday == time.gmtime(now).tm_yday:
        return "today"
    if days < 2:
        return "yesterday"
    if days < 14:
        return f"{int(days)} days ago"
    return "a while ago"


def median(x: np.ndarray) -> float:
    """float(np.median(x)) of a non-empty array without NaN, at a fraction of its cost (one partition; np.median's
    generic path cost more than the rest of a search's reasons)."""
    n = len(x)
    h = n // 2
    if n % 2:
        return float(np.partition(x, h)[h])
    part = np.partition(x, (h - 1, h))
    return float((part[h - 1] + part[h]) / 2)


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
    anchor_of: dict[int, int] = {}  # the anchor behind each row whose co-purchase gives a reason, looked up at once
    if sig.together_anchor is not None:
        need = rows[c.together >= weights.min_reason]
        if len(need):
            anchor_of = dict(zip(need.tolist(), np.asarray(sig.together_anchor[need]).tolist(), strict=True))
    # Python numbers for the per-row tests below (indexing a numpy array for each one cost more than the tests)
    terms = ("affinity", "taste", "segment", "popularity", "repeat", "together", "bestseller", "neighbours", "context")
    aff, taste, seg, pop, rep, tog, best_, near, ctx = (getattr(c, t).tolist() for t in terms)
    own = c.share.tolist()
    shares, top = share.tolist(), best.tolist()
    for i, r in enumerate(rows.tolist()):
        p = products[r]
        parts: list[tuple[float, str]] = []
        if prof is not None and ids and aff[i] >= weights.min_reason and shares[i] > 0:
            tr = prof.items[ids[top[i]]]
            verb, ago = VERBS.get(tr.last_type, "viewed"), when(tr.last_ts, sig.now)
            parts.append(
                (
                    aff[i],
                    f"you {verb} this {ago}" if ids[top[i]] == p.id else f"similar to {tr.title} you {verb} {ago}",
                )
            )
        if taste[i] >= weights.min_reason:
            if (p.colour or "").lower() in colours:
                parts.append((taste[i], f"in {p.colour}, a colour you often choose"))
            if (p.brand or "").lower() in brands:
                parts.append((taste[i], f"{p.brand}, a brand you like"))
            if band and p.price is not None and band[0] <= p.price <= band[1]:
                lo, hi = format_price(band[0], p.currency), format_price(band[1], p.currency)
                parts.append((taste[i], f"matches your usual price range ({lo}–{hi})"))
        if seg[i] >= weights.min_reason and sig.segment_name:
            parts.append((seg[i], f"popular in your segment ({sig.segment_name})"))
        if pop[i] - pop_mid >= weights.min_reason:  # popular compared with the other candidates
            parts.append((pop[i], sig.popularity_label))
        if rep[i] >= weights.min_reason:
            times = sig.bought.get(r, 0)
            parts.append(
                (
                    rep[i],
                    f"you buy this regularly ({times} times)"
                    if times >= 2
                    else "you bought this before"
                    if r in sig.one_off
                    else "you bought this before, and shoppers here often buy it again",
                )
            )
        if own[i] >= weights.min_reason and sig.n_orders > 0:
            times = min(sig.bought.get(r, 0), sig.n_orders)
            said = "in your only order so far" if sig.n_orders == 1 else f"in {times} of your {sig.n_orders} orders"
            parts.append((own[i], said))
        if tog[i] >= weights.min_reason and sig.together_anchor is not None:
            anchor = anchor_of.get(r, -1)
            if anchor >= 0:
                title = sig.anchor_titles.get(anchor) or products[anchor].title
                parts.append((tog[i], f"often bought with {title}"))
        if best_[i] >= weights.min_reason and sig.buyers is not None:
            parts.append((best_[i], f"bought by {int(sig.buyers[r])} of the shop's customers"))
        if near[i] >= weights.min_reason and sig.neighbour_buyers is not None:
            m = int(sig.neighbour_buyers[r])
            if m > 0:
                parts.append((near[i], f"bought by {m} customers who shop like you"))
        if ctx[i] >= weights.min_reason and sig.context_terms:
            parts.append((ctx[i], f"related to your search for '{sig.context_terms}'"))
        out[i] = [t for _, t in sorted(parts, key=lambda x: -x[0])]
    return out
