"""The one embedder: the bundled all-MiniLM-L6-v2, batched, L2-normalised float32, on a chosen backend."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from threading import Lock

import numpy as np

from index.catalog import Product
from index.encoders import DEFAULT_ENCODER, bundled_model_path, load_backend, quantization_of

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
    """The bundled model on one encoder backend (torch, onnx or onnx-int8); queries go through a small LRU cache.

    `name` identifies the vector space an index is built in: torch and onnx give the same vectors (cosine
    0.99999, measured) and share the model name; int8 vectors differ (cosine ~0.993) and carry a suffix, so
    an index is never queried with vectors of another space (index.store.load_index refuses it).
    """

    def __init__(
        self,
        model_path: str | None = None,
        batch_size: int = 64,
        max_seq_length: int = 128,
        cache_size: int = 2048,
        encoder: str | None = None,
        threads: int | None = None,
        cache_dir: Path | None = None,
    ):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may be fetched at run time
        # SHOPMATE_ENCODER is Settings.encoder; read here too so every script that builds an Embedder honours it.
        self.encoder = encoder or os.environ.get("SHOPMATE_ENCODER") or DEFAULT_ENCODER
        path = Path(model_path) if model_path else bundled_model_path()
        self._backend = load_backend(self.encoder, path, max_seq_length, threads=threads, cache_dir=cache_dir)
        self.quantization = quantization_of(self.encoder)
        self.batch_size = batch_size
        self.name = space_name(MODEL_NAME, self.quantization)
        self.dim = int(self._backend.dim)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = Lock()  # guards the query cache
        # ONNX Runtime sessions may run concurrently; a PyTorch module is run by one thread at a time.
        self._run_lock: AbstractContextManager = Lock() if self.encoder == "torch" else nullcontext()

    def encode(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed many texts: (n, dim) float32, unit length. progress(n_done) after each batch."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not len(texts):
            return out
        tokenize = getattr(self._backend, "tokenize", None)
        # Sorted by length first, every batch holds texts of about one length: little padding (wasted compute).
        # The ONNX backend tokenizes everything once and sorts by token count; torch tokenizes per batch.
        encodings = tokenize(texts) if tokenize is not None else None
        lengths = [len(e.ids) for e in encodings] if encodings is not None else [len(t) for t in texts]
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(texts), self.batch_size):
            rows = order[start : start + self.batch_size]
            with self._run_lock:
                if encodings is not None:
                    out[rows] = self._backend.run([encodings[i] for i in rows])  # type: ignore[attr-defined]
                else:
                    out[rows] = self._backend.encode_batch([texts[i] for i in rows])
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


def space_name(model: str, quantization: str) -> str:
    """The vector-space name of a model under a quantization ('none': the model name itself)."""
    return model if quantization == "none" else f"{model}+{quantization}"
