"""The shop as it stood at a split of the real purchase log (scripts/eval_basket.py): the splits' dates, the world
replayed through the real event store, the targets (each customer's first later invoice) and the ranking measures."""

from __future__ import annotations

import math
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

from assistant.search.engine import SearchEngine  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.shoppers.recommend import _HISTORY, history_of  # noqa: E402
from assistant.shoppers.segments import refresh  # noqa: E402
from assistant.shoppers.service import Shoppers  # noqa: E402
from index.embedder import Embedder  # noqa: E402
from index.store import load_index  # noqa: E402
from scripts.import_events import Line, replay  # noqa: E402

SPRING, VAL0, VAL, SPLIT = "2011-03-01", "2011-05-01", "2011-07-01", "2011-09-01"
CATALOG = ROOT / "data" / "retail" / "products.csv"
MAPPING = ROOT / "data" / "retail" / "retail.mapping.json"
SETTINGS = {"retention_days": 400, "popularity_half_life_days": 14.0, "segments_refresh_s": 0, "history_ttl_s": 10**6}
DEFAULT_LOG = ROOT.parent / "shared" / "data" / "online-retail" / "online_retail.csv.gz"
QUICK_SLICE = ROOT / "tests" / "fixtures" / "retail" / "slice.csv"


def hit_ndcg_recall(ranked: list[int], target: set[int]) -> tuple[float, float, float]:
    hit = float(any(r in target for r in ranked[:10]))
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(ranked[:10]) if r in target)
    idcg = sum(1.0 / math.log2(i + 2) for i in range(min(len(target), 10)))
    recall = len(set(ranked[:20]) & target) / len(target)
    return hit, dcg / idcg, recall


def top(scores: np.ndarray, k: int, exclude: set[int] | frozenset[int] = frozenset()) -> list[int]:
    order = np.argsort(-scores, kind="stable")[: k + len(exclude)]
    return [int(r) for r in order if r not in exclude and np.isfinite(scores[r])][:k]


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


def day(ts: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


def sample(tg: dict[str, set[int]], rng: np.random.Generator, n: int) -> dict[str, set[int]]:
    """n customers (0: all), seeded."""
    keep = sorted(tg)
    keep = [keep[i] for i in rng.permutation(len(keep))[: n or len(keep)]]
    return {c: tg[c] for c in keep}


def test_targets(lines: list[Line], split_t: float, id_to_row: dict[str, int], n: int) -> dict[str, set[int]]:
    """The test customers: n of those with an invoice on/after the split (seeded apart from the fit's draws; 0: all)."""
    tg = targets(lines, split_t, float("inf"), id_to_row)
    keep = sorted(tg)
    keep = [keep[i] for i in np.random.default_rng(20).permutation(len(keep))[: n if n > 0 else None]]
    return {c: tg[c] for c in keep}


def stage(what: str, t0: float) -> None:
    print(f"[{time.perf_counter() - t0:7.1f}s] {what}", file=sys.stderr, flush=True)
