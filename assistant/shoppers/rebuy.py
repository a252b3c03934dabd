"""What a shop re-buys, learned from its own baskets instead of a fixed list of consumable categories.

repeat rate of a product = share of its buyers who bought it again in a later basket, shrunk towards its
category's rate, which is shrunk towards the shop's (a product bought by 3 people says little on its own).
A past purchase is a reason to show the product again when its rate reaches `MIN_RATE`; below that it is
hidden after purchase (a sofa is bought once). A shop with too little history (fewer than `MIN_BUYERS`
buyer-product pairs) has no learned rates and the caller falls back to its configured consumable list.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Protocol, overload

import numpy as np

MIN_RATE = 0.1
MIN_BUYERS = 50
PRIOR_STRENGTH = 5.0  # pseudo-buyers of the parent rate


@dataclass
class RepeatRates:
    rate: np.ndarray  # per catalog row
    buyers: np.ndarray  # distinct buyers per row
    shop_rate: float = 0.0
    learned: bool = False
    by_category: dict[str, float] = field(default_factory=dict)

    @classmethod
    def learn(cls, shopper_baskets: list[tuple[str, list[int]]], categories: list[str]) -> RepeatRates:
        """shopper_baskets: (shopper, catalog rows of one basket) in any order."""
        n = len(categories)
        times: dict[tuple[str, int], int] = Counter()
        for sid, rows in shopper_baskets:
            for r in set(rows):
                times[(sid, r)] += 1
        buyers = np.zeros(n)
        again = np.zeros(n)
        for (_, r), k in times.items():
            buyers[r] += 1
            again[r] += k > 1
        total = float(buyers.sum())
        if total < MIN_BUYERS:
            return cls(np.zeros(n), buyers)
        shop = float(again.sum()) / total
        cat_b: dict[str, float] = defaultdict(float)
        cat_a: dict[str, float] = defaultdict(float)
        for r in np.flatnonzero(buyers).tolist():
            cat_b[categories[r]] += buyers[r]
            cat_a[categories[r]] += again[r]
        by_cat = {c: (cat_a[c] + PRIOR_STRENGTH * shop) / (cat_b[c] + PRIOR_STRENGTH) for c in cat_b}
        parent = np.array([by_cat.get(c, shop) for c in categories])
        rate = (again + PRIOR_STRENGTH * parent) / (buyers + PRIOR_STRENGTH)
        return cls(rate, buyers, shop, True, by_cat)

    def rebought(self, row: int) -> bool:
        """Is a past purchase of this row a reason to show it again?"""
        return self.learned and float(self.rate[row]) >= MIN_RATE


class AnchorLookup(Protocol):
    """Per catalog row, the row of the shopper's anchor behind its co-purchase score (-1: none); indexed by one row
    or by an array of rows (an array of anchor rows back)."""

    @property
    def nbytes(self) -> int: ...

    def __getitem__(self, row: Any, /) -> Any: ...


# (anchor rows, their weights, catalog rows) -> (co-purchase score per row, the anchor behind each row)
Together = Callable[[np.ndarray, np.ndarray, int], tuple[np.ndarray, AnchorLookup]]

REPEAT_HALF_LIFE_DAYS = 365.0  # default; the blend file may carry one fitted on the validation split


@dataclass(frozen=True)
class Basket:
    """A shopper's purchases and cart as catalog rows, on their own (no clock, no shop history): read off the
    profile once per purchase/cart change, when the event is recorded, and kept when the shop's history is
    relearned; a request only does array arithmetic on it (`terms_from`)."""

    rows: np.ndarray  # catalog rows bought, in the order first bought
    n_times: np.ndarray  # per bought row: purchase times kept
    times: np.ndarray  # those times, row after row
    times_bought: np.ndarray  # per bought row: purchase events
    cart: np.ndarray  # catalog rows in the cart, in the order added

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.rows, self.n_times, self.times, self.times_bought, self.cart))


class _SortedRows:
    """Sorted catalog rows shared by the RowValues over them, with where the last array of rows asked for fell: a
    request looks its candidates up in each of a shopper's terms over the same rows, and finds them once."""

    __slots__ = ("last", "rows")

    def __init__(self, rows: np.ndarray):
        self.rows = rows
        self.last: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def locate(self, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(clipped insertion positions, whether each asked row is one of these rows)."""
        last = self.last  # read once: another thread may replace it (it holds `at`, so an `is` match is that array)
        if last is not None and last[0] is at:
            return last[1], last[2]
        # (catalog rows fit int32, which halves a cached shopper's rows; the asked rows are cast, not these)
        pos = np.searchsorted(self.rows, at.astype(self.rows.dtype, copy=False))
        np.minimum(pos, len(self.rows) - 1, out=pos)
        hit = self.rows[pos] == at
        self.last = (at, pos, hit)
        return pos, hit


class RowValues:
    """A catalog-sized array that is zero but on a few rows, kept as those rows (sorted) and their values: a
    shopper's purchase terms cover their own items and what is bought with them, not the catalog, so a cached
    shopper costs bytes in proportion to their history. Indexed like the dense array it stands for, by one row or by
    an array of rows (a search's candidates); `np.asarray` gives that dense array."""

    __slots__ = ("_rows", "n", "values")

    def __init__(self, rows: np.ndarray, values: np.ndarray, n: int):
        order = np.argsort(rows, kind="stable")
        self._rows = _SortedRows(np.ascontiguousarray(rows[order], np.int32))
        self.values = np.ascontiguousarray(values[order], np.float64)
        self.n = n

    @classmethod
    def over(cls, rows: np.ndarray, n: int, *values: np.ndarray) -> list[RowValues]:
        """One RowValues per values array, all over the same rows (looked up once per array of rows asked for)."""
        order = np.argsort(rows, kind="stable")
        shared = _SortedRows(np.ascontiguousarray(rows[order], np.int32))
        out = []
        for v in values:
            rv = cls.__new__(cls)
            rv._rows, rv.values, rv.n = shared, np.ascontiguousarray(v[order], np.float64), n
            out.append(rv)
        return out

    @classmethod
    def of_sorted(cls, rows: np.ndarray, values: np.ndarray, n: int) -> RowValues:
        """Over rows already sorted and distinct (a row of a CSR matrix with sorted indices): no sort, no copy of
        rows or values already of the kept types."""
        rv = cls.__new__(cls)
        rv._rows = _SortedRows(np.ascontiguousarray(rows, np.int32))
        rv.values, rv.n = np.ascontiguousarray(values, np.float64), n
        return rv

    @classmethod
    def of_dense(cls, dense: np.ndarray) -> RowValues:
        nz = np.flatnonzero(dense)
        return cls(nz, dense[nz], len(dense))

    @property
    def rows(self) -> np.ndarray:
        return self._rows.rows

    def __len__(self) -> int:
        return self.n

    @overload
    def __getitem__(self, at: int) -> float: ...
    @overload
    def __getitem__(self, at: np.ndarray) -> np.ndarray: ...
    def __getitem__(self, at: int | np.ndarray) -> float | np.ndarray:
        if isinstance(at, np.ndarray):
            if not len(self.values):
                return np.zeros(at.shape)
            pos, hit = self._rows.locate(at)
            return np.where(hit, self.values[pos], 0.0)
        if not -self.n <= at < self.n:
            raise IndexError(at)
        at %= self.n
        rows = self._rows.rows
        i = int(np.searchsorted(rows, at))
        return float(self.values[i]) if i < len(rows) and rows[i] == at else 0.0

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        out = np.zeros(self.n)
        out[self._rows.rows.astype(np.intp)] = self.values  # (numpy scatters by 32-bit indices at half the speed)
        return out if dtype is None else out.astype(dtype)

    def __gt__(self, other: float) -> np.ndarray:
        return np.asarray(self) > other

    def max(self) -> float:
        top = float(self.values.max()) if len(self.values) else 0.0
        return top if len(self.values) == self.n else max(top, 0.0)

    @property
    def nbytes(self) -> int:
        return self._rows.rows.nbytes + self.values.nbytes


class RowLabels:
    """A row number per row of a RowValues, on the same rows (kept once), -1 on every other row: the anchor behind
    each row of a shopper's co-purchase term. Indexed like RowValues; an array of rows gives an array back."""

    __slots__ = ("_rows", "labels")

    def __init__(self, on: RowValues, labels: np.ndarray):
        self._rows, self.labels = on._rows, np.ascontiguousarray(labels, np.int32)

    @property
    def nbytes(self) -> int:
        return self.labels.nbytes  # (the rows are the RowValues')

    @overload
    def __getitem__(self, at: int) -> int: ...
    @overload
    def __getitem__(self, at: np.ndarray) -> np.ndarray: ...
    def __getitem__(self, at: int | np.ndarray) -> int | np.ndarray:
        asked = at if isinstance(at, np.ndarray) else np.array([at], np.int64)
        if not len(self.labels):
            got = np.full(asked.shape, -1, np.int64)
        else:
            pos, hit = self._rows.locate(asked)
            got = np.where(hit, self.labels[pos], -1).astype(np.int64)
        return got if isinstance(at, np.ndarray) else int(got[0])


@dataclass(frozen=True)
class PurchaseTerms:
    """What one shopper's purchases (and cart) say per catalog row; cached per profile version."""

    repeat: RowValues | None  # log(1 + recency-weighted times bought), 0 for rows never bought
    bought: dict[int, int]  # row -> times bought (for the reason)
    together: RowValues | None  # 0..1: co-purchase with the shopper's purchases and cart
    together_anchor: AnchorLookup | None  # the anchor row behind `together` (-1: none)
    hidden: frozenset[int]  # bought, and neither the shop nor the shopper re-buys it
    # 0..1 per row, own shown rows only: how many of the shop's customers buy it (distinct buyers / the most);
    # orders a shopper's one-off purchases (most are bought once) by how widely the shop buys them
    rebuy: RowValues | None = None
    # 0..1 per row, own shown rows only: the share of the shopper's orders holding it (basket frequency)
    share: RowValues | None = None
    n_orders: int = 0  # the shopper's orders (for the share's reason)
    # shown although the shop seldom re-buys them (bought once, learned rate under `MIN_RATE`): a fitted
    # `min_rate` below it keeps them (their reason must not say the shop re-buys them)
    one_off: frozenset[int] = frozenset()


def basket_of(
    bought_at: dict[str, list[float]], counts: dict[str, int], cart: Iterable[str], id_to_row: dict[str, int]
) -> Basket:
    """The shopper's purchases and cart as rows (pure; reads the mappings, keeps nothing of them)."""
    pids = [p for p, times in bought_at.items() if times and p in id_to_row]
    n = len(pids)
    rows = np.fromiter(map(id_to_row.__getitem__, pids), np.int64, n)
    lists = list(map(bought_at.__getitem__, pids))
    n_times = np.fromiter(map(len, lists), np.int64, n)
    times = np.fromiter(chain.from_iterable(lists), np.float64, int(n_times.sum()))
    times_bought = np.fromiter(map(counts.get, pids, n_times.tolist()), np.int64, n)
    in_cart = [r for r in map(id_to_row.get, cart) if r is not None]
    return Basket(rows, n_times, times, times_bought, np.fromiter(in_cart, np.int64, len(in_cart)))


def terms_from(
    basket: Basket,
    now: float,
    n_rows: int,
    rates: RepeatRates,
    together: Together,
    rebuys_fallback: Callable[[int], bool],
    half_life_days: float = REPEAT_HALF_LIFE_DAYS,
    min_rate: float = MIN_RATE,
    n_orders: int | None = None,
) -> PurchaseTerms:
    """Repeat-purchase and co-purchase terms of a basket at `now`, read against the shop's history (pure).

    repeat = log(1 + sum over purchases of 0.5^(age / half-life)): a recency-weighted count, unnormalised so
    "bought once" means the same for every shopper (half_life_days <= 0: no decay, a plain count). A past purchase
    hides the product only when the shopper bought it once and the shop's learned rate is under `min_rate` (or,
    unlearned, `rebuys_fallback` says it is not re-bought). share = purchases of the row / the shopper's orders
    (n_orders; None: the distinct purchase hours kept in the basket), undecayed and linear where repeat is a log:
    an item in 4 of 5 orders outranks one in 4 of 40. Co-purchase is anchored on every bought row, weighted by its
    repeat count, and on the cart (+1 each)."""
    rows, n = basket.rows, len(basket.rows)
    # the recency-weighted count per product as one array operation over every purchase time
    if half_life_days > 0:
        decay = 0.5 ** (np.maximum(now - basket.times, 0.0) / 86400.0 / half_life_days)
    else:
        decay = np.ones(len(basket.times))
    log_rf = np.log1p(np.bincount(np.repeat(np.arange(n), basket.n_times), decay, minlength=n))
    one_off = frozenset[int]()
    if rates.learned:
        rate = rates.rate[rows]
        rebuys = rate >= min_rate
        one_off = frozenset(rows[rebuys & (rate < MIN_RATE) & (basket.times_bought <= 1)].tolist())
    else:
        rebuys = np.fromiter((rebuys_fallback(r) for r in rows.tolist()), bool, n)
    shown = rebuys | (basket.times_bought > 1)
    mine = rows[shown]
    bought = dict(zip(mine.tolist(), basket.times_bought[shown].tolist(), strict=True))
    hidden = frozenset(rows[~shown].tolist())
    anchors, weights = rows, log_rf
    if len(basket.cart):  # a cart is short: one comparison of each cart row with each bought row (np.isin: ~0.1 ms)
        same = basket.cart[:, None] == rows[None, :]
        extra = basket.cart[~same.any(axis=1)]  # in the cart, never bought: after the bought rows
        anchors = np.concatenate((rows, extra))
        weights = np.concatenate((log_rf + same.any(axis=0), np.ones(len(extra))))
    tog, best = together(anchors, weights, n_rows)
    top = float(tog.max()) if len(tog) else 0.0
    most = float(rates.buyers.max()) if len(rates.buyers) else 0.0
    if n_orders is None:
        n_orders = len(np.unique(np.round(basket.times / 3600.0)))
    # over the same rows (a request finds its candidates among them once): repeat, rebuy, share
    own = RowValues.over(
        mine,
        n_rows,
        log_rf[shown],
        rates.buyers[mine] / most if most > 0 else np.zeros(len(mine)),
        np.minimum(basket.times_bought[shown] / max(n_orders, 1), 1.0),
    )
    repeat = own[0] if bought else None
    rebuy = own[1] if bought and most > 0 else None
    share = own[2] if bought and n_orders > 0 else None
    bought_with = RowValues.of_dense(tog / top) if top > 0 else None
    return PurchaseTerms(
        repeat,
        bought,
        bought_with,
        RowLabels(bought_with, best[bought_with.rows]) if bought_with is not None else None,
        hidden,
        rebuy,
        share,
        n_orders,
        one_off & frozenset(bought),
    )


def purchase_terms(
    bought_at: dict[str, list[float]],
    counts: dict[str, int],
    cart: list[str],
    id_to_row: dict[str, int],
    n_rows: int,
    now: float,
    rates: RepeatRates,
    together: Together,
    rebuys_fallback: Callable[[int], bool],
    half_life_days: float = REPEAT_HALF_LIFE_DAYS,
) -> PurchaseTerms:
    """Repeat-purchase and co-purchase terms from purchase times (pure): `basket_of`, then `terms_from`."""
    basket = basket_of(bought_at, counts, cart, id_to_row)
    return terms_from(basket, now, n_rows, rates, together, rebuys_fallback, half_life_days)
