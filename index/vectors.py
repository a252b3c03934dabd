"""Vector indexes with one interface (build/add/remove/search/save/load).

FaissIndex serves; NumpyIndex is the exact oracle the tests compare it with. Row positions
are the ids: the store keeps the product id of each row.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np

HNSW_THRESHOLD = 200_000  # exact search is fast enough below this many products


class VectorIndex(Protocol):
    dim: int

    def build(self, vectors: np.ndarray) -> None: ...
    def add(self, vectors: np.ndarray) -> None: ...
    def remove(self, rows: np.ndarray) -> None: ...
    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]: ...
    def save(self, path: Path) -> None: ...
    def __len__(self) -> int: ...


def _topk(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    k = min(k, scores.shape[0])
    if k <= 0:
        return np.zeros(0, np.float32), np.zeros(0, np.int64)
    idx = np.argpartition(-scores, k - 1)[:k]
    idx = idx[np.lexsort((idx, -scores[idx]))]  # score desc, row asc on ties
    return scores[idx].astype(np.float32), idx.astype(np.int64)


class NumpyIndex:
    """Exact inner-product search in NumPy; the test oracle."""

    def __init__(self, dim: int):
        self.dim = dim
        self.vectors = np.zeros((0, dim), np.float32)

    def build(self, vectors: np.ndarray) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    def add(self, vectors: np.ndarray) -> None:
        self.vectors = np.vstack([self.vectors, vectors.astype(np.float32)])

    def remove(self, rows: np.ndarray) -> None:
        self.vectors = np.delete(self.vectors, rows, axis=0)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None):
        scores = self.vectors @ query.astype(np.float32)
        if allowed is not None:
            rows = np.flatnonzero(allowed)
            s, i = _topk(scores[rows], k)
            return s, rows[i]
        return _topk(scores, k)

    def save(self, path: Path) -> None:
        np.save(path, self.vectors)

    def __len__(self) -> int:
        return self.vectors.shape[0]


class FaissIndex:
    """FAISS inner product: exact IndexFlatIP, or HNSW above `hnsw_threshold` products."""

    def __init__(self, dim: int, hnsw_threshold: int = HNSW_THRESHOLD, index: faiss.Index | None = None):
        self.dim = dim
        self.hnsw_threshold = hnsw_threshold
        self.index = index if index is not None else faiss.IndexFlatIP(dim)

    @property
    def kind(self) -> str:
        return "hnsw" if isinstance(self.index, faiss.IndexHNSWFlat) else "flat"

    def build(self, vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape[0] > self.hnsw_threshold:
            self.index = faiss.IndexHNSWFlat(self.dim, 32, faiss.METRIC_INNER_PRODUCT)
            self.index.hnsw.efSearch = 128
        else:
            self.index = faiss.IndexFlatIP(self.dim)
        self.index.add(vectors)

    def add(self, vectors: np.ndarray) -> None:
        self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def remove(self, rows: np.ndarray) -> None:
        if self.kind == "hnsw":
            raise NotImplementedError("HNSW cannot remove rows; rebuild the index instead")
        # the stub lists only remove_ids(IDSelector); faiss's Python wrapper also takes an id array
        self.index.remove_ids(np.asarray(rows, dtype=np.int64))  # type: ignore[arg-type]

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None):
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        n = self.index.ntotal
        if allowed is not None:
            count = int(allowed.sum())
            if count == 0:
                return np.zeros(0, np.float32), np.zeros(0, np.int64)
            k = min(k, count)
            bits = np.packbits(allowed.astype(np.uint8), bitorder="little")
            sel = faiss.IDSelectorBitmap(n, faiss.swig_ptr(bits))
            params = (
                faiss.SearchParametersHNSW(sel=sel, efSearch=max(128, k))  # type: ignore[attr-defined]  # not in the stub
                if self.kind == "hnsw"
                else faiss.SearchParameters(sel=sel)  # type: ignore[call-arg]  # the wrapper sets keyword fields
            )
            d, i = self.index.search(q, k, params=params)
        else:
            k = min(k, n)
            d, i = self.index.search(q, k)
        keep = i[0] >= 0
        return d[0][keep], i[0][keep].astype(np.int64)

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, dim: int) -> FaissIndex:
        return cls(dim, index=faiss.read_index(str(path)))

    def __len__(self) -> int:
        return int(self.index.ntotal)


def fsync_write(path: Path, data: bytes) -> None:
    """Write to a temp file, fsync, then os.replace: readers see the old or the new file, never half."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
