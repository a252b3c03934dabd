"""Search: hybrid retrieval (FAISS + BM25 fused) over the loaded index, with hard filters understood from the
query, an optional reranker for personalization, and the product card every endpoint returns.

Public interface: `SearchEngine` (`.search(query, k, filters, rerank, distinct, sort) -> SearchResult`,
`.understand(text) -> Understanding`, `.of_kind(words) -> row mask | None`: the products of the kind the words
name, read as a query's type is; the chat's "is this a saree"), `understand(text, QueryVocab)`, `Filters`,
`parse_query`, `Hit`, `product_card`, `named_materials(product, material stems)` (what a page says it is made of,
as search reads it).
"""

from assistant.search.cards import product_card
from assistant.search.engine import MODES, SearchEngine
from assistant.search.materials import named_materials
from assistant.search.query import Filters, ParsedQuery, Vocabulary, parse_query
from assistant.search.results import Hit, Reranker, SearchResult
from assistant.search.understand import QueryVocab, Understanding, understand

__all__ = [
    "MODES",
    "Filters",
    "Hit",
    "ParsedQuery",
    "QueryVocab",
    "Reranker",
    "SearchEngine",
    "SearchResult",
    "Understanding",
    "Vocabulary",
    "named_materials",
    "parse_query",
    "product_card",
    "understand",
]
