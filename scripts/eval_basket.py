"""Personalization on a real purchase log (UCI Online Retail, the retail demo shop): next-basket
recommendation, personalized search, cold start and frequently-bought-together, baselines side by side.

Temporal split (the log's own dates; nothing shifted):
- fit (--fit): two validation windows, history before 2011-05-01 / target in [2011-05-01, 2011-07-01) and
  history before 2011-07-01 / target in [2011-07-01, 2011-09-01). One small weight set for every shopper
  (a per-history-bucket grid overfit), the repeat decay among them, chosen by the worse window's hit@10 so a
  signal that only wins one season (recent popularity in summer) is not kept.
- validation (reported): the later window, history before 2011-07-01, target = each customer's first
  invoice in [2011-07-01, 2011-09-01); the search weights are fitted there.
- test: history = invoices before 2011-09-01, target = each customer's first invoice on/after 2011-09-01.
The history is replayed through the real event store (`scripts/import_events.replay` -> `Shoppers.record`)
with the clock set to the split; the full system is `recommendations()` (GET /api/recommendations) and
`personalize_for` + `SearchEngine.search` (GET /api/search), exactly as served.

    python scripts/eval_basket.py [--log online_retail.csv.gz] [--retail-index DIR] [--customers 400]
                                  [--fit [--fit-customers N]]
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import math
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

from assistant.api.app import limit_compute_threads  # noqa: E402
from assistant.search.engine import Reranker, SearchEngine  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.shoppers import personalize  # noqa: E402
from assistant.shoppers.recommend import (  # noqa: E402
    _HISTORY,
    HISTORY_BUCKETS,
    history_of,
    n_baskets,
    personalize_for,
    recommendations,
    signals,
    weights_for,
)
from assistant.shoppers.segments import refresh  # noqa: E402
from assistant.shoppers.service import Shoppers  # noqa: E402
from index.build import build_index  # noqa: E402
from index.catalog import Mapping  # noqa: E402
from index.embedder import Embedder  # noqa: E402
from index.store import load_index  # noqa: E402
from scripts.import_events import Line, Summary, numbered_rows, parse_time, read_lines, replay  # noqa: E402
from scripts.prepare_retail import products_from  # noqa: E402

VAL0, VAL, SPLIT = "2011-05-01", "2011-07-01", "2011-09-01"
CATALOG = ROOT / "data" / "retail" / "products.csv"
MAPPING = ROOT / "data" / "retail" / "retail.mapping.json"
HALF_LIVES = (365.0, 0.0)  # days; 0: a plain count (90 days lost on validation: 0.840 vs 0.845)
GRID = {
    "profile": (0.0, 0.15),
    "repeat": (0.5, 1.0, 2.0, 4.0),
    "rebuy": (0.0, 0.25, 0.5, 1.0, 2.0),
    "together": (0.0, 0.1, 0.3),
    "segment": (0.0, 0.5),
    "feed_popularity": (0.0, 0.3, 1.0),  # the feed's recent (14-day half-life) popularity
    "bestseller": (0.0, 0.25, 0.5, 1.0, 2.0, 4.0),  # all-time share of the shop's customers who bought it
}
SEARCH_GRID = {
    "search_profile": (0.0, 0.3),
    "search_repeat": (0.5, 1.0),
    "search_together": (0.15, 0.3, 0.6),
    "search_bestseller": (0.0, 0.3, 1.0, 2.0),
}
SETTINGS = {"retention_days": 400, "popularity_half_life_days": 14.0, "segments_refresh_s": 0}
_GENERIC = {"small", "large", "medium", "mini", "jumbo", "set", "assorted", "design", "of", "and", "with", "the"}


def hit_ndcg_recall(ranked: list[int], target: set[int]) -> tuple[float, float, float]:
    hit = float(any(r in target for r in ranked[:10]))
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(ranked[:10]) if r in target)
    idcg = sum(1.0 / math.log2(i + 2) for i in range(min(len(target), 10)))
    recall = len(set(ranked[:20]) & target) / len(target)
    return hit, dcg / idcg, recall


def top(scores: np.ndarray, k: int, exclude: set[int] | frozenset[int] = frozenset()) -> list[int]:
    order = np.argsort(-scores, kind="stable")[: k + len(exclude)]
    return [int(r) for r in order if r not in exclude and np.isfinite(scores[r])][:k]


def product_noun(title: str) -> str:
    """What a shopper would type for it: the title's last word (two for 'lunch bag', 'cake tin'),
    skipping sizes and colours at the end."""
    words = [w for w in title.lower().replace("-", " ").split() if w.isalpha()]
    while len(words) > 1 and (words[-1] in _GENERIC or words[-1] in ("red", "blue", "pink", "green", "white")):
        words.pop()
    if not words:
        return title.lower()
    if len(words) > 1 and words[-1] in ("bag", "box", "tin", "holder", "case", "card", "sign", "set", "bottle", "jar"):
        return " ".join(words[-2:])
    return words[-1]


class World:
    """The shop as it stood at a split: the real store with the history before it replayed."""

    def __init__(self, lines: list[Line], cutoff: float, index_dir: Path, embedder: Embedder, tmp: Path):
        self.engine = SearchEngine(load_index(index_dir, embedder.name, embedder.dim), embedder)
        settings = Settings.from_env(env={}, index_dir=index_dir, data_dir=tmp, sqlite_synchronous="OFF", **SETTINGS)
        self.clock = [cutoff]
        self.shoppers = Shoppers(settings, lambda: self.engine, embedder.encode_query, now_fn=lambda: self.clock[0])
        self.replay_s = 0.0
        self.imported = 0
        self.cutoff = -math.inf
        self.advance(lines, cutoff)

    def advance(self, lines: list[Line], cutoff: float) -> None:
        """Move the clock to `cutoff`, replaying the invoices in between, and relearn what depends on them."""
        t0 = time.perf_counter()
        self.clock[0] = cutoff
        summary = replay(self.shoppers, [ln for ln in lines if self.cutoff <= ln.ts < cutoff], shift_days=0)
        self.imported += summary.imported
        self.replay_s += time.perf_counter() - t0
        self.cutoff = cutoff
        _HISTORY.pop(self.shoppers, None)
        self.segments = refresh(self.shoppers, self.engine)
        self.history = history_of(self.shoppers, self.engine)
        n = len(self.engine.products)
        self.pop = np.zeros(n)
        self.recent = np.zeros(n)
        self.own: dict[str, Counter] = defaultdict(Counter)
        id_to_row = self.engine.index.id_to_row
        seen = set()
        for ln in lines:
            if ln.ts >= cutoff or (ln.customer, ln.invoice, ln.product_id) in seen:
                continue
            seen.add((ln.customer, ln.invoice, ln.product_id))
            row = id_to_row[ln.product_id]
            self.pop[row] += 1
            self.recent[row] += ln.ts >= cutoff - 30 * 86400
            self.own[ln.customer][row] += 1

    def close(self) -> None:
        self.shoppers.close()


def targets(lines: list[Line], start: float, end: float, id_to_row: dict[str, int]) -> dict[str, set[int]]:
    """Each customer's first invoice in [start, end) whose customer bought before `start`."""
    before = {ln.customer for ln in lines if ln.ts < start}
    first: dict[str, tuple[float, str]] = {}
    for ln in lines:
        in_window = start <= ln.ts < end and ln.customer in before
        if in_window and (ln.customer not in first or (ln.ts, ln.invoice) < first[ln.customer]):
            first[ln.customer] = (ln.ts, ln.invoice)
    out: dict[str, set[int]] = defaultdict(set)
    for ln in lines:
        f = first.get(ln.customer)
        if f is not None and ln.invoice == f[1]:
            out[ln.customer].add(id_to_row[ln.product_id])
    return dict(out)


PARTS = ("popularity", "profile", "segment", "repeat", "rebuy", "together", "bestseller")
FIT_DEPTH = 100  # per customer, the fit ranks the union of each term's top rows (every blend's top 10 lies there)


def unit_parts(w: World, customer: str) -> tuple[dict[str, np.ndarray], np.ndarray, int] | None:
    """The reranker's terms over the whole catalog at unit weights (feed: no query), for fitting."""
    sid = f"retail-{customer}"
    sig = signals(w.shoppers, w.engine, sid, {})
    if sig.profile is None:
        return None
    idx = w.engine.index
    rows = np.arange(len(idx.products))
    unit = personalize.Weights(profile=1.0, repeat=1.0, together=1.0, segment=1.0, bestseller=1.0)
    _, c = personalize.score(rows, np.full(len(rows), 1e-9), idx.vectors, idx.products, sig, 1.0, unit, 1.0, 1.0)
    dropped = np.zeros(len(rows), bool)
    dropped[list(sig.drop_rows)] = True
    own = sig.repeat if sig.repeat is not None else np.zeros(len(rows))
    parts = {"profile": c.affinity + c.taste, "segment": c.segment, "repeat": c.repeat, "together": c.together}
    parts["rebuy"] = sig.rebuy if sig.rebuy is not None else (own > 0).astype(np.float64)
    return {**parts, "popularity": c.popularity, "bestseller": c.bestseller}, dropped, n_baskets(sig.profile)


def weight_matrix(combos: list[dict[str, float]]) -> np.ndarray:
    """combos x PARTS; the profile weight p also scales the segment term (w = p for a feed), as in score()."""
    return np.array(
        [
            [
                wt.get("feed_popularity", 1.0),
                wt["profile"],
                wt["profile"] * wt["segment"],
                wt["repeat"],
                wt["rebuy"],
                wt["together"],
                wt.get("bestseller", 0.0),
            ]
            for wt in combos
        ]
    )


def compact(parts: dict[str, np.ndarray], dropped: np.ndarray, target: set[int]) -> tuple[np.ndarray, np.ndarray, int]:
    """The customer's terms on the rows any blend can rank in its top 10: (PARTS x rows, is-target, |target|)."""
    mat = np.stack([parts[k] for k in PARTS])
    mat[:, dropped] = -np.inf
    cols = np.unique(np.argsort(-mat, axis=1, kind="stable")[:, :FIT_DEPTH])
    cols = cols[~dropped[cols]]
    return mat[:, cols].astype(np.float32), np.isin(cols, list(target)), len(target)


def grid_scores(items: list[tuple[np.ndarray, np.ndarray, int]], wm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean hit@10 and nDCG@10 of every weight combination (rows of wm) over the customers, at once."""
    hit, ndcg = np.zeros(len(wm)), np.zeros(len(wm))
    disc = 1.0 / np.log2(np.arange(2, 12))
    w32 = wm.astype(np.float32)
    for mat, is_t, n_t in items:
        s = w32 @ mat
        k = min(10, s.shape[1])
        part = np.argpartition(-s, k - 1, axis=1)[:, :k]
        order = np.take_along_axis(part, np.argsort(-np.take_along_axis(s, part, axis=1), axis=1), axis=1)
        gain = is_t[order]
        hit += gain.any(axis=1)
        ndcg += (gain * disc[:k]).sum(axis=1) / disc[: min(n_t, 10)].sum()
    return hit / max(len(items), 1), ndcg / max(len(items), 1)


def use_weights(w: World, path: Path | None) -> None:
    w.shoppers.settings = dataclasses.replace(w.shoppers.settings, blend_weights=path)


def combos_of(grid: dict[str, tuple]) -> list[dict[str, float]]:
    keys = list(grid)
    vals = np.array(np.meshgrid(*grid.values())).T.reshape(-1, len(keys))
    return [{k: float(v) for k, v in zip(keys, row, strict=True)} for row in vals]


def window_scores(w: World, tg: dict[str, set[int]], tmp: Path, wm: np.ndarray) -> dict[float, dict]:
    """Per repeat half-life: every combination's hit@10 / nDCG@10 on this window's customers."""
    out = {}
    for h in HALF_LIVES:
        path = tmp / f"half-life-{h:g}.json"
        path.write_text(json.dumps({"weights": {"repeat_half_life_days": h}}))
        use_weights(w, path)
        items = []
        for cust, target in tg.items():
            got = unit_parts(w, cust)
            if got is not None:
                items.append(compact(got[0], got[1], target))
        hit, ndcg = grid_scores(items, wm)
        out[h] = {"hit": hit, "ndcg": ndcg, "customers": len(items)}
    use_weights(w, None)
    return out


def choose(windows: dict[str, dict[float, dict]], combos: list[dict[str, float]]) -> dict:
    """One weight set for every shopper that holds up in both validation windows: the best worst-window
    hit@10 (a season-specific signal wins one window and loses the other), then mean nDCG@10."""
    best_key, best = (-1.0, -1.0), (HALF_LIVES[0], 0)
    for h in HALF_LIVES:
        worst = np.min([win[h]["hit"] for win in windows.values()], axis=0)
        mean_ndcg = np.mean([win[h]["ndcg"] for win in windows.values()], axis=0)
        i = int(np.lexsort((-mean_ndcg, -worst))[0])
        if (worst[i], mean_ndcg[i]) > best_key:
            best_key, best = (float(worst[i]), float(mean_ndcg[i])), (h, i)
    h, i = best
    return {
        "weights": combos[i] | {"repeat_half_life_days": h},
        "rule": "max over the grid of the worse window's hit@10, ties by mean nDCG@10",
        "windows": {
            name: {
                "customers": win[h]["customers"],
                "hit10": round(float(win[h]["hit"][i]), 4),
                "ndcg10": round(float(win[h]["ndcg"][i]), 4),
            }
            for name, win in windows.items()
        },
        "grid": {k: list(v) for k, v in GRID.items()} | {"repeat_half_life_days": list(HALF_LIVES)},
    }


def evaluate(w: World, tg: dict[str, set[int]], weights_file: Path | None) -> dict:
    idx = w.engine.index
    n = len(idx.products)
    shoppers = w.shoppers
    shoppers.settings = dataclasses.replace(shoppers.settings, blend_weights=weights_file)
    models = ["popularity", "recent popularity", "repeat purchase", "item-kNN co-purchase", "embedding profile"]
    res: dict[str, list] = {m: [] for m in [*models, "shopmate (full system)"]}
    cold: dict[str, list] = {"shopmate (full system)": []}
    cold_raw: list[tuple] = []
    seg_share = segment_shares(w)
    for cust, target in tg.items():
        sid = f"retail-{cust}"
        prof = shoppers.profile(sid)
        if prof is None:
            continue
        own = w.own[cust]
        own_s = np.zeros(n)
        for r, k in own.items():
            own_s[r] = k + 1e-3 * w.pop[r] / max(w.pop.max(), 1)
        anchors = {r: math.log1p(k) for r, k in own.items()}
        kn, _ = w.history.together(anchors, n)
        pv = prof.vector()
        emb = idx.vectors @ pv if pv is not None else np.zeros(n)
        pad = w.pop / max(w.pop.max(), 1) * 1e-6  # ties and short lists filled by popularity
        lists = {
            "popularity": top(w.pop, 20),
            "recent popularity": top(w.recent + pad, 20),
            "repeat purchase": top(own_s + pad, 20),
            "item-kNN co-purchase": top(kn + pad, 20, set(own)),
            "embedding profile": top(emb, 20),
        }
        for m, ranked in lists.items():
            res[m].append(hit_ndcg_recall(ranked, target))
        feed = [it["row"] for it in recommendations(shoppers, w.engine, sid, {}, 20)]
        res["shopmate (full system)"].append(hit_ndcg_recall(feed, target))
        nb = n_baskets(prof)
        if 1 <= nb <= 2:
            got = unit_parts(w, cust)
            if got is not None:
                sig = signals(shoppers, w.engine, sid, {})
                seg = shoppers.segment_of(sid)
                served = sig.segment_pop if sig.segment_pop is not None else np.zeros(n)
                share = seg_share.get(seg["id"]) if seg is not None else None
                pop_only = got[0]["popularity"] / max(got[0]["popularity"].max(), 1e-9)
                cold_raw.append((pop_only, served, share if share is not None else np.zeros(n), target))
                cold["shopmate (full system)"].append(hit_ndcg_recall(feed, target)[0])
    table = {
        m: {
            "hit@10": round(float(np.mean([v[0] for v in vals])), 3),
            "ndcg@10": round(float(np.mean([v[1] for v in vals])), 3),
            "recall@20": round(float(np.mean([v[2] for v in vals])), 3),
            "customers": len(vals),
        }
        for m, vals in res.items()
        if vals
    }
    cold_hits = {m: round(float(np.mean(v)), 3) for m, v in cold.items() if v}
    return {"next_basket": table, "cold_start": cold_hits | {"customers": len(cold_raw)}, "_cold": cold_raw}


COLD_WEIGHTS = (0.1, 0.25, 0.5, 1.0, 2.0)
PRIORS = {"served segment prior (share x log lift)": 1, "popular within the segment (share)": 2}


def segment_shares(w: World) -> dict[int, np.ndarray]:
    """Per segment: the share of its members who bought each row (popularity inside the segment)."""
    n = len(w.pop)
    buys: dict[int, np.ndarray] = defaultdict(lambda: np.zeros(n))
    size: Counter = Counter()
    for cust, own in w.own.items():
        seg = w.shoppers.segment_of(f"retail-{cust}")
        if seg is None:
            continue
        size[seg["id"]] += 1
        rows = np.fromiter(own, np.int64)
        buys[seg["id"]][rows] += 1
    return {s: v / max(float(v.max()), 1.0) for s, v in buys.items() if size[s]}


def cold_start(res: dict, chosen: dict[str, float] | None) -> dict[str, float]:
    """Customers with 1-2 earlier invoices: popularity alone vs each segment prior + popularity, the prior's
    weight chosen on the validation split (chosen=None: choose here) and kept for the test split."""
    raw = res.pop("_cold")
    out = res["cold_start"]
    out["popularity"] = round(float(np.mean([hit_ndcg_recall(top(p, 10), t)[0] for p, _, _, t in raw])), 3)
    pick = dict(chosen or {})

    def hit(i: int, lam: float) -> float:
        return float(np.mean([hit_ndcg_recall(top(r[0] + lam * r[i], 10), r[3])[0] for r in raw]))

    for name, i in PRIORS.items():
        lam = pick.get(name)
        if lam is None:
            scored = [(hit(i, x), -x) for x in COLD_WEIGHTS]  # ties: the smaller weight
            lam = pick[name] = -max(scored)[1]
        out[f"{name} + popularity"] = round(hit(i, lam), 3)
    out["prior_weight"] = pick
    return pick


def fit_search(w: World, tg: dict[str, set[int]], limit: int) -> dict:
    """The search-time strengths of repeat and co-purchase, chosen by hit@10 on validation customers."""
    keys = list(SEARCH_GRID)
    best, best_hit = {}, -1.0
    tried = []
    for vals in np.array(np.meshgrid(*SEARCH_GRID.values())).T.reshape(-1, len(keys)):
        changes = {k: float(v) for k, v in zip(keys, vals, strict=True)}
        hit = eval_search(w, tg, limit, changes, timed=False)["hit@10"]["personalized"]
        tried.append({**changes, "hit@10": hit})
        if hit > best_hit:
            best, best_hit = changes, hit
    return {"weights": best, "hit10": best_hit, "tried": tried, "queries": min(limit, len(tg))}


def shop_bestsellers(w: World, changes: dict | None = None) -> Reranker:
    """An anonymous search given the shop's all-time best sellers at the personalized search's weight: the
    non-personal part of what a shopper with history gets, so the personal part of the lift can be read off."""
    sig = signals(w.shoppers, w.engine, None, {})
    hist = history_of(w.shoppers, w.engine)
    sig.bestseller, sig.buyers = hist.bestseller, hist.rates.buyers
    fitted = weights_for(w.shoppers, 0, **(changes or {}))
    weights = dataclasses.replace(fitted, bestseller=fitted.search_bestseller)
    return personalize.make_reranker(w.engine.index.vectors, w.engine.products, sig, 0.0, weights)


def eval_search(w: World, tg: dict[str, set[int]], limit: int, changes: dict | None = None, timed: bool = True) -> dict:
    """Search each held-out item's product noun as the customer and anonymously; hit@10 of that item."""
    idx = w.engine.index
    arms = ("anonymous", "anonymous + shop best sellers", "personalized")
    hits = dict.fromkeys(arms, 0)
    lat: dict[str, list[float]] = {a: [] for a in arms}
    n = 0
    for cust, target in list(tg.items())[:limit]:
        sid = f"retail-{cust}"
        row = min(target)  # one held-out item per customer, chosen without looking at rankings
        q = product_noun(idx.products[row].title)
        w.engine.search(q, k=10)  # warm: the query embedding is cached for both timed calls alike
        for who, s in (("anonymous", None), ("anonymous + shop best sellers", None), ("personalized", sid)):
            if who != "personalized" and not timed:
                continue
            t0 = time.perf_counter()
            if who == "anonymous + shop best sellers":
                rr = shop_bestsellers(w, changes)
            else:
                rr = personalize_for(w.shoppers, w.engine, s, {}, q, None, weight_changes=changes)
            got = [h.row for h in w.engine.search(q, k=10, rerank=rr).hits]
            lat[who].append(time.perf_counter() - t0)
            hits[who] += row in got
        n += 1
    if not timed:
        return {"queries": n, "hit@10": {"personalized": round(hits["personalized"] / max(n, 1), 3)}}
    timed_arms = ("anonymous", "personalized")  # the served paths; the best-seller arm is a reading aid
    return {
        "queries": n,
        "hit@10": {k: round(v / max(n, 1), 3) for k, v in hits.items()},
        "p99_ms": {k: round(float(np.percentile(lat[k], 99)) * 1000, 1) for k in timed_arms},
        "p50_ms": {k: round(float(np.percentile(lat[k], 50)) * 1000, 1) for k in timed_arms},
    }


def stage(what: str, t0: float) -> None:
    print(f"[{time.perf_counter() - t0:7.1f}s] {what}", file=sys.stderr, flush=True)


def goals(res: dict) -> dict:
    """The issue's goals: the system against the best single baseline and popularity; search lift."""
    nb = res["next_basket"]
    best_single = max(v["hit@10"] for m, v in nb.items() if m != "shopmate (full system)")
    sysv = nb["shopmate (full system)"]["hit@10"]
    hit = res["search"]["hit@10"]
    return {
        "system_vs_best_single_hit10": round(sysv / max(best_single, 1e-9), 3),
        "system_vs_popularity_hit10": round(sysv / max(nb["popularity"]["hit@10"], 1e-9), 3),
        "search_personalized_vs_anonymous": round(hit["personalized"] / max(hit["anonymous"], 1e-9), 3),
        "search_personalized_vs_anonymous_with_best_sellers": round(
            hit["personalized"] / max(hit["anonymous + shop best sellers"], 1e-9), 3
        ),
    }


def eval_fbt(w: World, lines: list[Line], start: float, limit: int) -> dict:
    """Given the first item of a held-out basket (2+ items), recall@10 of the rest."""
    idx = w.engine.index
    n = len(idx.products)
    baskets: dict[tuple[str, str], list[int]] = defaultdict(list)
    for ln in lines:
        if ln.ts >= start:
            r = idx.id_to_row[ln.product_id]
            if r not in baskets[(ln.customer, ln.invoice)]:
                baskets[(ln.customer, ln.invoice)].append(r)
    rec: dict[str, list[float]] = {"co-purchase": [], "embedding nearest": [], "popularity": []}
    for items in [b for b in baskets.values() if len(b) >= 2][:limit]:
        given, rest = items[0], set(items[1:])
        kn, _ = w.history.together({given: 1.0}, n)
        pad = w.pop / max(w.pop.max(), 1) * 1e-6
        for m, s in (
            ("co-purchase", kn + pad),
            ("embedding nearest", idx.vectors @ idx.vectors[given]),
            ("popularity", w.pop),
        ):
            got = top(s, 10, {given})
            rec[m].append(len(set(got) & rest) / min(len(rest), 10))
    return {m: round(float(np.mean(v)), 3) for m, v in rec.items()} | {"baskets": len(rec["popularity"])}


DEFAULT_LOG = ROOT.parent / "shared" / "data" / "online-retail" / "online_retail.csv.gz"
QUICK_SLICE = ROOT / "tests" / "fixtures" / "retail" / "slice.csv"


def main(argv: list[str] | None = None, embedder: Embedder | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log", default=str(DEFAULT_LOG), help="the UCI Online Retail table as CSV (.gz)")
    ap.add_argument("--retail-index", default=str(ROOT / "bench" / "tmp" / "retail-index"), help="built if missing")
    ap.add_argument("--customers", type=int, default=400, help="customers per split (sampled, seeded)")
    ap.add_argument("--fit-customers", type=int, default=0, help="validation customers to fit on (0: all)")
    ap.add_argument("--quick", action="store_true", help="smoke run on the committed slice (not a measurement)")
    ap.add_argument("--fit", action="store_true", help="fit blend weights on the validation split")
    ap.add_argument("--weights", default=str(ROOT / "data" / "retail" / "blend_weights.json"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "basket_eval.json"))
    a = ap.parse_args(argv)
    a.val0, a.val, a.split = VAL0, VAL, SPLIT
    with tempfile.TemporaryDirectory() as tmp:
        if a.quick:  # a smoke run on the committed 8-customer slice of the log: it runs everything, measures nothing
            a.customers, a.log = 150, str(QUICK_SLICE)
            a.retail_index = str(quick_index(Path(tmp), embedder := embedder or Embedder(), a))
        return _main(a, embedder)


def quick_index(tmp: Path, embedder: Embedder, a: argparse.Namespace) -> Path:
    """Index only the slice's products; split at the slice's own 40% / 70% invoice dates."""
    rows = list(csv.DictReader(QUICK_SLICE.open(encoding="utf-8")))
    prods = products_from(rows)
    with (tmp / "products.csv").open("w", encoding="utf-8", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=list(prods[0]))
        wr.writeheader()
        wr.writerows(prods)
    build_index(tmp / "products.csv", tmp / "index", embedder, Mapping.load(MAPPING))
    days = sorted({r["InvoiceDate"][:10] for r in rows if r["CustomerID"] and r["InvoiceDate"][:4].isdigit()})
    a.val0, a.val, a.split = (days[int(len(days) * f)] for f in (0.25, 0.45, 0.7))
    a.fit = True
    a.weights = str(tmp / "weights.json")
    return tmp / "index"


def _main(a: argparse.Namespace, embedder: Embedder | None) -> int:
    if not Path(a.log).exists():
        reason = f"purchase log not found: {a.log} (see data/retail/SOURCE.md)"
        print(json.dumps({"status": "skipped", "reason": reason}))
        return 0
    embedder = embedder or Embedder()
    index_dir = Path(a.retail_index)
    if not (index_dir / "CURRENT").exists():
        build_index(CATALOG, index_dir, embedder, Mapping.load(MAPPING))
    a.index_dir = index_dir
    print(json.dumps(run(a, embedder), indent=1))
    return 0


def day(ts: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


def sample(tg: dict[str, set[int]], rng: np.random.Generator, n: int) -> dict[str, set[int]]:
    """n customers (0: all), seeded."""
    keep = sorted(tg)
    keep = [keep[i] for i in rng.permutation(len(keep))[: n or len(keep)]]
    return {c: tg[c] for c in keep}


def run(a: argparse.Namespace, embedder: Embedder | None = None) -> dict:
    limit_compute_threads(Settings.from_env(env={}).compute_threads)  # as the server runs: one BLAS thread
    embedder = embedder or Embedder()
    t_start = time.perf_counter()
    index_dir = Path(a.index_dir)
    id_to_row = load_index(index_dir, embedder.name, embedder.dim).id_to_row
    summary = Summary()
    lines = list(read_lines(numbered_rows(Path(a.log)), id_to_row.__contains__, summary))
    rng = np.random.default_rng(19)
    VAL, SPLIT = a.val, a.split
    val0_t, val_t, split_t = (parse_time(d + " 00:00") for d in (a.val0, VAL, SPLIT))
    weights_file = Path(a.weights)
    cold_weights: dict[str, float] | None = None
    out: dict = {
        "data": f"UCI Online Retail: {a.log}",
        "split": {
            "fit": f"two windows: history < {a.val0}, target in [{a.val0}, {VAL}); history < {VAL}, target in "
            f"[{VAL}, {SPLIT})",
            "validation": f"history < {VAL}, target = first invoice in [{VAL}, {SPLIT})",
        },
    }
    out["split"]["test"] = f"history < {SPLIT}, target = first invoice on/after {SPLIT}"
    with tempfile.TemporaryDirectory() as tmp:
        w = World(lines, val0_t if a.fit else split_t, index_dir, embedder, Path(tmp))
        if a.fit:
            # every validation customer by default: 400 leave a standard error of ~0.02 on hit@10, more than
            # the differences the fit has to choose between
            combos = combos_of(GRID)
            wm = weight_matrix(combos)
            windows = {}
            for name, start, end in (("early", val0_t, val_t), ("late", val_t, split_t)):
                if start != w.cutoff:
                    w.advance(lines, start)
                tg = sample(targets(lines, start, end, w.engine.index.id_to_row), rng, a.fit_customers)
                stage(f"{name} validation world replayed ({len(tg)} customers)", t_start)
                windows[f"{name}: history < {day(start)}, target in [{day(start)}, {day(end)})"] = window_scores(
                    w, tg, Path(tmp), wm
                )
            fitted = choose(windows, combos)
            stage(f"feed weights fitted over {len(combos)} x {len(HALF_LIVES)}: {fitted['weights']}", t_start)
            fit_file = Path(tmp) / "fitted.json"
            fit_file.write_text(json.dumps({"weights": fitted["weights"]}))
            use_weights(w, fit_file)
            searched = fit_search(w, tg, min(a.customers, 400))
            stage(f"search weights fitted: {searched['weights']}", t_start)
            weights = fitted["weights"] | searched["weights"]
            weights_file.write_text(
                json.dumps(
                    {"fitted_on": out["split"]["fit"], "weights": weights, "fit": fitted, "search": searched},
                    indent=1,
                )
                + "\n"
            )
            out["fitted"] = fitted
            out["fitted_search"] = searched
            # the validation split, every baseline side by side with the fitted system (what the fit saw)
            out["validation"] = evaluate(w, tg, weights_file)
            out["validation"]["search"] = eval_search(w, tg, min(a.customers, 400))
            cold_weights = cold_start(out["validation"], None)
            stage("validation evaluated", t_start)
            w.advance(lines, split_t)
        tg = targets(lines, split_t, float("inf"), w.engine.index.id_to_row)
        keep = sorted(tg)
        keep = [keep[i] for i in np.random.default_rng(20).permutation(len(keep))[: a.customers]]
        tg = {c: tg[c] for c in keep}
        out["replay"] = {"events": w.imported, "seconds": round(w.replay_s, 1)}
        out["segments"] = [{"name": s["name"], "size": s["size"]} for s in w.segments.values()]
        out |= evaluate(w, tg, weights_file if weights_file.exists() else None)
        cold_start(out, cold_weights)
        stage("test evaluated", t_start)
        out["search"] = eval_search(w, tg, min(a.customers, 400))
        out["fbt"] = eval_fbt(w, lines, split_t, min(a.customers, 1000))
        w.close()
    out["goals"] = goals(out)
    if "validation" in out:
        out["validation"]["goals"] = goals(out["validation"])
    out["buckets"] = list(HISTORY_BUCKETS)
    out["seconds"] = round(time.perf_counter() - t_start, 1)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1) + "\n")
    return out


if __name__ == "__main__":
    sys.exit(main())
