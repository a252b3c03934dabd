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
