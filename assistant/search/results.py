"""What a search answers: the hits with their reasons and variants, what was understood and applied, and the
reranker hook personalization plugs into."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.search.query import Filters, ParsedQuery
from assistant.search.understand import Understanding
from index.catalog import Product


@dataclass
class Hit:
    product: Product
    row: int
    score: float
    dense: float = 0.0  # cosine similarity to the query
    lexical: float = 0.0  # BM25 score
    why: list[str] = field(default_factory=list)
    variants: int = 1  # products of its group (title or mapped group column) the filters admit, answering alike


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    filters: Filters  # what was applied as hard filters (given or parsed)
    took_ms: float
    parsed: ParsedQuery | None = None
    understanding: Understanding | None = None
    preferences: dict = field(default_factory=dict)  # parsed constraints that ranked, not filtered
    notice: str | None = None  # said when nothing satisfies the understood intent: what was relaxed
    stages: dict[str, float] = field(default_factory=dict)  # ms per step of the search (see Spans)

    @property
    def corrected_query(self) -> str | None:
        return self.understanding.corrected if self.understanding else None


# A reranker sees the fused candidates and returns (new scores, reasons per candidate); personalization
# plugs in here so that REST, chat and autocomplete share one scoring path. The reasons are read only for the
# candidates shown, so a reranker may work them out lazily.
Reranker = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, Sequence[list[str]]]]
