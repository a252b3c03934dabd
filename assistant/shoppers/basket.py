"""What a shop's purchase history says, learned from its own baskets (pure; rows come in from the edge).

A basket is one shopper's purchases with no gap over `BASKET_GAP_S` between them (an imported invoice
shares one timestamp; a live checkout's events arrive within seconds). From the baskets:
- item-to-item co-purchase: cosine of basket incidence, sim(a, b) = n_ab / sqrt(n_a n_b), top `TOP_K` per item;
- repeat rates (see `rebuy.RepeatRates`): how often a product's buyers buy it again in a later basket.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse

from assistant.shoppers.rebuy import RepeatRates
from assistant.shoppers.store import ShopperStore

BASKET_GAP_S = 3600.0
TOP_K = 50
MAX_BASKET = 200  # a wholesaler's 500-line order says little about which two items go together


def baskets_of(rows: Iterable[tuple[str, str, float]]) -> list[tuple[str, float, list[str]]]:
    """(shopper, product, ts) purchase rows -> [(shopper, basket time, distinct products)] in time order."""
    by: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for sid, pid, ts in rows:
        by[sid].append((float(ts), pid))
    out: list[tuple[str, float, list[str]]] = []
    for sid, evs in by.items():
        evs.sort()
        cur: list[str] = []
        start = last = evs[0][0]
        for ts, pid in evs:
            if ts - last > BASKET_GAP_S and cur:
                out.append((sid, start, cur))
                cur, start = [], ts
            if pid not in cur:
                cur.append(pid)
            last = ts
        out.append((sid, start, cur))
    out.sort(key=lambda b: b[1])
    return out


def copurchase_matrix(baskets: list[list[int]], n_rows: int, top_k: int = TOP_K) -> sparse.csr_matrix:
    """Row-normalised item-to-item cosine over basket incidence, the top_k neighbours of each row kept."""
    data = [b[:MAX_BASKET] for b in baskets if len(b) > 1]
    if not data:
        return sparse.csr_matrix((n_rows, n_rows), dtype=np.float32)
    indptr = np.cumsum([0, *(len(b) for b in data)])
    cols = np.fromiter((r for b in data for r in b), np.int64, int(indptr[-1]))
    inc = sparse.csr_matrix((np.ones(len(cols), np.float32), cols, indptr), shape=(len(data), n_rows))
    co = (inc.T @ inc).tocsr()
    n = np.asarray(co.diagonal(), np.float64)
    co.setdiag(0)
    co.eliminate_zeros()
    co = co.tocoo()
    sim = co.data / np.sqrt(np.maximum(n[co.row] * n[co.col], 1.0))
    keep_r, keep_c, keep_v = [], [], []
    order = np.lexsort((-sim, co.row))
    r_sorted = co.row[order]
    starts = np.searchsorted(r_sorted, np.arange(n_rows))
    ends = np.searchsorted(r_sorted, np.arange(n_rows), side="right")
    for r in np.flatnonzero(ends > starts):
        sl = order[starts[r] : min(ends[r], starts[r] + top_k)]
        keep_r.append(co.row[sl])
        keep_c.append(co.col[sl])
        keep_v.append(sim[sl])
    if not keep_r:
        return sparse.csr_matrix((n_rows, n_rows), dtype=np.float32)
    return sparse.csr_matrix(
        (np.concatenate(keep_v).astype(np.float32), (np.concatenate(keep_r), np.concatenate(keep_c))),
        shape=(n_rows, n_rows),
    )


@dataclass
class ShopHistory:
    """The shop's learned purchase behaviour over catalog rows."""

    copurchase: sparse.csr_matrix  # row -> its co-purchased rows (cosine)
    rates: RepeatRates
    n_baskets: int

    @classmethod
    def learn(
        cls, rows: Iterable[tuple[str, str, float]], id_to_row: dict[str, int], categories: list[str]
    ) -> ShopHistory:
        """rows: (shopper, product id, ts) purchases; categories: a category key per catalog row."""
        bs = baskets_of(rows)
        as_rows = [[id_to_row[p] for p in items if p in id_to_row] for _, _, items in bs]
        n = len(categories)
        shopper_baskets = [(sid, r) for (sid, _, _), r in zip(bs, as_rows, strict=True)]
        return cls(copurchase_matrix(as_rows, n), RepeatRates.learn(shopper_baskets, categories), len(bs))

    @cached_property
    def bestseller(self) -> np.ndarray | None:
        """Per row, 0..1: distinct customers who ever bought it / the most (None: no purchases yet).
        All-time, unlike the decayed popularity: what a shop's regulars keep ordering outlasts a season."""
        most = float(self.rates.buyers.max()) if len(self.rates.buyers) else 0.0
        return self.rates.buyers / most if most > 0 else None

    def together(self, anchors: dict[int, float], n_rows: int) -> tuple[np.ndarray, np.ndarray]:
        """Co-purchase score per row from weighted anchor rows, and which anchor contributed most (-1: none).

        Read straight off the CSR arrays (one gather, one sort): building sparse sub-matrices per request cost more
        than the arithmetic. A row's sum runs in anchor order (the sums of the sparse product it replaced, to the
        last bit); ties for the strongest anchor go to the earliest in `anchors`."""
        best = np.full(n_rows, -1)
        total = np.zeros(n_rows)
        co = self.copurchase
        a_rows = np.fromiter(anchors, np.int64, len(anchors))
        start = co.indptr[a_rows].astype(np.int64)
        per = co.indptr[a_rows + 1] - start
        n = int(per.sum())
        if n == 0:
            return total, best
        pos = np.repeat(np.arange(len(a_rows)), per)  # which anchor each stored neighbour belongs to
        at = np.arange(n) + np.repeat(start - (np.cumsum(per) - per), per)
        order = stable_order(co.indices[at])  # by neighbour row, anchors in order within each
        at, pos = at[order], pos[order]
        cols = co.indices[at]
        vals = co.data[at].astype(np.float64) * np.fromiter(anchors.values(), np.float64, len(anchors))[pos]
        first = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]])
        hit = cols[first]
        total[hit] = np.add.reduceat(vals, first)
        strongest = np.flatnonzero(vals == np.repeat(np.maximum.reduceat(vals, first), np.diff(np.r_[first, n])))
        best[hit] = a_rows[pos[strongest[np.searchsorted(strongest, first)]]]
        return total, best


def stable_order(keys: np.ndarray) -> np.ndarray:
    """argsort(keys, kind="stable") for non-negative integer keys, as a radix sort on 16-bit digits: numpy sorts
    16-bit keys by radix, wider ones by merging, several times slower on a big shopper's co-purchase entries."""
    keys = keys.astype(np.int64, copy=False)
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    high = keys >> 16
    while high.any():
        order = order[np.argsort((high[order] & 0xFFFF).astype(np.uint16), kind="stable")]
        high = high >> 16
    return order


def purchase_rows(store: ShopperStore) -> list[tuple[str, str, float]]:
    """Every stored purchase (shopper, product, ts): the one query the history needs."""
    return store.item_events(("purchase",))


def category_key(p) -> str:
    return " > ".join(p.category[:2]) if p.category else ""


class HistoryCache:
    """The learned history of one shop, relearned at most every `ttl_s` (purchases arrive one by one)."""

    def __init__(self, ttl_s: float = 300.0):
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._at = -1e18
        self._key: object = None
        self._value: ShopHistory | None = None

    def get(self, store, index) -> ShopHistory:
        now = time.monotonic()
        with self._lock:
            if self._value is not None and self._key == index.version and now - self._at < self.ttl_s:
                return self._value
        value = ShopHistory.learn(purchase_rows(store), index.id_to_row, [category_key(p) for p in index.products])
        with self._lock:
            self._value, self._key, self._at = value, index.version, now
        return value


MAX_PAIRS = 100_000  # beyond this many distinct pairs, pairs seen in one basket only are left out


def copurchase_pairs(rows: Iterable[tuple[str, str, float]], max_basket: int = 50) -> list[tuple[str, str, int]]:
    """(a, b, baskets holding both) with a < b, most frequent first, from cart/purchase rows grouped into baskets."""
    bs = [sorted(items)[:max_basket] for _, _, items in baskets_of(rows)]
    bs = [b for b in bs if len(b) > 1]
    if not bs:
        return []
    names = sorted({p for b in bs for p in b})
    col = {p: i for i, p in enumerate(names)}
    indptr = np.cumsum([0, *(len(b) for b in bs)])
    cols = np.fromiter((col[p] for b in bs for p in b), np.int64, int(indptr[-1]))
    inc = sparse.csr_matrix((np.ones(len(cols), np.int32), cols, indptr), shape=(len(bs), len(names)))
    co = sparse.triu(inc.T @ inc, k=1).tocoo()
    keep = co.data >= (2 if co.nnz > MAX_PAIRS else 1)
    r, c, n = co.row[keep], co.col[keep], co.data[keep]
    order = np.lexsort((c, r, -n))
    return [(names[r[i]], names[c[i]], int(n[i])) for i in order.tolist()]


def cart_and_purchase_rows(store: ShopperStore) -> list[tuple[str, str, float]]:
    return store.item_events(("add_to_cart", "purchase"))
