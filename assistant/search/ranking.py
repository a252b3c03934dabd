"""Ranking pieces of the engine, pure over NumPy arrays: rank fusion, term postings, preference tiers, sort
orders and the notice said when nothing satisfies what the query asked for."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.search.query import Filters
from assistant.search.understand import Understanding


def rrf(rankings: list[np.ndarray], k: int = 60) -> dict[int, float]:
    """Reciprocal rank fusion of several ranked row lists."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking.tolist()):
            fused[row] = fused.get(row, 0.0) + 1.0 / (k + rank + 1)
    return fused


def fuse_scores(dense: dict[int, float], lexical: dict[int, float], alpha: float) -> dict[int, float]:
    """Score-aware fusion: alpha * dense + (1 - alpha) * lexical, each min-max normalised over the candidates
    (a candidate one side did not return scores that side's floor). Unlike RRF it keeps how far apart the
    scores are, so one exact model-number match is not levelled with the 50th loose one."""
    rows = set(dense) | set(lexical)
    out = dict.fromkeys(rows, 0.0)
    for side, w in ((dense, alpha), (lexical, 1.0 - alpha)):
        if not side or w == 0:
            continue
        lo, hi = min(side.values()), max(side.values())
        span = hi - lo
        for r, v in side.items():
            out[r] += w * ((v - lo) / span if span > 0 else 1.0)
    return out


def fuse_arrays(dense: np.ndarray, lexical: np.ndarray, alpha: float) -> np.ndarray:
    """fuse_scores over aligned arrays, where both sides score every candidate (the engine's case): the same
    numbers, without a dict per side (tests/assistant/search/test_classes.py holds them equal)."""
    out = np.zeros(len(dense))
    for side, w in ((np.asarray(dense, np.float64), alpha), (np.asarray(lexical, np.float64), 1.0 - alpha)):
        if not len(side) or w == 0:
            continue
        lo, hi = float(side.min()), float(side.max())
        span = hi - lo
        out = out + (w * ((side - lo) / span) if span > 0 else w * 1.0)
    return out


@dataclass
class Postings:
    """term -> rows holding it, for masks by term (negations, types, devices, materials)."""

    rows: dict[str, np.ndarray]
    n: int

    @classmethod
    def build(cls, term_sets: Sequence[Iterable[str]], n: int) -> Postings:
        acc: dict[str, list[int]] = {}
        for row, ts in enumerate(term_sets):
            for t in ts:
                acc.setdefault(t, []).append(row)
        return cls({t: np.asarray(r, dtype=np.int64) for t, r in acc.items()}, n)

    def all_of(self, terms: Iterable[str]) -> np.ndarray:
        m = np.ones(self.n, dtype=bool)
        for t in terms:
            one = np.zeros(self.n, dtype=bool)
            one[self.rows.get(t, np.zeros(0, np.int64))] = True
            m &= one
        return m

    def any_of(self, terms: Iterable[str]) -> np.ndarray:
        m = np.zeros(self.n, dtype=bool)
        for t in terms:
            m[self.rows.get(t, np.zeros(0, np.int64))] = True
        return m


@dataclass
class Tiers:
    """What the query asked for beyond its filters, as (name, row mask, weight): added above fused scores
    (which stay below ~0.05), so a product of the asked type always outranks one that is not."""

    parts: list[tuple[str, np.ndarray, float]] = field(default_factory=list)

    def add(self, name: str, mask: np.ndarray, weight: float) -> None:
        self.parts.append((name, mask, weight))

    def mask(self, name: str) -> np.ndarray | None:
        return next((m for n, m, _ in self.parts if n == name), None)

    def boost(self, rows: np.ndarray) -> np.ndarray:
        out = np.zeros(len(rows), np.float64)
        for _, m, w in self.parts:
            out += w * m[rows]
        return out


def order_rows(
    rows: np.ndarray,
    scores: np.ndarray,
    reasons: list[list[str]],
    sort: str,
    price: np.ndarray,
    rating: np.ndarray,
    tiers: Tiers,
) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    """Rows in the asked order. price/rating sorts keep what the query asked for first (tiers), then sort
    within; products without a price or rating go last. A row a reranker scored -inf is dropped."""
    keep = np.isfinite(scores)
    rows, scores = rows[keep], scores[keep]
    reasons = [r for r, ok in zip(reasons, keep.tolist(), strict=False) if ok]
    if sort == "relevance" or not len(rows):
        order = np.lexsort((rows, -scores))
    else:
        level = tiers.boost(rows)
        if sort == "rating":
            key = np.nan_to_num(-rating[rows], nan=np.inf)
        else:
            p = price[rows]
            key = np.nan_to_num(p if sort == "price_asc" else -p, nan=np.inf)
        order = np.lexsort((rows, -scores, key, -level))
    return rows[order], scores[order], [reasons[i] for i in order.tolist()]


def notice_for(u: Understanding, f: Filters, tiers: Tiers, hit_rows: Sequence[int], relaxed: list[str]) -> str | None:
    """What could not be satisfied and what was relaxed, in a sentence; None when the page fits the query."""
    parts = []
    if "gender" in relaxed:
        parts.append(f"nothing for {u.gender.replace('_', ' ') if u.gender else 'them'}")
    if "colour" in relaxed:
        parts.append(f"nothing in {u.colour}")
    if "material" in relaxed:
        parts.append(f"nothing in {u.material}")
    typed = tiers.mask("type")
    if typed is not None and not any(typed[r] for r in hit_rows):
        parts.append(f"no {u.product_type} in this shop" + (" that fits the filters" if not f.is_empty() else ""))
    compat = tiers.mask("compatible")
    if compat is not None and not any(compat[r] for r in hit_rows):
        parts.append(f"nothing made for {u.compatible_with}")
    if not hit_rows:
        return f"Nothing in this shop matches {describe(u, f)}; try removing a filter."
    if not parts:
        return None
    return _sentence(parts) + "; showing the closest products instead."


def describe(u: Understanding | None, f: Filters) -> str:
    """What was asked, in words: "Dresses, under 10, for women"."""
    bits = [u.product_type] if u is not None and u.product_type else []
    if f.price_min is not None:
        bits.append(f"over {f.price_min:g}")
    if f.price_max is not None:
        bits.append(f"under {f.price_max:g}")
    if f.gender:
        bits.append(f"for {f.gender.replace('_', ' ')}")
    bits += [f"brand {f.brand}"] if f.brand else []
    bits += [f"colour {f.colour}"] if f.colour else []
    bits += [f"in {f.category}"] if f.category else []
    bits += ["in stock"] if f.in_stock else []
    return ", ".join(bits) or "your search"


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text[0].upper() + text[1:]
