"""Customers like you: what the customers whose purchases most resemble a shopper's buy (user-kNN over baskets).

Each customer is a vector over catalog rows of how many of their baskets held the row, scaled to unit length.
A customer's neighbours are the `K` others with the highest cosine to it; the neighbour term of a row is the
similarity-weighted mean of the neighbours' vectors there (the neighbour half of TIFU-KNN, next-basket
recommendation from personal item frequency), kept for the `TOP_ROWS` strongest rows per customer. It is learned
with the rest of the shop's history (`basket.ShopHistory`), in blocks of `BLOCK` customers so memory stays at
BLOCK x customers, and a request only reads its shopper's precomputed row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from assistant.shoppers.rebuy import RowValues

K = 300  # neighbours per customer (fewer in a shop with fewer customers)
TOP_ROWS = 200  # rows kept per customer: a feed shows tens
BLOCK = 512
BLOCK_CELLS = 4_000_000  # dense cells per block (sims and means): a big catalog or shop gets smaller blocks
MIN_CUSTOMERS = 3  # below this a "customer like you" is just another customer


@dataclass
class Neighbours:
    """Per customer with purchases: the neighbour term over catalog rows and how many neighbours bought each."""

    index: dict[str, int]  # shopper id -> row of `score` / `buyers`
    score: sparse.csr_matrix  # customers x catalog rows, 0..1 per customer (its strongest row = 1)
    buyers: sparse.csr_matrix  # customers x catalog rows: how many of the (similar) neighbours bought the row
    k: int

    def __post_init__(self) -> None:
        for m in (self.score, self.buyers):
            m.sort_indices()  # a request reads a row's indices as sorted catalog rows (_row)

    @classmethod
    def empty(cls, n_rows: int) -> Neighbours:
        return cls({}, sparse.csr_matrix((0, n_rows)), sparse.csr_matrix((0, n_rows)), 0)

    @classmethod
    def learn(cls, shopper_baskets: Iterable[tuple[str, list[int]]], n_rows: int, k: int = K) -> Neighbours:
        """shopper_baskets: (shopper, catalog rows of one basket)."""
        ids: dict[str, int] = {}
        r_idx: list[int] = []
        c_idx: list[int] = []
        for sid, rows in shopper_baskets:
            i = ids.setdefault(sid, len(ids))
            for r in set(rows):
                r_idx.append(i)
                c_idx.append(r)
        n_cust = len(ids)
        k = min(k, n_cust - 1)
        if n_cust < MIN_CUSTOMERS or k < 1:
            return cls.empty(n_rows)
        counts = sparse.csr_matrix(
            (np.ones(len(r_idx), np.float32), (np.asarray(r_idx), np.asarray(c_idx))), shape=(n_cust, n_rows)
        )  # duplicates summed: baskets holding the row
        norm = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
        unit = (sparse.diags(1.0 / np.maximum(norm, 1e-12)) @ counts).tocsr().astype(np.float32)
        bought = (counts > 0).astype(np.float32)
        scores, buyers = [], []
        block = max(8, min(BLOCK, BLOCK_CELLS // max(n_rows, n_cust)))
        for start in range(0, n_cust, block):
            sims = (unit[start : start + block] @ unit.T).toarray()
            m = sims.shape[0]
            sims[np.arange(m), np.arange(start, start + m)] = -1.0  # not oneself
            near = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            w = np.clip(np.take_along_axis(sims, near, axis=1), 0.0, None)
            who = np.repeat(np.arange(m), k)
            weights = sparse.csr_matrix((w.ravel(), (who, near.ravel())), shape=(m, n_cust))
            total = np.asarray(weights.sum(axis=1)).ravel()
            mean = (sparse.diags(1.0 / np.maximum(total, 1e-12)) @ weights @ unit).toarray()
            alike = sparse.csr_matrix(((w > 0).ravel().astype(np.float32), (who, near.ravel())), (m, n_cust))
            n_buy = alike @ bought  # for the reason: only neighbours with something in common count
            scores.append(_top_rows(mean))
            buyers.append(_top_rows(n_buy.toarray(), like=scores[-1]))
        return cls(ids, sparse.vstack(scores).tocsr(), sparse.vstack(buyers).tocsr(), k)

    def of(self, shopper_id: str, n_rows: int) -> tuple[RowValues, RowValues] | None:
        """(term 0..1, neighbours who bought) per catalog row for one shopper; None: no neighbours learned."""
        i = self.index.get(shopper_id)
        if i is None or self.score.shape[1] != n_rows:
            return None
        s = _row(self.score, i, n_rows)
        if not (s.values > 0).any():
            return None
        return s, _row(self.buyers, i, n_rows)


def _row(m: sparse.csr_matrix, i: int, n: int) -> RowValues:
    """Row i of a CSR matrix, read off its arrays (scipy's row indexing builds a new matrix for it: ~0.3 ms a row,
    on every personalized request; a dense copy costs catalog-sized zeros)."""
    lo, hi = m.indptr[i], m.indptr[i + 1]
    return RowValues.of_sorted(m.indices[lo:hi], m.data[lo:hi], n)  # (learned with sorted indices)


def _top_rows(dense: np.ndarray, like: sparse.csr_matrix | None = None) -> sparse.csr_matrix:
    """Each row's TOP_ROWS largest entries, scaled so its largest is 1 (like: keep that matrix's entries, unscaled)."""
    if like is not None:
        coo = like.tocoo()
        return sparse.csr_matrix((dense[coo.row, coo.col], (coo.row, coo.col)), shape=dense.shape)
    m, n = dense.shape
    t = min(TOP_ROWS, n)
    cols = np.argpartition(-dense, t - 1, axis=1)[:, :t]
    vals = np.take_along_axis(dense, cols, axis=1)
    vals = vals / np.maximum(vals.max(axis=1, keepdims=True), 1e-12)
    keep = vals > 0
    rows = np.repeat(np.arange(m), t).reshape(m, t)
    return sparse.csr_matrix((vals[keep], (rows[keep], cols[keep])), shape=(m, n))
