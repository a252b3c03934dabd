"""Vector indexes with one interface (build/add/remove/search/save/load).

FaissIndex serves (exact, or approximate above ANN_THRESHOLD products); NumpyIndex is the exact oracle
the tests compare it with. Row positions are the ids: the store keeps the product id of each row.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

import faiss
import numpy as np

# The bundled faiss type stubs lack the SearchParameters keywords and subclass attributes (nlist, nprobe).
_faiss: Any = faiss

ANN_THRESHOLD = 200_000  # exact search is fast enough below this many products
HNSW_THRESHOLD = ANN_THRESHOLD  # the former name
# A filtered ANN search keeping at most this many rows scores them exactly (~3 ms at 384-d): faster and
# exact, where an approximate index would have to probe most of itself to find enough allowed rows.
EXACT_FILTER_MAX = 20_000
RECALL_TARGET = 0.98  # recall@10 against exact search that an IVF index is calibrated to at build time
PLATEAU = 0.002  # a recall gain below this from 1.5x more probed lists ends the calibration ...
RECALL_FLOOR = 0.95  # ... once recall is at least this


_search_threads = 0  # OpenMP threads per FAISS search (set_search_threads); 0: FAISS's default


def set_search_threads(n: int) -> None:
    """OpenMP threads per FAISS search, in whichever thread searches (0: FAISS's default).

    OpenMP's thread count belongs to the calling thread: set once in the main thread, it does not reach the
    worker threads a server searches in, which then ran every search on the cores' count of OpenMP threads,
    each worker keeping its own team of them alive. So each search applies it in its own thread."""
    global _search_threads
    _search_threads = max(0, int(n))
    if _search_threads:
        faiss.omp_set_num_threads(_search_threads)


def _apply_search_threads() -> None:
    if _search_threads and faiss.omp_get_max_threads() != _search_threads:
        faiss.omp_set_num_threads(_search_threads)  # this thread's OpenMP setting, once per thread


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


def choose_kind(n: int, ann_threshold: int = ANN_THRESHOLD) -> str:
    """The index kind for n vectors: exact below the threshold, IVF with 8-bit scalar quantization above.

    IVF-SQ8 rather than HNSW at scale: a quarter of the memory (384 bytes a vector against ~1.8 KB), a
    build that is one k-means on a sample plus an assignment pass, and filtered search that stays
    accurate (more lists are probed when a filter is selective), where HNSW's graph walk loses recall.
    """
    return "ivf-sq8" if n > ann_threshold else "flat"


def ivf_lists(n: int) -> int:
    """IVF lists for n vectors: about 4 sqrt(n) (1M -> 4,000), the low end of FAISS's guideline (4-16 sqrt(n)).
    Finer lists hold the vectors near a query in fewer of them: at 1M synthetic products, recall@10 0.964 took
    62 of 4,096 lists (k=200 p99 2.0 ms) against ~45 of 1,000 (~5 ms); the price is a longer k-means at build."""
    return max(1, min(65536, round(4 * np.sqrt(n))))


def ivf_probes(nlist: int) -> int:
    """Starting point of the calibration: 1/64 of the lists, at least 4 (1M: 62 lists, ~1.6% of the vectors)."""
    return min(nlist, max(4, nlist // 64))


def calibrate_nprobe(
    index: Any,
    vectors: np.ndarray,
    queries: np.ndarray | None = None,
    target: float = RECALL_TARGET,
    sample: int = 300,
    k: int = 10,
) -> tuple[int, float]:
    """The fewest lists to probe for recall@k >= target against exact search; returns (nprobe, recall).

    `queries`: query-like vectors (the build passes its autocomplete phrases: short texts, as shoppers type);
    without them, midpoints of two random catalog vectors (optimistic: real queries need more lists).
    """
    rng = np.random.default_rng(1)
    n = vectors.shape[0]
    if queries is not None and len(queries):
        q = np.asarray(queries, np.float32)[rng.permutation(len(queries))[:sample]]
    else:
        a, b = rng.integers(0, n, size=(2, min(sample, n)))
        q = vectors[a] + vectors[b]
    q = np.ascontiguousarray(q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-9), dtype=np.float32)
    k = min(k, n)
    exact = np.stack([_topk(vectors @ qi, k)[1] for qi in q])
    nprobe, recall, last = ivf_probes(index.nlist), 0.0, -1.0
    while True:
        _, got = index.search(q, k, params=_faiss.SearchParametersIVF(nprobe=nprobe))
        recall = float(np.mean([len(set(g.tolist()) & set(e.tolist())) / k for g, e in zip(got, exact, strict=True)]))
        # Stop at the target, or where probing 1.5x more lists no longer helps: 8-bit codes cap recall a little
        # under exact (measured 0.9775 at 300k synthetic, the same at half and at all lists), and chasing a
        # target above that cap would probe every list for nothing.
        if recall >= target or nprobe >= index.nlist or (recall >= RECALL_FLOOR and recall - last < PLATEAU):
            return nprobe, recall
        last = recall
        nprobe = min(index.nlist, max(nprobe + 1, nprobe * 3 // 2))


class FaissIndex:
    """FAISS inner product: exact IndexFlatIP, or an ANN index (IVF-SQ8 by default, HNSW on request).

    Filters are applied inside retrieval: an ID-selector bitmap makes FAISS skip rows outside the allowed
    set. For an IVF index a selective filter probes proportionally more lists, and at most
    `exact_filter_max` allowed rows are scored exactly from `exact_vectors` (when given): both keep the
    filtered top-k as good as the unfiltered one.
    """

    def __init__(
        self,
        dim: int,
        hnsw_threshold: int = ANN_THRESHOLD,
        index: faiss.Index | None = None,
        kind: str | None = None,
        exact_vectors: np.ndarray | None = None,
        exact_filter_max: int = EXACT_FILTER_MAX,
    ):
        self.dim = dim
        self.hnsw_threshold = hnsw_threshold  # the size above which build() picks an ANN index
        self.forced_kind = kind  # "flat", "hnsw" or "ivf-sq8": overrides the choice by size
        self.index: Any = index if index is not None else faiss.IndexFlatIP(dim)
        self.exact_vectors = exact_vectors
        self.exact_filter_max = exact_filter_max
        self.nprobe = int(self.index.nprobe) if isinstance(self.index, faiss.IndexIVF) else 0
        self.calibrated_recall: float | None = None

    @property
    def kind(self) -> str:
        if isinstance(self.index, faiss.IndexHNSWFlat):
            return "hnsw"
        if isinstance(self.index, faiss.IndexIVFScalarQuantizer):
            return "ivf-sq8"
        return "flat"

    def build(self, vectors: np.ndarray, train_sample: int = 100_000, queries: np.ndarray | None = None) -> None:
        """Index the vectors; an IVF index calibrates its probes on `queries` (see calibrate_nprobe)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n = vectors.shape[0]
        kind = self.forced_kind or choose_kind(n, self.hnsw_threshold)
        if kind == "hnsw":
            self.index = faiss.IndexHNSWFlat(self.dim, 32, faiss.METRIC_INNER_PRODUCT)
            self.index.hnsw.efSearch = 128
        elif kind == "ivf-sq8":
            nlist = ivf_lists(n)
            quantizer = faiss.IndexFlatIP(self.dim)
            self.index = faiss.IndexIVFScalarQuantizer(
                quantizer, self.dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
            )
            self.index.cp.min_points_per_centroid = 1  # tiny catalogs (tests) train on what there is
            rows = np.random.default_rng(0).permutation(n)[: max(train_sample, 39 * nlist)]
            self.index.train(vectors[np.sort(rows)])
        else:
            self.index = faiss.IndexFlatIP(self.dim)
        self.index.add(vectors)
        if kind == "ivf-sq8":
            self.index.nprobe, self.calibrated_recall = calibrate_nprobe(self.index, vectors, queries)
            self.nprobe = self.index.nprobe  # written with the index (faiss stores nprobe)

    def add(self, vectors: np.ndarray) -> None:
        self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def remove(self, rows: np.ndarray) -> None:
        if self.kind != "flat":
            raise NotImplementedError(f"{self.kind} cannot remove rows by position; rebuild the index instead")
        self.index.remove_ids(np.asarray(rows, dtype=np.int64))

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None):
        _apply_search_threads()
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        n = self.index.ntotal
        if allowed is None:
            k = min(k, n)
            d, i = self.index.search(q, k)
        else:
            count = int(allowed.sum())
            if count == 0:
                return np.zeros(0, np.float32), np.zeros(0, np.int64)
            k = min(k, count)
            if self.kind != "flat" and self.exact_vectors is not None and count <= self.exact_filter_max:
                rows = np.flatnonzero(allowed)
                s, idx = _topk(self.exact_vectors[rows] @ q[0], k)
                return s, rows[idx]
            bits = np.packbits(allowed.astype(np.uint8), bitorder="little")
            sel = faiss.IDSelectorBitmap(n, faiss.swig_ptr(bits))
            d, i = self.index.search(q, k, params=self._params(sel, k, count / max(n, 1)))
        keep = i[0] >= 0
        return d[0][keep], i[0][keep].astype(np.int64)

    def _params(self, sel: faiss.IDSelector, k: int, share: float) -> faiss.SearchParameters:
        if self.kind == "hnsw":
            return _faiss.SearchParametersHNSW(sel=sel, efSearch=max(128, k))
        if self.kind == "ivf-sq8":
            # A filter keeping a share s of the rows leaves ~s of each list: probe ~1/s more lists.
            nprobe = min(self.index.nlist, int(np.ceil(self.nprobe / max(share, 1e-6))))
            return _faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)
        return _faiss.SearchParameters(sel=sel)

    def stored_vectors(self) -> np.ndarray | None:
        """A read-only, zero-copy view of an exact index's vectors (None for ANN kinds, which store codes).

        Serving holds each product vector once: the loaded index's `vectors` is this view rather than a
        second float32 copy read from vectors.npy (30 MB at 20k products). Valid while this index lives
        unchanged (a loaded index is never added to; a rebuild makes a new one).
        """
        if self.kind != "flat" or not len(self):
            return None
        n = int(self.index.ntotal)
        view = faiss.rev_swig_ptr(self.index.get_xb(), n * self.dim).reshape(n, self.dim)
        view.flags.writeable = False
        return view

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, dim: int, exact_vectors: np.ndarray | None = None) -> FaissIndex:
        return cls(dim, index=faiss.read_index(str(path)), exact_vectors=exact_vectors)

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
