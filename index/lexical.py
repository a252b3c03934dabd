"""Lexical (BM25) side of hybrid retrieval: exact words such as brands and model numbers, stemmed so that
"shoe" and "shoes" are one term (the vocabulary is index/text.py)."""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import numpy as np

from index.catalog import Product
from index.text import STOPWORDS, normalise, terms, tokenize

__all__ = ["STOPWORDS", "LexicalIndex", "lexical_text", "normalise", "terms", "tokenize"]

MODEL_KEYS = ("Model Name", "Model Number", "Model ID", "Style Code", "Fabric", "Material")


def lexical_text(p: Product) -> str:
    """Fields a shopper types literally: title, brand, type, category, colour, gender, model names."""
    model = " ".join(p.attributes.get(k, "") for k in MODEL_KEYS)
    return " ".join(
        x
        for x in (
            p.title,
            p.brand or "",
            p.product_type or "",
            " ".join(p.category[:4]),
            p.colour or "",
            p.gender or "",
            model,
        )
        if x
    )


class LexicalIndex:
    """BM25 over the stemmed lexical_text, scored for every product so that filters apply before top-k."""

    def __init__(self, products: Sequence[Product], corpus: Sequence[list[str]] | None = None):
        """corpus: each product's terms(lexical_text(p)), when the caller has them already."""
        self._bm25 = bm25s.BM25()
        if corpus is None:
            corpus = [terms(lexical_text(p)) for p in products]
        corpus = [ts or ["_"] for ts in corpus]
        self._bm25.index(corpus, show_progress=False)
        self._n = len(products)

    @property
    def vocabulary(self) -> dict[str, int]:
        """Stemmed term -> id, every term some product has."""
        return self._bm25.vocab_dict

    def scores(self, query: str, extra_terms: Sequence[str] = ()) -> np.ndarray:
        """BM25 score of every product (0 where no query word occurs); extra_terms are already stemmed."""
        vocab = self._bm25.vocab_dict
        tokens = [t for t in [*terms(query), *extra_terms] if t in vocab]
        if not tokens:
            return np.zeros(self._n, np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)
