"""ANN indexes (IVF-SQ8, HNSW) on the tiny catalog: every filter holds and the top 10 match the exact oracle."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.search.query import Filters
from index.store import current_version
from index.suggestions import read_suggestions
from index.vectors import ANN_THRESHOLD, FaissIndex, NumpyIndex, choose_kind, ivf_lists, ivf_probes

QUERIES = [
    "running shoes",
    "red dress",
    "phone cover",
    "gold necklace",
    "men's watch",
    "cotton kurta for women",
    "baby toys",
    "leather wallet",
    "sports bra",
    "laptop bag",
    "wall sticker",
    "silver ring",
    "formal shirt",
    "car accessories",
    "kitchen knife",
    "sunglasses",
]


def _filters(engine) -> dict[str, np.ndarray | None]:
    """Real catalog filters (through the engine's own mask) plus a random 30% subset."""
    rng = np.random.default_rng(3)
    prices = np.array([p.price or 0 for p in engine.products])
    out = {
        "none": None,
        "random 30%": rng.random(len(engine.products)) < 0.3,
        "women": engine.mask(Filters(gender="women")),
        "men, under median price": engine.mask(Filters(gender="men", price_max=float(np.median(prices)))),
        "price range": engine.mask(
            Filters(price_min=float(np.percentile(prices, 25)), price_max=float(np.percentile(prices, 75)))
        ),
    }
    assert all(m is None or 0 < m.sum() < len(m) for m in out.values())  # each filter really filters
    return out


def _phrases(index_dir) -> np.ndarray:
    """The autocomplete phrase vectors of the tiny index: what the build calibrates IVF on."""
    got = read_suggestions(index_dir / current_version(index_dir))
    assert got is not None
    return got[1]


@pytest.mark.parametrize("kind", ["ivf-sq8", "hnsw"])
def test_ann_satisfies_filters_and_matches_exact_oracle(engine, embedder, tiny_index_dir, kind):
    vectors = engine.index.vectors
    ann = FaissIndex(embedder.dim, kind=kind, exact_filter_max=0)  # 0: filtered searches go through FAISS
    ann.build(vectors, queries=_phrases(tiny_index_dir))
    assert ann.kind == kind
    oracle = NumpyIndex(embedder.dim)
    oracle.build(vectors)
    for name, allowed in _filters(engine).items():
        recalls = []
        for q in QUERIES:
            qv = embedder.encode_query(q)
            _, rows = ann.search(qv, 10, allowed)
            _, exact = oracle.search(qv, 10, allowed)
            assert len(rows) == len(exact) and len(set(rows.tolist())) == len(rows)
            if allowed is not None:
                assert allowed[rows].all(), f"{kind} returned a row outside the filter {name!r} for {q!r}"
            # ties (the catalog repeats some products) count as found: compare scores, not row ids
            kth = float(vectors[exact[-1]] @ qv)
            recalls.append(np.mean(vectors[rows] @ qv >= kth - 1e-3))
        assert np.mean(recalls) >= 0.95, f"{kind}, filter {name!r}: recall@10 {np.mean(recalls):.3f}"


def test_ivf_probes_fewer_lists_than_it_has(engine, embedder, tiny_index_dir):
    """The tiny test above is not an exhaustive scan in disguise: IVF probes a part of its lists."""
    ann = FaissIndex(embedder.dim, kind="ivf-sq8")
    ann.build(engine.index.vectors, queries=_phrases(tiny_index_dir))
    assert ann.index.nlist == ivf_lists(len(engine.products)) and ann.nprobe < ann.index.nlist
    assert ann.calibrated_recall is not None and ann.calibrated_recall >= 0.98


def test_selective_filter_is_scored_exactly(engine, embedder):
    vectors = engine.index.vectors
    ann = FaissIndex(embedder.dim, kind="ivf-sq8", exact_vectors=vectors)
    ann.build(vectors)
    allowed = engine.mask(Filters(gender="men"))
    oracle = NumpyIndex(embedder.dim)
    oracle.build(vectors)
    qv = embedder.encode_query("leather belt")
    s1, r1 = ann.search(qv, 10, allowed)
    s2, r2 = oracle.search(qv, 10, allowed)
    assert r1.tolist() == r2.tolist() and np.allclose(s1, s2, atol=1e-5)


def test_ivf_save_load_keeps_results(engine, embedder, tmp_path):
    ann = FaissIndex(embedder.dim, kind="ivf-sq8")
    ann.build(engine.index.vectors)
    ann.save(tmp_path / "ivf.index")
    back = FaissIndex.load(tmp_path / "ivf.index", embedder.dim)
    assert back.kind == "ivf-sq8" and back.nprobe == ann.nprobe
    qv = embedder.encode_query("running shoes")
    assert back.search(qv, 10)[1].tolist() == ann.search(qv, 10)[1].tolist()
    with pytest.raises(NotImplementedError):
        back.remove(np.array([0]))


def test_kind_is_chosen_by_size():
    assert choose_kind(20_000) == "flat" and choose_kind(ANN_THRESHOLD) == "flat"
    assert choose_kind(ANN_THRESHOLD + 1) == "ivf-sq8" and choose_kind(1_000_000) == "ivf-sq8"
    assert ivf_lists(1_000_000) == 4000 and ivf_probes(4000) == 62
