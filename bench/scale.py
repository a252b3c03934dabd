"""How search latency grows with catalog size: 1k and 20k real products, 100k synthetic.

The 100k point is SYNTHETIC SCALE DATA: the bundled products repeated with perturbed text (a word
dropped, two words swapped, price moved by up to 10%) under new ids. Embedding 80k extra texts would
take most of the time budget on 2 cores, so each copy's vector is the original's vector plus Gaussian
noise, renormalised, with the noise level calibrated in the same run: a sample of perturbed texts is
really embedded and sigma is set so that the expected copy/original cosine equals the measured one.
FAISS search cost depends only on the number and size of vectors, which this keeps exact.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from index.catalog import Product
from index.embedder import Embedder, product_text
from index.store import LoadedIndex
from index.vectors import FaissIndex

QUERY_COSINE = 0.7  # calibration queries' cosine to the seed product they are made from (see ann_at_scale)


def perturb(p: Product, copy: int, rng: random.Random) -> Product:
    """A labelled synthetic near-duplicate of a real product (new id, perturbed name and price)."""
    words = p.title.split()
    if len(words) > 3:
        del words[rng.randrange(1, len(words))]
    if len(words) > 3:
        i = rng.randrange(1, len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    price = round(p.price * rng.uniform(0.9, 1.1), 0) if p.price else p.price
    return replace(
        p,
        id=f"{p.id}~syn{copy}",
        title=" ".join(words),
        price=price,
        attributes={**p.attributes, "synthetic": "scale benchmark copy"},
    )


def noise_sigma(cosine: float, dim: int) -> float:
    """Per-dimension sigma so that cos(v, normalise(v + noise)) is about `cosine` for a unit v."""
    cosine = min(max(cosine, 0.05), 0.9999)
    return float(np.sqrt((1.0 / cosine**2 - 1.0) / dim))


def calibrate(index: LoadedIndex, embedder: Embedder, sample: int, seed: int = 0) -> dict:
    """Embed `sample` perturbed texts for real; their mean cosine to the originals sets sigma."""
    rng = random.Random(seed)
    rows = rng.sample(range(len(index.products)), min(sample, len(index.products)))
    copies = [perturb(index.products[r], 1, rng) for r in rows]
    t = time.perf_counter()
    vecs = embedder.encode([product_text(p) for p in copies])
    secs = time.perf_counter() - t
    cos = float(np.mean(np.sum(vecs * index.vectors[rows], axis=1)))
    return {
        "sample": len(rows),
        "mean_cosine_perturbed_text": round(cos, 4),
        "sigma": noise_sigma(cos, index.vectors.shape[1]),
        "embed_products_per_s": round(len(rows) / secs, 1),
        "estimated_seconds_to_embed_all_copies": None,
    }


def subset(index: LoadedIndex, rows: np.ndarray) -> LoadedIndex:
    products = [index.products[r] for r in rows.tolist()]
    vectors = np.ascontiguousarray(index.vectors[rows])
    vi = FaissIndex(vectors.shape[1])
    vi.build(vectors)
    return LoadedIndex(replace(index.manifest, count=len(products)), products, vectors, vi, index.version + "-sub")


def synthetic(index: LoadedIndex, target: int, sigma: float, seed: int = 0) -> LoadedIndex:
    """The real products plus perturbed copies up to `target` products (see the module docstring)."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    n = len(index.products)
    products = list(index.products)
    blocks = [index.vectors]
    copy = 1
    while len(products) < target:
        take = min(n, target - len(products))
        products += [perturb(index.products[r], copy, rng) for r in range(take)]
        v = index.vectors[:take] + nrng.normal(0.0, sigma, (take, index.vectors.shape[1])).astype(np.float32)
        blocks.append(v / np.linalg.norm(v, axis=1, keepdims=True))
        copy += 1
    vectors = np.ascontiguousarray(np.vstack(blocks), dtype=np.float32)
    vi = FaissIndex(vectors.shape[1])
    vi.build(vectors)
    return LoadedIndex(replace(index.manifest, count=len(products)), products, vectors, vi, index.version + "-syn")


def bench_scaling(
    index: LoadedIndex,
    embedder: Embedder,
    make_engine: Callable[[LoadedIndex], object],
    time_queries: Callable[[object], dict],
    sizes: tuple[int, ...],
    calib_sample: int,
) -> dict:
    """For each size: engine build seconds and per-mode latency (time_queries(engine) -> summaries)."""
    n = len(index.products)
    cal = calibrate(index, embedder, calib_sample)
    extra = max(0, max(sizes) - n)
    cal["estimated_seconds_to_embed_all_copies"] = round(extra / cal["embed_products_per_s"], 1) if extra else 0
    points = []
    perm = np.random.default_rng(0).permutation(n)
    for size in sizes:
        if size < n:
            idx, kind = subset(index, np.sort(perm[:size])), "real (random subset of the bundled catalog)"
        elif size == n:
            idx, kind = index, "real (the bundled catalog)"
        else:
            idx, kind = synthetic(index, size, cal["sigma"]), "SYNTHETIC scale data (perturbed copies)"
        t = time.perf_counter()
        engine = make_engine(idx)
        build_s = time.perf_counter() - t
        points.append(
            {
                "products": len(idx.products),
                "data": kind,
                "synthetic": size > n,
                "engine_build_seconds": round(build_s, 2),
                "latency": time_queries(engine),
            }
        )
        del engine, idx
    return {"calibration": cal, "points": points}


def _timed(fn: Callable, reps: np.ndarray) -> list[float]:
    """ms per call of fn(x) for each x."""
    out = []
    for x in reps:
        t = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - t) * 1000)
    return out


def ann_at_scale(n: int, queries: np.ndarray, base: np.ndarray | None = None, cosine: float = 0.9) -> dict:
    """IVF-SQ8 at n SYNTHETIC products against exact search, plus the exact index at 20k as the reference.

    Vectors are made, not embedded (embedding 1M texts would take hours on 2 shared cores): copies of the
    `base` vectors (real product vectors when given, else random unit vectors; fewer than 20k are first
    spread into 20k at cosine 0.8) with Gaussian noise at the expected cosine `cosine` to their original,
    renormalised. Queries are real query embeddings.
    """
    from index.vectors import FaissIndex, NumpyIndex, _topk

    rng = np.random.default_rng(0)
    dim = queries.shape[1]
    if base is None:
        base = rng.normal(size=(20_000, dim)).astype(np.float32)
        base /= np.linalg.norm(base, axis=1, keepdims=True)
    if len(base) < 20_000:  # few seeds: first 20k "products" around them (cosine 0.8), then the copies
        rows = base[rng.integers(0, len(base), 20_000)]
        b = rows + rng.normal(0.0, noise_sigma(0.8, dim), rows.shape).astype(np.float32)
        base = b / np.linalg.norm(b, axis=1, keepdims=True)
    sigma = noise_sigma(cosine, dim)
    vecs = np.empty((n, dim), np.float32)
    for s in range(0, n, 100_000):
        rows = base[rng.integers(0, len(base), min(100_000, n - s))]
        v = rows + rng.normal(0.0, sigma, rows.shape).astype(np.float32)
        vecs[s : s + len(v)] = v / np.linalg.norm(v, axis=1, keepdims=True)
    q = np.ascontiguousarray(queries, np.float32)
    t = time.perf_counter()
    ann = FaissIndex(dim, kind="ivf-sq8", exact_vectors=vecs)
    # Calibrated on the real query embeddings would be tuning to the test set. Seed vectors themselves are no
    # query-like stand-in either (each sits amid its own near-identical copies: a near-tie 8-bit codes cannot
    # order); a query is farther from the products it finds, so: seeds moved away to cosine QUERY_COSINE.
    seeds = base[rng.permutation(len(base))[:300]]
    cq = seeds + rng.normal(0.0, noise_sigma(QUERY_COSINE, dim), seeds.shape).astype(np.float32)
    ann.build(vecs, train_sample=50_000, queries=cq / np.linalg.norm(cq, axis=1, keepdims=True))
    build_s = time.perf_counter() - t
    exact = NumpyIndex(dim)
    exact.vectors = vecs
    truth = [_topk(vecs @ qi, 10)[1] for qi in q]
    got = [ann.search(qi, 10)[1] for qi in q]
    recall = float(np.mean([len(set(g.tolist()) & set(e.tolist())) / 10 for g, e in zip(got, truth, strict=True)]))
    allowed = rng.random(n) < 0.1  # a filter keeping 10% of the catalog
    got_f = [ann.search(qi, 10, allowed)[1] for qi in q]
    truth_f = [exact.search(qi, 10, allowed)[1] for qi in q]
    recall_f = float(
        np.mean([len(set(g.tolist()) & set(e.tolist())) / 10 for g, e in zip(got_f, truth_f, strict=True)])
    )
    from bench.speed import summary

    flat20k = FaissIndex(dim)
    flat20k.build(vecs[:20_000])
    # Search effort measured, not assumed: recall and latency around the calibrated number of probed lists.
    sweep, calibrated = [], ann.nprobe
    for nprobe in sorted({max(1, calibrated // d) for d in (16, 8, 4, 2, 1)} | {min(ann.index.nlist, calibrated * 2)}):
        ann.nprobe = ann.index.nprobe = nprobe
        got_n = [ann.search(qi, 10)[1] for qi in q]
        rec = float(np.mean([len(set(g.tolist()) & set(e.tolist())) / 10 for g, e in zip(got_n, truth, strict=True)]))
        lat = summary(_timed(lambda qi: ann.search(qi, 200), q))
        sweep.append(
            {
                "nprobe": nprobe,
                "recall@10_vs_exact": round(rec, 4),
                "k200_p50_ms": lat["p50_ms"],
                "k200_p99_ms": lat["p99_ms"],
            }
        )
    ann.nprobe = ann.index.nprobe = calibrated
    ann_k200 = summary(_timed(lambda qi: ann.search(qi, 200), q))
    flat_k200 = summary(_timed(lambda qi: flat20k.search(qi, 200), q))
    return {
        "data": "SYNTHETIC: perturbed copies of product vectors (no text embedded)",
        "products": n,
        "kind": ann.kind,
        "nlist": int(getattr(ann.index, "nlist", 0)),
        "nprobe": ann.nprobe,
        "build_seconds": round(build_s, 1),
        "index_mb": round(faiss_bytes(ann) / 1e6, 1),
        "float32_vectors_mb": round(vecs.nbytes / 1e6, 1),
        "recall@10_vs_exact": round(recall, 4),
        "recall@10_vs_exact_filter_10pct": round(recall_f, 4),
        "filters_respected": bool(all(allowed[g].all() for g in got_f)),
        "ann_k10": summary(_timed(lambda qi: ann.search(qi, 10), q)),
        "ann_k200": ann_k200,
        "ann_k200_filter_10pct": summary(_timed(lambda qi: ann.search(qi, 200, allowed), q)),
        "exact_numpy_k10": summary(_timed(lambda qi: exact.search(qi, 10), q[:20])),
        "flat_20k_k200": flat_k200,
        "ann_k200_p99_vs_flat_20k_p99": round(ann_k200["p99_ms"] / flat_k200["p99_ms"], 3)
        if flat_k200["p99_ms"]
        else None,
        "nprobe_sweep": sweep,
        "rss_mb_of_this_process": _rss_mb(),
    }


def faiss_bytes(index) -> int:
    """Bytes an IVF index holds (codes, ids, centroids), or a flat one's vectors, without serialising it."""
    ix = index.index
    if hasattr(ix, "nlist"):
        return int(ix.ntotal * (ix.code_size + 8) + ix.nlist * ix.d * 4)
    return int(ix.ntotal * ix.d * 4)


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        return round(next(int(x.split()[1]) for x in f if x.startswith("VmRSS:")) / 1024, 1)
