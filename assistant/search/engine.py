"""Hybrid product search: filters first, then dense (FAISS) and lexical (BM25) fused by RRF.

The one scoring path shared by REST search, chat and autocomplete's product hits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from assistant.search.query import Filters, ParsedQuery, Vocabulary, parse_query
from index.attributes import GENDER_ADMITS
from index.catalog import Product
from index.embedder import Embedder
from index.lexical import LexicalIndex, lexical_text, normalise, tokenize
from index.store import LoadedIndex

if TYPE_CHECKING:  # autocomplete is built on the engine's vocabulary; this only names its type
    from assistant.suggest.service import Autocomplete

MODES = ("hybrid", "dense", "lexical")


@dataclass
class Hit:
    product: Product
    row: int
    score: float
    dense: float = 0.0  # cosine similarity to the query
    lexical: float = 0.0  # BM25 score
    why: list[str] = field(default_factory=list)


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    filters: Filters
    took_ms: float
    parsed: ParsedQuery | None = None


# A reranker sees the fused candidates and returns (new scores, reasons per candidate); personalization
# plugs in here so that REST, chat and autocomplete share one scoring path.
Reranker = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, list[list[str]]]]


def rrf(rankings: list[np.ndarray], k: int = 60) -> dict[int, float]:
    """Reciprocal rank fusion of several ranked row lists."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking.tolist()):
            fused[row] = fused.get(row, 0.0) + 1.0 / (k + rank + 1)
    return fused


class SearchEngine:
    """Holds one loaded index with its lexical side and filter columns; swapped whole on reload."""

    def __init__(self, index: LoadedIndex, embedder: Embedder, candidates: int = 200, rrf_k: int = 60):
        self.index = index
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k
        products = index.products
        self.lexical = LexicalIndex(products)
        self.vocab = Vocabulary.from_products(products)
        self._price = np.array([p.price if p.price is not None else np.nan for p in products], np.float64)
        self._gender = np.array([p.gender or "" for p in products], dtype=object)
        self._colour = np.array([p.colour or "" for p in products], dtype=object)
        self._brand = np.array([normalise(p.brand or "") for p in products], dtype=object)
        self._stock = np.array([p.in_stock for p in products], dtype=bool)
        self._category = [normalise(" > ".join(p.category)) for p in products]
        self._lex_tokens = [set(tokenize(lexical_text(p))) for p in products]
        self.autocomplete: Autocomplete | None = None  # set by Services.load_engine

    @property
    def products(self) -> list[Product]:
        return self.index.products

    def mask(self, f: Filters) -> np.ndarray | None:
        """Boolean row mask of products that satisfy every filter (None: no filter)."""
        if f.is_empty():
            return None
        m = np.ones(len(self.products), dtype=bool)
        if f.price_min is not None:
            m &= np.nan_to_num(self._price, nan=-1.0) >= f.price_min
        if f.price_max is not None:
            m &= np.nan_to_num(self._price, nan=np.inf) <= f.price_max
        if f.gender:
            m &= np.isin(self._gender, list(GENDER_ADMITS.get(f.gender, {f.gender})))
        if f.colour:
            m &= self._colour == f.colour
        if f.brand:
            m &= self._brand == normalise(f.brand)
        if f.in_stock:
            m &= self._stock
        if f.category:
            want = normalise(f.category)
            m &= np.array([want in c for c in self._category], dtype=bool)
        return m

    def search(
        self,
        query: str,
        k: int = 10,
        filters: Filters | None = None,
        parse: bool = True,
        mode: str = "hybrid",
        rerank: Reranker | None = None,
    ) -> SearchResult:
        """Top-k products for a query; explicit filters win over filters parsed from the query."""
        t0 = time.perf_counter()
        parsed = parse_query(query, self.vocab) if parse else None
        f = (filters or Filters()).merged(parsed.filters) if parsed else (filters or Filters())
        allowed = self.mask(f)
        n_cand = max(self.candidates, k)
        rankings: list[np.ndarray] = []
        dense_scores: dict[int, float] = {}
        lex_all = None
        if mode in ("hybrid", "dense") and query.strip():
            qv = self.embedder.encode_query(query)
            d, rows = self.index.vector_index.search(qv, n_cand, allowed)
            rankings.append(rows)
            dense_scores = dict(zip(rows.tolist(), d.tolist(), strict=False))
        if mode in ("hybrid", "lexical") and query.strip():
            lex_all = self.lexical.scores(parsed.text if parsed and parsed.text else query)
            if allowed is not None:
                lex_all = np.where(allowed, lex_all, 0.0)
            nz = np.flatnonzero(lex_all > 0)
            top = nz[np.argsort(-lex_all[nz], kind="stable")[:n_cand]]
            rankings.append(top)
        if not query.strip():  # browsing: every allowed product, in catalog order
            rows = np.flatnonzero(allowed) if allowed is not None else np.arange(len(self.products))
            rankings.append(rows[:n_cand])
        fused = rrf(rankings, self.rrf_k)
        rows = np.array(sorted(fused, key=lambda r: (-fused[r], r)), dtype=np.int64)
        scores = np.array([fused[r] for r in rows.tolist()], dtype=np.float64)
        reasons: list[list[str]] = [[] for _ in rows]
        if rerank is not None and len(rows):
            scores, reasons = rerank(rows, scores)
            order = np.argsort(-scores, kind="stable")
            order = order[np.isfinite(scores[order])]  # a reranker drops a row with -inf (e.g. dismissed)
            rows, scores, reasons = rows[order], scores[order], [reasons[i] for i in order]
        q_tokens = set(tokenize(query))
        hits = []
        for row, score, why in zip(rows[:k].tolist(), scores[:k].tolist(), reasons[:k], strict=False):
            p = self.products[row]
            words = sorted(q_tokens & self._lex_tokens[row])
            base = [f"matches {', '.join(repr(w) for w in words)}"] if words else []
            if row in dense_scores and not words:
                base.append("close in meaning to your search")
            hits.append(
                Hit(
                    p,
                    row,
                    float(score),
                    dense_scores.get(row, 0.0),
                    float(lex_all[row]) if lex_all is not None else 0.0,
                    why + base,
                )
            )
        return SearchResult(query, hits, f, (time.perf_counter() - t0) * 1000, parsed)
