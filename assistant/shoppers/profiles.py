"""A shopper's profile as pure, incrementally updated state (no I/O).

Recency weighting without rescanning: every contribution is stored multiplied by 2^((t - t0)/half_life)
for a fixed reference time t0. Multiplying every stored value by the same decay factor does not change
directions or shares, so the decayed mean at any time is read off directly, each event costs O(1)
(O(dim) for the vector), and out-of-order events need no special case. When the exponent grows large
the whole state is rebased (t0 moves forward, values shrink) to stay within float range.

A profile the service has published is never changed: events fold into a `copy()` that replaces it (see
`ShopperState`), so a request reads one whole state without a lock. Hence `ItemTrace` is frozen and the
purchase-time lists are replaced, not appended to: `copy()` copies the containers, not what they hold.
"""

from __future__ import annotations

import copy
import math
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from itertools import count

import numpy as np

# How strongly each event type says "more like this" (dismiss: "less like this").
EVENT_WEIGHTS: dict[str, float] = {
    "purchase": 5.0,
    "add_to_cart": 3.0,
    "wishlist": 2.5,
    "click": 1.5,
    "view": 1.0,
    "remove_from_cart": -0.5,
    "dismiss": -2.0,
}
BASKET_EVENTS = frozenset({"purchase", "add_to_cart", "remove_from_cart"})  # what the purchase terms read
FACETS = ("colour", "brand", "gender", "category", "product_type")
MAX_ITEMS = 100  # items kept for explanations ("similar to X you viewed")
MAX_BUY_TIMES = 24  # purchase times kept per product (recency-weighted re-buy frequency)
_REBASE_EXP = 200.0
# process-wide, so a rebuilt profile (new object, replayed events) never reuses a stamp a cache may hold
_BASKET_STAMPS = count(1)


@dataclass(frozen=True)
class ItemMeta:
    """What the profile needs to know about a product (taken from the catalog at the edge)."""

    title: str
    colour: str | None = None
    brand: str | None = None
    gender: str | None = None
    category: str | None = None  # first two levels of the path
    product_type: str | None = None
    price: float | None = None


@dataclass(frozen=True)
class ItemTrace:
    vec: np.ndarray
    weight: float  # scaled, signed
    last_ts: float
    last_type: str
    title: str = "an item"
    views: int = 0


@dataclass
class Profile:
    half_life_s: float
    dim: int = 384
    t0: float | None = None
    s: np.ndarray | None = None  # scaled signed sum of item vectors
    w: float = 0.0  # scaled sum of |weights|
    n_events: int = 0
    facets: dict[str, dict[str, float]] = field(default_factory=lambda: {f: {} for f in FACETS})
    price_w: float = 0.0
    price_m1: float = 0.0  # scaled sums of log price and its square
    price_m2: float = 0.0
    items: OrderedDict[str, ItemTrace] = field(default_factory=OrderedDict)
    dismissed: set[str] = field(default_factory=set)
    purchased: dict[str, float] = field(default_factory=dict)
    bought: dict[str, int] = field(default_factory=dict)  # purchase events per product (repeat purchases)
    bought_at: dict[str, list[float]] = field(default_factory=dict)  # the latest purchase times per product
    basket_hours: set[int] = field(default_factory=set)  # distinct purchase hours: one per order
    version: int = 0  # bumped by every folded event: caches of derived signals key on it
    # a new stamp on every purchase/cart event only: the purchase terms key on it, so a view keeps them cached
    basket_version: int = 0
    cart: OrderedDict[str, float] = field(default_factory=OrderedDict)
    wishlist: OrderedDict[str, float] = field(default_factory=OrderedDict)
    searches: deque = field(default_factory=lambda: deque(maxlen=50))
    sizes: dict[str, float] = field(default_factory=dict)
    context: dict[str, str] = field(default_factory=dict)
    last_ts: float = 0.0
    size_chart_views: int = 0
    wish_stock: dict[str, bool] = field(default_factory=dict)  # in stock when wishlisted? (restock nudges)
    # explain_rows' stacked item vectors and weights, for the version they were stacked at
    _traced: tuple[int, list[str], np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)
    # learned_preferences' answer, for the version and min_share it was worked out at (every request reads it)
    _prefs: tuple[int, float, dict] | None = field(default=None, repr=False, compare=False)

    def _scale(self, t: float) -> float:
        if self.t0 is None:
            self.t0 = t
        exp = (t - self.t0) / self.half_life_s
        if exp > _REBASE_EXP:
            self._rebase(t)
            exp = 0.0
        return 2.0**exp

    def _rebase(self, t: float) -> None:
        assert self.t0 is not None  # _scale sets it before the first rebase
        k = 2.0 ** (-(t - self.t0) / self.half_life_s)
        self.t0 = t
        if self.s is not None:
            self.s *= k
        self.w *= k
        for counts in self.facets.values():
            for key in counts:
                counts[key] *= k
        self.price_w *= k
        self.price_m1 *= k
        self.price_m2 *= k
        for pid, tr in list(self.items.items()):  # replaced, not changed: a published copy shares the traces
            self.items[pid] = ItemTrace(tr.vec, tr.weight * k, tr.last_ts, tr.last_type, tr.title, tr.views)
        for key in self.sizes:
            self.sizes[key] *= k

    def add(
        self,
        etype: str,
        ts: float,
        product_id: str | None = None,
        vec: np.ndarray | None = None,
        meta: ItemMeta | None = None,
        query: str | None = None,
        context: dict | None = None,
    ) -> None:
        """Fold one event in: O(dim) for the vector, O(1) for everything else."""
        try:
            self._fold(etype, ts, product_id, vec, meta, query, context)
        finally:  # once folded: what a request derived while the event was folding is not kept as current
            self.version += 1

    def _fold(
        self,
        etype: str,
        ts: float,
        product_id: str | None,
        vec: np.ndarray | None,
        meta: ItemMeta | None,
        query: str | None,
        context: dict | None,
    ) -> None:
        self.n_events += 1
        self.last_ts = max(self.last_ts, ts)
        if context:
            self.context.update({k: v for k, v in context.items() if k in ("device", "referrer")})
        if etype == "search":
            if query:
                self.searches.append((ts, query))
            return
        if product_id is None:
            return
        self._track_lists(etype, ts, product_id)
        if context and context.get("size") and etype in ("add_to_cart", "purchase", "wishlist"):
            self.sizes[context["size"]] = self.sizes.get(context["size"], 0.0) + self._scale(ts)
        wt = EVENT_WEIGHTS.get(etype, 0.0)
        if wt == 0.0 or vec is None:
            return
        sc = wt * self._scale(ts)
        if self.s is None:
            self.s = np.zeros(self.dim, dtype=np.float64)
        self.s += sc * vec.astype(np.float64)
        self.w += abs(sc)
        views = int(etype == "view")
        tr = self.items.get(product_id)
        if tr is None:
            self.items[product_id] = ItemTrace(
                np.asarray(vec, np.float32), sc, ts, etype, meta.title if meta else "an item", views
            )
            if len(self.items) > MAX_ITEMS:
                self.items.popitem(last=False)
        else:  # a new trace: the old one may be shared with a published copy
            last_ts, last_type = (ts, etype) if ts >= tr.last_ts else (tr.last_ts, tr.last_type)
            self.items[product_id] = ItemTrace(tr.vec, tr.weight + sc, last_ts, last_type, tr.title, tr.views + views)
            self.items.move_to_end(product_id)
        if meta is not None and sc > 0:  # taste facets learn only from positive signals
            for f in FACETS:
                val = getattr(meta, f)
                if val:
                    self.facets[f][val] = self.facets[f].get(val, 0.0) + sc
            if meta.price and meta.price > 0:
                lp = math.log(meta.price)
                self.price_w += sc
                self.price_m1 += sc * lp
                self.price_m2 += sc * lp * lp

    def add_list_only(self, etype: str, ts: float, product_id: str | None) -> None:
        """An event kept without personalization consent: cart/wishlist/orders only, nothing learned."""
        self.version += 1
        if product_id is not None:
            self._track_lists(etype, ts, product_id)

    def _track_lists(self, etype: str, ts: float, pid: str) -> None:
        if etype in BASKET_EVENTS:
            self.basket_version = next(_BASKET_STAMPS)
        if etype == "dismiss":
            self.dismissed.add(pid)
        elif etype in ("view", "click", "add_to_cart", "wishlist", "purchase"):
            self.dismissed.discard(pid)  # looking again undoes a dismissal
        if etype == "add_to_cart":
            self.cart[pid] = ts
        elif etype == "remove_from_cart":
            self.cart.pop(pid, None)
        elif etype == "purchase":
            self.purchased[pid] = max(ts, self.purchased.get(pid, 0.0))
            self.bought[pid] = self.bought.get(pid, 0) + 1
            times = [*self.bought_at.get(pid, ()), ts]  # a new list: the old one may be shared with a published copy
            if len(times) > MAX_BUY_TIMES:
                times.sort()
                del times[0]
            self.bought_at[pid] = times
            self.basket_hours.add(round(ts / 3600))
            self.cart.pop(pid, None)
            self.wishlist.pop(pid, None)
        elif etype == "wishlist":
            self.wishlist[pid] = ts

    def copy(self) -> Profile:
        """A private copy to fold events into: every container copied, one level deep (what they hold is never
        changed in place); O(size of the profile) in C-level copies, ~tens of microseconds."""
        c = copy.copy(self)  # the numbers, and the stacked-items cache (keyed on the version, so still valid)
        c.s = None if self.s is None else self.s.copy()
        c.facets = {f: dict(counts) for f, counts in self.facets.items()}
        c.items = self.items.copy()
        c.dismissed = set(self.dismissed)
        c.purchased = dict(self.purchased)
        c.bought = dict(self.bought)
        c.bought_at = dict(self.bought_at)
        c.basket_hours = set(self.basket_hours)
        c.cart = self.cart.copy()
        c.wishlist = self.wishlist.copy()
        c.searches = self.searches.copy()
        c.sizes = dict(self.sizes)
        c.context = dict(self.context)
        c.wish_stock = dict(self.wish_stock)
        return c

    # --- reading --------------------------------------------------------------------------------
    def vector(self) -> np.ndarray | None:
        """Unit-norm decayed weighted mean direction (None: no product signal yet)."""
        if self.s is None or self.w <= 0:
            return None
        n = float(np.linalg.norm(self.s))
        if n < 1e-9 * self.w:
            return None
        return (self.s / n).astype(np.float32)

    def n_baskets(self) -> int:
        """Orders placed: distinct purchase hours (an imported invoice or a checkout is one hour)."""
        return len(self.basket_hours)

    def repeat_share(self) -> float:
        """Share of this shopper's purchases that re-bought something they had bought before (0..1)."""
        total = sum(self.bought.values())
        return (total - len(self.bought)) / total if total else 0.0

    def confidence(self) -> float:
        """0 (nothing known) .. 1 (plenty of product signal); one event already counts."""
        n = len(self.items)
        return 1.0 - 0.5 ** (n / 2.0) if n else 0.0

    def facet_shares(self, facet: str) -> dict[str, float]:
        counts = self.facets.get(facet, {})
        total = sum(counts.values())
        return {k: v / total for k, v in counts.items()} if total > 0 else {}

    def price_band(self) -> tuple[float, float] | None:
        """The shopper's usual price range: decayed mean ± 1 sd of log price."""
        if self.price_w <= 0:
            return None
        m = self.price_m1 / self.price_w
        var = max(self.price_m2 / self.price_w - m * m, 0.0)
        sd = max(math.sqrt(var), 0.25)  # at least ±28%: one item is not a band
        return math.exp(m - sd), math.exp(m + sd)

    def learned_preferences(self, min_share: float = 0.4) -> dict:
        """Colours, brands, gender, categories, price band and size the shopper's events favour (a new dict; worked
        out once per version of the profile)."""
        hit = self._prefs
        if hit is not None and hit[0] == self.version and hit[1] == min_share:
            return {k: list(v) if isinstance(v, list) else v for k, v in hit[2].items()}
        prefs = self._learned_preferences(min_share)
        self._prefs = (self.version, min_share, prefs)
        return {k: list(v) if isinstance(v, list) else v for k, v in prefs.items()}

    def _learned_preferences(self, min_share: float) -> dict:
        prefs: dict = {}
        for facet, key in (
            ("colour", "colours"),
            ("brand", "brands"),
            ("gender", "gender"),
            ("category", "categories"),
        ):
            shares = self.facet_shares(facet)
            top = sorted((k for k, v in shares.items() if v >= min_share), key=lambda k: -shares[k])
            if top:
                prefs[key] = top[0] if key == "gender" else top
        band = self.price_band()
        if band:
            prefs["price_band"] = [round(band[0]), round(band[1])]
        if self.sizes:
            prefs["sizes"] = [max(self.sizes, key=self.sizes.__getitem__)]
        return prefs

    def explain_rows(self, cand: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
        """For candidate vectors (n×d): each one's top contributing interacted item and its share.

        affinity(c) = c·s/|s| = Σ_i weight_i (c·e_i) / |s|, so the items' terms are the exact
        contributions (up to items that fell out of the bounded trace).
        """
        if not self.items or self.s is None:
            return [], np.zeros(len(cand), np.int64), np.zeros(len(cand))
        version = self.version
        if self._traced is None or self._traced[0] != version:  # stacked once per event, not per request
            ids = list(self.items)
            e = np.stack([self.items[i].vec for i in ids])
            wts = np.array([self.items[i].weight for i in ids])
            self._traced = (version, ids, e.T, wts / float(np.linalg.norm(self.s)))
        _, ids, et, scale = self._traced
        contrib = (cand @ et) * scale
        best = np.argmax(contrib, axis=1)
        return ids, best, contrib[np.arange(len(cand)), best]
