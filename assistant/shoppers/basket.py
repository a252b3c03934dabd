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
        _ = hist.listed_by  # made while learning (off the request path), not by the first request to explain
        return hist

    @cached_property
    def listed_by(self) -> sparse.csr_matrix:
        """The co-purchase lists by the row they name: row r -> the rows whose lists hold r (the transpose)."""
        return sparse.csr_matrix(self.copurchase.T, dtype=np.float32)

    @cached_property
    def bestseller(self) -> np.ndarray | None:
        """Per row, 0..1: distinct customers who ever bought it / the most (None: no purchases yet).
        All-time, unlike the decayed popularity: what a shop's regulars keep ordering outlasts a season."""
        most = float(self.rates.buyers.max()) if len(self.rates.buyers) else 0.0
        return self.rates.buyers / most if most > 0 else None

    def together(self, anchors: dict[int, float], n_rows: int) -> tuple[np.ndarray, StrongestAnchor]:
        """Co-purchase score per row from weighted anchor rows (per row r: the sum over anchors a of weight(a) x
        copurchase[a, r]), and which anchor contributed most to each row, worked out when asked for (a request
        explains the few rows it shows)."""
        rows = np.fromiter(anchors, np.int64, len(anchors))
        return self.together_of(rows, np.fromiter(anchors.values(), np.float64, len(anchors)), n_rows)

    def together_of(self, rows: np.ndarray, weights: np.ndarray, n_rows: int) -> tuple[np.ndarray, StrongestAnchor]:
        """`together` of anchor rows and their weights as arrays (ties of the strongest anchor: the one first)."""
        if not len(rows):
            return np.zeros(n_rows), StrongestAnchor(self.copurchase, rows, weights, self.listed_by)
        # sum of each anchor's co-purchase row, weighted: only the anchors' rows are read (a product with the whole
        # transpose cost ~0.4 ms a shopper, mostly scipy's own overhead)
        cp = self.copurchase
        at, lens = _spans(cp.indptr, rows)
        vals = cp.data[at].astype(np.float64) * np.repeat(weights, lens)
        together = np.bincount(cp.indices[at], weights=vals, minlength=n_rows)[:n_rows]
        return together, StrongestAnchor(self.copurchase, rows, weights, self.listed_by)


def _spans(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in a CSR matrix's data/indices of the given rows' entries, row after row, and each row's length."""
    lo, lens = indptr[rows], indptr[rows + 1] - indptr[rows]
    return np.repeat(lo - np.cumsum(lens) + lens, lens) + np.arange(int(lens.sum())), lens


class StrongestAnchor:
    """Per catalog row, the anchor contributing most to its co-purchase score (-1: none); ties go to the anchor
    named first. Indexed like the array it stands for, by one row (`best[row]`) or by an array of rows (the rows a
    request explains); holds only the anchors (a cached shopper's terms must not grow with the catalog). Read from
    whichever lists are shorter: the anchors' own co-purchase lists (at most TOP_K entries each: a shopper with a
    thousand anchors has tens of thousands of entries), or the lists naming the rows asked (a widely bought row is
    named by thousands of rows); both give the same answer."""

    def __init__(
        self,
        copurchase: sparse.csr_matrix,
        anchors: np.ndarray,
        weights: np.ndarray,
        listed_by: sparse.csr_matrix | None = None,
    ):
        self._cp, self._by = copurchase, listed_by  # listed_by: the transpose (None: read the anchors' lists)
        self._anchors, self._weights = anchors, weights  # in the order named (ties: the first named wins)

    @overload
    def __getitem__(self, row: int) -> int: ...
    @overload
    def __getitem__(self, row: np.ndarray) -> np.ndarray: ...
    def __getitem__(self, row: int | np.ndarray) -> int | np.ndarray:
        if isinstance(row, np.ndarray):
            return self._of(row.astype(np.int64, copy=False))
        return int(self._of(np.array([row], np.int64))[0])

    def _of(self, rows: np.ndarray, by_rows: bool | None = None) -> np.ndarray:
        """by_rows: read the lists naming the rows (True) or the anchors' lists (False); None: the shorter."""
        if not len(rows) or not len(self._anchors):
            return np.full(len(rows), -1, np.int64)
        asked = np.unique(rows)
        if by_rows is None:
            by_rows = self._by is not None and self._shorter_by_rows(asked)
        targets, owner, contrib = self._by_rows(asked) if by_rows else self._by_anchors(asked)
        # per asked row: the largest contribution, ties to the anchor named first; none when nothing is positive
        first = np.lexsort((owner, -contrib, targets))
        targets, owner, contrib = targets[first], owner[first], contrib[first]
        lead = np.ones(len(targets), bool)
        lead[1:] = targets[1:] != targets[:-1]
        lead &= contrib > 0
        best = dict(zip(targets[lead].tolist(), self._anchors[owner[lead]].tolist(), strict=True))
        return np.fromiter((best.get(r, -1) for r in rows.tolist()), np.int64, len(rows))

    def _shorter_by_rows(self, asked: np.ndarray) -> bool:
        by, cp, a = self._by, self._cp, self._anchors
        assert by is not None
        named = int((by.indptr[asked + 1] - by.indptr[asked]).sum())
        own = int((cp.indptr[a + 1] - cp.indptr[a]).sum())
        return named + len(a) < own  # (+ the anchors: reading the other way sorts them)

    def _by_anchors(self, asked: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, anchor position, contribution) of the anchors' list entries that name an asked row."""
        at, lens = _spans(self._cp.indptr, self._anchors)
        targets = self._cp.indices[at]
        wanted = np.zeros(self._cp.shape[1], bool)
        wanted[asked] = True
        keep = wanted[targets]  # entries scoring a row asked for
        owner = np.repeat(np.arange(len(self._anchors)), lens)[keep]
        contrib = self._cp.data[at[keep]].astype(np.float64) * self._weights[owner]
        return targets[keep], owner, contrib

    def _by_rows(self, asked: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The same entries, read from the lists naming each asked row and kept where the naming row is an anchor."""
        by = self._by
        assert by is not None
        at, lens = _spans(by.indptr, asked)
        names = by.indices[at]
        order = np.argsort(self._anchors, kind="stable")
        ranked = self._anchors[order]
        pos = np.minimum(np.searchsorted(ranked, names), len(ranked) - 1)
        keep = ranked[pos] == names
        owner = order[pos[keep]]
        contrib = by.data[at[keep]].astype(np.float64) * self._weights[owner]
        return np.repeat(asked, lens)[keep], owner, contrib


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
