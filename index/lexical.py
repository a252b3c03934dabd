"""Lexical (BM25) side of hybrid retrieval: exact words such as brands and model numbers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import bm25s
import numpy as np

from index.catalog import Product

STOPWORDS = frozenset(
    ["a", "an", "and", "the", "for", "of", "in", "on", "with", "to", "by", "from", "at", "is", "are", "or", "s"]
)
_TOKEN_RE = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Lowercase, strip accents, fold whitespace: the form every matcher compares."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


def tokenize(text: str) -> list[str]:
    return [t for t in _TOKEN_RE.findall(normalise(text)) if t not in STOPWORDS]


def lexical_text(p: Product) -> str:
    """Fields a shopper types literally: title, brand, type, category, colour, gender, model names."""
    model = " ".join(
        p.attributes.get(k, "") for k in ("Model Name", "Model Number", "Model ID", "Style Code", "Fabric", "Material")
    )
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
    """BM25 over lexical_text, scored for every product so that filters apply before top-k."""

    def __init__(self, products: Sequence[Product]):
        self._bm25 = bm25s.BM25()
        corpus = [tokenize(lexical_text(p)) or ["_"] for p in products]
        self._bm25.index(corpus, show_progress=False)
        self._n = len(products)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every product (0 where no query word occurs)."""
        vocab = self._bm25.vocab_dict
        tokens = [t for t in tokenize(query) if t in vocab]
        if not tokens:
            return np.zeros(self._n, np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)
