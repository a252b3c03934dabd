"""What a shop's purchase history says, learned from its own baskets (pure; rows come in from the edge).

A basket is one shopper's purchases with no gap over `BASKET_GAP_S` between them (an imported invoice
shares one timestamp; a live checkout's events arrive within seconds). From the baskets:
- item-to-item co-purchase: cosine of basket incidence, sim(a, b) = n_ab / sqrt(n_a n_b), top `TOP_K` per item;
- repeat rates (see `rebuy.RepeatRates`): how often a product's buyers buy it again in a later basket;
- customers like you (see `neighbours.Neighbours`): what the customers who buy most alike buy.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import overload

import numpy as np
from scipy import sparse

from assistant.shoppers.neighbours import Neighbours
from assistant.shoppers.rebuy import RepeatRates
from assistant.shoppers.store import ShopperStore

log = logging.getLogger("shopmate.shoppers")

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
    neighbours: Neighbours | None = None

    @classmethod
    def learn(
        cls, rows: Iterable[tuple[str, str, float]], id_to_row: dict[str, int], categories: list[str]
    ) -> ShopHistory:
        """rows: (shopper, product id, ts) purchases; categories: a category key per catalog row."""
        bs = baskets_of(rows)
        as_rows = [[id_to_row[p] for p in items if p in id_to_row] for _, _, items in bs]
        n = len(categories)
        shopper_baskets = [(sid, r) for (sid, _, _), r in zip(bs, as_rows, strict=True)]
        hist = cls(
            copurchase_matrix(as_rows, n),
            RepeatRates.learn(shopper_baskets, categories),
            len(bs),
            Neighbours.learn(shopper_baskets, n),
        )
        return hist

    @cached_property
    def bestseller(self) -> np.ndarray | None:
        """Per row, 0..1: distinct customers who ever bought it / the most (None: no purchases yet).
        All-time, unlike the decayed popularity: what a shop's regulars keep ordering outlasts a season."""
        most = float(self.rates.buyers.max()) if len(self.rates.buyers) else 0.0
        return self.rates.buyers / most if most > 0 else None

    def together(self, anchors: dict[int, float], n_rows: int) -> tuple[np.ndarray, AnchorsBehind]:
        """Co-purchase score per row from weighted anchor rows (per row r: the sum over anchors a of weight(a) x
        copurchase[a, r]), and which anchor contributed most to each row."""
        rows = np.fromiter(anchors, np.int64, len(anchors))
        return self.together_of(rows, np.fromiter(anchors.values(), np.float64, len(anchors)), n_rows)

    def together_of(self, rows: np.ndarray, weights: np.ndarray, n_rows: int) -> tuple[np.ndarray, AnchorsBehind]:
        """`together` of anchor rows and their weights as arrays (ties of the strongest anchor: the one first)."""
        if not len(rows):
            return np.zeros(n_rows), AnchorsBehind(np.zeros(0, np.int64), np.zeros(0, np.int64))
        # sum of each anchor's co-purchase row, weighted: only the anchors' rows are read (a product with the whole
        # transpose cost ~0.4 ms a shopper, mostly scipy's own overhead)
        cp = self.copurchase
        at, lens = _spans(cp.indptr, rows)
        targets = cp.indices[at].astype(np.int64)
        vals = cp.data[at].astype(np.float64) * np.repeat(weights, lens)
        together = np.bincount(targets, weights=vals, minlength=n_rows)[:n_rows]
        owner = np.repeat(np.arange(len(rows)), lens)
        return together, AnchorsBehind.strongest(rows, targets, owner, vals, n_rows)


def _spans(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in a CSR matrix's data/indices of the given rows' entries, row after row, and each row's length."""
    lo, lens = indptr[rows], indptr[rows + 1] - indptr[rows]
    return np.repeat(lo - np.cumsum(lens) + lens, lens) + np.arange(int(lens.sum())), lens


class AnchorsBehind:
    """Per catalog row, the shopper's anchor contributing most to its co-purchase score (-1: none); ties go to the
    anchor named first. Worked out for every row the anchors reach when the shopper's terms are (off the request
    path, in the same pass as the score), so a request explaining the rows it shows only looks them up; holds the
    rows reached, like the co-purchase term itself (a cached shopper's terms must not grow with the catalog).
    Indexed like the array it stands for, by one row (`best[row]`) or by an array of rows."""

    __slots__ = ("anchors", "rows")

    def __init__(self, rows: np.ndarray, anchors: np.ndarray):
        self.rows, self.anchors = rows, anchors  # rows sorted, each with its anchor

    @classmethod
    def strongest(
        cls, anchors: np.ndarray, targets: np.ndarray, owner: np.ndarray, contrib: np.ndarray, n_rows: int
    ) -> AnchorsBehind:
        """From co-purchase entries (target row, position of the anchor in `anchors`, contribution)."""
        keep = (targets < n_rows) & (contrib > 0)
        targets, owner, contrib = targets[keep], owner[keep], contrib[keep]
        top = np.zeros(n_rows)
        np.maximum.at(top, targets, contrib)  # the largest contribution to each row
        win = contrib == top[targets]  # (exact: top holds one of these very values)
        first = np.full(n_rows, len(anchors), np.int64)
        np.minimum.at(first, targets[win], owner[win])  # of equal ones, the anchor named first
        reached = np.flatnonzero(first < len(anchors))
        return cls(reached, anchors[first[reached]].astype(np.int64))

    @property
    def nbytes(self) -> int:
        return self.rows.nbytes + self.anchors.nbytes

    @overload
    def __getitem__(self, row: int) -> int: ...
    @overload
    def __getitem__(self, row: np.ndarray) -> np.ndarray: ...
    def __getitem__(self, row: int | np.ndarray) -> int | np.ndarray:
        if isinstance(row, np.ndarray):
            return self._of(row.astype(np.int64, copy=False))
        return int(self._of(np.array([row], np.int64))[0])

    def _of(self, rows: np.ndarray) -> np.ndarray:
        if not len(self.rows):
            return np.full(len(rows), -1, np.int64)
        pos = np.minimum(np.searchsorted(self.rows, rows), len(self.rows) - 1)
        return np.where(self.rows[pos] == rows, self.anchors[pos], -1)


def purchase_rows(store: ShopperStore) -> list[tuple[str, str, float]]:
    """Every stored purchase (shopper, product, ts): the one query the history needs."""
    return store.item_events(("purchase",))


def category_key(p) -> str:
    return " > ".join(p.category[:2]) if p.category else ""


# Called with a newly learned history before it is published, and whether it was learned in the background; may
# return what to run right after it is published (the purchase terms warmed against it are installed then).
Prepare = Callable[[ShopHistory, bool], Callable[[], None] | None]


class HistoryCache:
    """The learned history of one shop, relearned at most every `ttl_s` (purchases arrive one by one).

    Learning reads every purchase and finds each customer's neighbours: seconds in a shop of thousands of
    customers. Once the history has been learned, an expired one is still served while a single background
    thread relearns it, so no request waits for the relearning (and concurrent requests do not each start
    one). The first learning, a new index version, or ttl_s <= 0 (tests: every call sees the latest
    purchases) learn in the caller. `prepare` (optional) sees each new history before it is published."""

    def __init__(self, ttl_s: float = 300.0, prepare: Prepare | None = None):
        self.ttl_s = ttl_s
        self.prepare = prepare
        self._lock = threading.Lock()
        self._at = -1e18
        self._key: object = None
        self._value: ShopHistory | None = None
        self._relearning = False
        self.relearned = 0  # background relearnings finished (observable by tests)

    def get(self, store, index) -> ShopHistory:
        now = time.monotonic()
        with self._lock:
            value = self._value
            if value is not None and self._key == index.version and now - self._at < self.ttl_s:
                return value
            if value is not None and self._key == index.version and self.ttl_s > 0:
                if not self._relearning:
                    self._relearning = True
                    threading.Thread(
                        target=self._relearn, args=(store, index), name="shop-history", daemon=True
                    ).start()
                return value
        return self._learn(store, index, now)

    def peek(self, index) -> ShopHistory | None:
        """The history last learned for this index version, however old; None before one (never learns)."""
        with self._lock:
            return self._value if self._key == index.version else None

    def _learn(self, store, index, started: float, background: bool = False) -> ShopHistory:
        value = ShopHistory.learn(purchase_rows(store), index.id_to_row, [category_key(p) for p in index.products])
        after = self.prepare(value, background) if self.prepare is not None else None
        with self._lock:
            published = self._key != index.version or started >= self._at  # never replace a newer learning
            if published:
                self._value, self._key, self._at = value, index.version, started
        if published and after is not None:
            after()
        return value

    def _relearn(self, store, index) -> None:
        try:
            self._learn(store, index, time.monotonic(), background=True)
            self.relearned += 1
        except Exception:  # a failed relearning keeps the last history; the next expiry tries again
            log.exception("relearning the shop's purchase history failed")
        finally:
            with self._lock:
                self._relearning = False


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
