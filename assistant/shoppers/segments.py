"""Shopper segments: K-Means (faiss.Kmeans) over profile vectors plus behaviour features, named from
their dominant categories and price band. `features`, `choose_k`, `name_segment` are pure."""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter, defaultdict

import faiss
import numpy as np

from assistant.shoppers.profiles import Profile

log = logging.getLogger("shopmate.segments")
MIN_SHOPPERS = 6
BEHAVIOUR = ("view", "click", "add_to_cart", "purchase", "dismiss")


def features(prof: Profile) -> np.ndarray | None:
    """Profile direction (384-d) + price level + how the shopper acts (shares of strong signals)."""
    v = prof.vector()
    if v is None:
        return None
    band = prof.price_band()
    price = (math.log((band[0] * band[1]) ** 0.5) - 7.0) / 2.0 if band else 0.0  # ~0 around ₹1,100
    types = Counter(tr.last_type for tr in prof.items.values())
    n = max(sum(types.values()), 1)
    beh = [types[t] / n for t in BEHAVIOUR]
    return np.concatenate([v, np.array([price, *beh], np.float32) * 0.5]).astype(np.float32)


def kmeans(x: np.ndarray, k: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    km = faiss.Kmeans(x.shape[1], k, niter=25, seed=seed, verbose=False, min_points_per_centroid=1)
    km.train(x)
    _, assign = km.index.search(x, 1)
    assert km.centroids is not None  # set by train
    return km.centroids, assign.ravel()


def silhouette(x: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette (Euclidean), exact; fine for the few thousand shoppers sampled per refresh."""
    d = np.sqrt(np.maximum(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1), 0.0))
    ks = np.unique(labels)
    if len(ks) < 2:
        return -1.0
    s = np.zeros(len(x))
    for i in range(len(x)):
        same = labels == labels[i]
        if same.sum() <= 1:
            continue
        a = d[i, same].sum() / (same.sum() - 1)
        b = min(d[i, labels == k].mean() for k in ks if k != labels[i])
        s[i] = (b - a) / max(a, b, 1e-12)
    return float(s.mean())


def choose_k(x: np.ndarray, k_max: int = 8, sample: int = 2000, seed: int = 1) -> int:
    rng = np.random.default_rng(seed)
    xs = x if len(x) <= sample else x[rng.choice(len(x), sample, replace=False)]
    best, best_s = 2, -2.0
    for k in range(2, min(k_max, len(xs) - 1) + 1):
        _, lab = kmeans(xs, k, seed)
        s = silhouette(xs, lab)
        if s > best_s:
            best, best_s = k, s
    return best


def price_word(prices: list[float]) -> str:
    if not prices:
        return "mixed-price"
    m = float(np.median(prices))
    return "budget" if m < 700 else "mid-range" if m < 2000 else "premium"


def name_segment(members: list[Profile]) -> tuple[str, dict]:
    """'budget men's footwear', 'premium women's clothing': dominant category and price band."""
    cats: defaultdict[str, float] = defaultdict(float)  # shares, not counts
    prices: list[float] = []
    for p in members:
        for c, v in p.facet_shares("category").items():
            cats[c] += v
        band = p.price_band()
        if band:
            prices.append((band[0] * band[1]) ** 0.5)
    top = sorted(cats, key=cats.__getitem__, reverse=True)[:2]
    label = (top[0].split(" > ")[-1] if top else "mixed interests").lower()
    return f"{price_word(prices)} {label}", {
        "top_categories": top,
        "median_price": round(float(np.median(prices))) if prices else None,
    }


def refresh(shoppers, engine) -> dict[int, dict]:
    """Cluster consenting shoppers' profiles, name the clusters, store them and the assignment."""
    profiles = shoppers.all_profiles()
    ids, feats, profs = [], [], []
    for sid, prof in profiles.items():
        f = features(prof)
        if f is not None:
            ids.append(sid)
            feats.append(f)
            profs.append(prof)
    if len(ids) < MIN_SHOPPERS:
        log.info("segments: %d shoppers with a profile, need %d; kept the old segments", len(ids), MIN_SHOPPERS)
        return shoppers.segments
    x = np.stack(feats)
    k = shoppers.settings.segments_k or choose_k(x)
    k = max(1, min(k, len(ids)))
    _, labels = kmeans(x, k)
    dim = profs[0].dim
    segments: dict[int, dict] = {}
    assignment: dict[str, int] = {}
    names: Counter = Counter()
    for c in range(k):
        idx = np.flatnonzero(labels == c)
        if not len(idx):
            continue
        name, summary = name_segment([profs[i] for i in idx])
        names[name] += 1
        if names[name] > 1:
            name = f"{name} ({names[name]})"
        centre = x[idx, :dim].mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-9)
        segments[c] = {"id": c, "name": name, "size": len(idx), "summary": summary, "centroid": centre}
        for i in idx.tolist():
            assignment[ids[i]] = c
    shoppers.set_segments(segments, assignment)
    log.info("segments refreshed: %d segments over %d shoppers", len(segments), len(ids))
    return segments


class SegmentScheduler:
    """Refreshes segments every `interval_s` in a daemon thread (0: never)."""

    def __init__(self, shoppers, engine_fn, interval_s: int):
        self._stop = threading.Event()
        self._thread = None
        if interval_s > 0:
            self._thread = threading.Thread(
                target=self._run, args=(shoppers, engine_fn, interval_s), name="shopmate-segments", daemon=True
            )
            self._thread.start()

    def _run(self, shoppers, engine_fn, interval_s: int) -> None:
        while not self._stop.wait(interval_s):
            try:
                refresh(shoppers, engine_fn())
                shoppers.purge_expired()
            except Exception as e:
                log.warning("segment refresh failed: %s", type(e).__name__)

    def stop(self) -> None:
        self._stop.set()
