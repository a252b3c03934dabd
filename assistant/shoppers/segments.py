"""Shopper segments: K-Means (faiss.Kmeans) over profile vectors plus behaviour features and, for shoppers
who buy, recency/frequency/monetary (RFM), named from their own data (how often and how much they buy, what
they buy most). `features`, `rfm`, `choose_k`, `silhouette`, `name_segment` are pure."""

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


def silhouette(x: np.ndarray, labels: np.ndarray, block: int = 256) -> float:
    """Mean silhouette (Euclidean), exact, in blocks of rows: memory O(block x n), not O(n^2 x dim)."""
    ks, lab = np.unique(labels, return_inverse=True)
    if len(ks) < 2:
        return -1.0
    x = x.astype(np.float64)
    sq = (x * x).sum(1)
    onehot = np.zeros((len(x), len(ks)))
    onehot[np.arange(len(x)), lab] = 1.0
    counts = onehot.sum(0)
    s = np.zeros(len(x))
    for start in range(0, len(x), block):
        sl = slice(start, start + block)
        d = np.sqrt(np.maximum(sq[sl, None] + sq[None, :] - 2.0 * (x[sl] @ x.T), 0.0))
        sums = d @ onehot  # per row: summed distance to each cluster
        own = lab[sl]
        idx = np.arange(len(own))
        n_own = counts[own]
        a = sums[idx, own] / np.maximum(n_own - 1, 1)
        mean_other = sums / counts
        mean_other[idx, own] = np.inf
        b = mean_other.min(1)
        s[sl] = np.where(n_own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
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


def rfm(prof: Profile, price_of: dict[str, float], now: float) -> np.ndarray | None:
    """log days since the last purchase, log purchase baskets, log spend (catalog prices); None: never bought."""
    if not prof.purchased:
        return None
    recency = max(now - max(prof.purchased.values()), 0.0) / 86400.0
    baskets = prof.n_baskets()
    spend = sum(price_of.get(pid, 0.0) * n for pid, n in prof.bought.items())
    return np.array([math.log1p(recency), math.log1p(baskets), math.log1p(spend)], np.float32)


def rfm_words(own: np.ndarray, everyone: np.ndarray, repeat_share: float | None = None) -> str:
    """'frequent big-basket re-orderers', 'lapsed occasional buyers': this segment's median RFM (and share of
    re-orders) against all buyers' medians."""
    med, mine = np.median(everyone, axis=0), np.median(own, axis=0)
    words = []
    if mine[0] > med[0] + 0.5:
        words.append("lapsed")
    words.append("frequent" if mine[1] > med[1] else "occasional")
    words.append("big-basket" if mine[2] > med[2] else "small-basket")
    words.append("re-orderers" if repeat_share is not None and repeat_share >= REORDERER else "buyers")
    return " ".join(words)


REORDERER = 0.3  # a segment whose median shopper re-buys at least this share of what they buy
_NOT_KEYWORDS = {
    "set",
    "sets",
    "pack",
    "box",
    "small",
    "large",
    "mini",
    "jumbo",
    "medium",
    "assorted",
    "design",
    "designs",
    "with",
    "and",
    "the",
    "for",
    "of",
    "red",
    "pink",
    "blue",
    "green",
    "white",
    "black",
    "ivory",
    "cream",
    "colour",
    "colours",
    "piece",
    "pieces",
    "new",
    "retrospot",
}  # sizes, colours and packaging say nothing about what a group of shoppers is into


def keywords(members: list[Profile], everyone: list[Profile], titles: dict[str, str], n: int = 2) -> list[str]:
    """Title words these shoppers buy far more than the other buyers do (share x log lift), most telling first."""

    def shares(group: list[Profile]) -> Counter:
        c: Counter = Counter()
        for p in group:
            words = {w for pid in p.bought for w in titles.get(pid, "").lower().split() if w.isalpha()}
            c.update(w for w in words if len(w) > 2 and w not in _NOT_KEYWORDS)
        return c

    mine, all_ = shares(members), shares(everyone)
    n_m, n_a = max(len(members), 1), max(len(everyone), 1)
    score = {}
    for w, k in mine.items():
        share, lift = k / n_m, (k / n_m) / ((all_[w] + 1) / n_a)
        if k >= 3 and lift > 1.0:
            score[w] = share * math.log(lift)
    return sorted(score, key=lambda w: (-score[w], w))[:n]


def top_products(members: list[Profile], everyone_counts: Counter | None = None, n_all: int = 0, n: int = 200) -> list:
    """[product id, share of members who bought it, lift over all buyers], highest share x log lift first:
    the segment prior (what this segment buys more than the shop as a whole)."""
    c: Counter = Counter()
    for p in members:
        c.update(p.bought.keys())
    m = max(len(members), 1)
    out = []
    for pid, k in c.items():
        lift = (k / m) / ((everyone_counts[pid] + 1) / max(n_all, 1)) if everyone_counts is not None else 1.0
        out.append([pid, round(k / m, 4), round(lift, 3)])
    out.sort(key=lambda e: (-(e[1] * max(math.log(e[2]), 0.0)), -e[1], e[0]))
    return out[:n]


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
    price_of = {p.id: p.price or 0.0 for p in engine.products}
    titles = {p.id: p.title for p in engine.products}
    now = shoppers.now()
    r = [rfm(p, price_of, now) for p in profs]
    have_rfm: list[np.ndarray] = [v for v in r if v is not None]
    everyone = np.stack(have_rfm) if have_rfm else None
    buyers = [p for p in profs if p.bought]
    bought_by: Counter = Counter()
    for p in buyers:
        bought_by.update(p.bought.keys())
    if everyone is not None and len(have_rfm) >= MIN_SHOPPERS:
        mu, sd = everyone.mean(0), everyone.std(0) + 1e-6
        z = np.stack([(v - mu) / sd if v is not None else np.zeros(3, np.float32) for v in r]).astype(np.float32)
        x = np.concatenate([x, 0.5 * z], axis=1)  # RFM in units comparable to the unit-norm profile
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
        members = [profs[i] for i in idx]
        name, summary = name_segment(members)
        own: list[np.ndarray] = [v for v in (r[i] for i in idx.tolist()) if v is not None]
        if everyone is not None and own and not summary["top_categories"]:
            buyers_here = [p for p in members if p.bought]
            share = float(np.median([p.repeat_share() for p in buyers_here])) if buyers_here else None
            words = keywords(buyers_here, buyers, titles)
            name = rfm_words(np.stack(own), everyone, share) + (f" of {' & '.join(words)}" if words else "")
            summary["keywords"] = words
        if own:
            summary["top_products"] = top_products(members, bought_by, len(buyers))
            summary["median_baskets"] = round(float(np.expm1(np.median(np.stack(own)[:, 1]))), 1)
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
