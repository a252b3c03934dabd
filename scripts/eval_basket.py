"""Personalization on a real purchase log (UCI Online Retail, the retail demo shop): next-basket
recommendation, personalized search, cold start and frequently-bought-together, baselines side by side.

Temporal split (the log's own dates; nothing shifted):
- fit (--fit): three validation windows, history before 2011-03-01 / target in [2011-03-01, 2011-05-01),
  history before 2011-05-01 / target in [2011-05-01, 2011-07-01) and history before 2011-07-01 / target in
  [2011-07-01, 2011-09-01). One small weight set for every shopper (a per-history-bucket grid overfit), the
  repeat decay among them, chosen by the worst window's margin over the customers' own most-bought items on the
  weaker of hit@10 and nDCG@10 (`basket_fit.choose`), so a signal that only wins one season (recent popularity
  in summer), or a blend that finds as much but orders it worse, is not kept.
- validation (reported): the later window, history before 2011-07-01, target = each customer's first
  invoice in [2011-07-01, 2011-09-01); the search weights are fitted there.
- test: history = invoices before 2011-09-01, target = each customer's first invoice on/after 2011-09-01.
The history is replayed through the real event store (`scripts/import_events.replay` -> `Shoppers.record`)
with the clock set to the split; the full system is `recommendations()` (GET /api/recommendations) and
`personalize_for` + `SearchEngine.search` (GET /api/search), exactly as served.

    python scripts/eval_basket.py [--log online_retail.csv.gz] [--retail-index DIR] [--customers 400]
                                  [--fit [--fit-customers N]] [--search-only [--keep-search-weights] | --feed-only]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

from assistant.api.app import limit_compute_threads  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.shoppers.recommend import (  # noqa: E402
    HISTORY_BUCKETS,
    _fitted,
)
from index.build import build_index  # noqa: E402
from index.catalog import Mapping  # noqa: E402
from index.embedder import Embedder  # noqa: E402
from index.store import load_index  # noqa: E402
from scripts.basket_cold import PRIORS, cold_start, keep_cold_weights  # noqa: E402
from scripts.basket_fit import (  # noqa: E402
    GRID,
    TERM_SETTINGS,
    choose,
    combos_of,
    use_weights,
    weight_matrix,
    window_scores,
)
from scripts.basket_next import evaluate  # noqa: E402
from scripts.basket_search import eval_fbt, eval_search, fit_search, fit_search_anonymous, goals  # noqa: E402
from scripts.basket_world import (  # noqa: E402
    CATALOG,
    DEFAULT_LOG,
    MAPPING,
    QUICK_SLICE,
    SPLIT,
    SPRING,
    VAL,
    VAL0,
    World,
    day,
    sample,
    stage,
    targets,
    test_targets,
)
from scripts.import_events import Line, Summary, numbered_rows, parse_time, read_lines  # noqa: E402
from scripts.prepare_retail import products_from  # noqa: E402

__all__ = ["PRIORS", "cold_start", "keep_cold_weights", "main"]  # the cold-start helpers, as the tests import them


def main(argv: list[str] | None = None, embedder: Embedder | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log", default=str(DEFAULT_LOG), help="the UCI Online Retail table as CSV (.gz)")
    ap.add_argument("--retail-index", default=str(ROOT / "bench" / "tmp" / "retail-index"), help="built if missing")
    ap.add_argument("--customers", type=int, default=400, help="customers per split (sampled, seeded; 0: all)")
    ap.add_argument("--fit-customers", type=int, default=0, help="validation customers to fit on (0: all)")
    ap.add_argument("--quick", action="store_true", help="smoke run on the committed slice (not a measurement)")
    ap.add_argument("--fit", action="store_true", help="fit blend weights on the validation split")
    ap.add_argument(
        "--search-only",
        action="store_true",
        help="refit only the search weights, rerun only the search arms; keep the feed's weights and --out's figures",
    )
    ap.add_argument(
        "--keep-search-weights",
        action="store_true",
        help="with --search-only: rerun the search arms with the search weights as fitted (after a feed refit that "
        "changes what the shopper's purchase terms hold)",
    )
    ap.add_argument(
        "--feed-only",
        action="store_true",
        help="refit only the feed weights, rerun only next basket and cold start; keep the search weights and --out's "
        "search and frequently-bought-together figures",
    )
    ap.add_argument("--weights", default=str(ROOT / "data" / "retail" / "blend_weights.json"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "basket_eval.json"))
    a = ap.parse_args(argv)
    a.spring, a.val0, a.val, a.split = SPRING, VAL0, VAL, SPLIT
    if a.feed_only:
        a.fit = True
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
    a.spring, a.val0, a.val, a.split = (days[int(len(days) * f)] for f in (0.15, 0.3, 0.45, 0.7))
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
    print(json.dumps(run_search(a, embedder) if a.search_only else run(a, embedder), indent=1))
    return 0


def run_search(a: argparse.Namespace, embedder: Embedder) -> dict:
    """--search-only: refit the search weights (a shopper's, then the anonymous best-seller weight) on the validation
    customers the full fit uses (same seeded draws), then the search arms on validation and test; the feed's
    weights and figures are kept."""
    t_start = time.perf_counter()
    id_to_row = load_index(a.index_dir, embedder.name, embedder.dim).id_to_row
    lines = list(read_lines(numbered_rows(Path(a.log)), id_to_row.__contains__, Summary()))
    rng = np.random.default_rng(19)
    spring_t, val0_t, val_t, split_t = (parse_time(d + " 00:00") for d in (a.spring, a.val0, a.val, a.split))
    for start, end in ((spring_t, val0_t), (val0_t, val_t)):  # the earlier windows' draws, as in --fit
        sample(targets(lines, start, end, id_to_row), rng, a.fit_customers)
    weights_file, out_file = Path(a.weights), Path(a.out)
    out = json.loads(out_file.read_text())
    with tempfile.TemporaryDirectory() as tmp:
        w = World(lines, val_t, a.index_dir, embedder, Path(tmp))
        use_weights(w, weights_file)
        tg = sample(targets(lines, val_t, split_t, id_to_row), rng, a.fit_customers)
        stage(f"validation world replayed ({len(tg)} customers)", t_start)
        if not a.keep_search_weights:
            searched = fit_search(w, tg, min(a.customers or 400, 400))
            stage(f"search weights fitted: {searched['weights']}", t_start)
            anonymous = fit_search_anonymous(w, tg, min(a.customers or 400, 400))
            stage(f"anonymous search weight fitted: {anonymous['weights']}", t_start)
            data = json.loads(weights_file.read_text())
            data["weights"] |= searched["weights"] | anonymous["weights"]
            data["search"], data["search_anonymous"] = searched, anonymous
            weights_file.write_text(json.dumps(data, indent=1) + "\n")
            _fitted.cache_clear()  # the same path, new content
            out["fitted_search"], out["fitted_search_anonymous"] = searched, anonymous
        out["validation"]["search"] = eval_search(w, tg, min(a.customers or 400, 400))
        stage("validation search evaluated", t_start)
        w.advance(lines, split_t)
        tg = targets(lines, split_t, float("inf"), id_to_row)
        keep = sorted(tg)
        keep = [keep[i] for i in np.random.default_rng(20).permutation(len(keep))[: a.customers or None]]
        out["search"] = eval_search(w, {c: tg[c] for c in keep}, min(a.customers or 400, 400))
        stage("test search evaluated", t_start)
        w.close()
    out["goals"] = goals(out)
    out["validation"]["goals"] = goals(out["validation"])
    out["search_only_seconds"] = round(time.perf_counter() - t_start, 1)
    out_file.write_text(json.dumps(out, indent=1) + "\n")
    return out


def feed_only(
    a: argparse.Namespace,
    w: World,
    lines: list[Line],
    tg: dict[str, set[int]],
    out: dict,
    weights_file: Path,
    split_t: float,
    t_start: float,
) -> dict:
    """--feed-only, after the feed fit: next basket and cold start on validation, then once on test; the search and
    frequently-bought-together figures (which the feed weights do not move) are kept from --out."""
    prev = json.loads(Path(a.out).read_text()) if Path(a.out).exists() else {}
    kept = {k: prev[k] for k in ("fitted_search", "fitted_search_anonymous", "search", "fbt") if k in prev}
    out["fitted"] = json.loads(weights_file.read_text())["fit"]
    out["validation"] = evaluate(w, tg, weights_file)
    if "search" in prev.get("validation", {}):
        out["validation"]["search"] = prev["validation"]["search"]
    cold_weights = cold_start(out["validation"], None)
    keep_cold_weights(weights_file, cold_weights)
    stage("validation evaluated", t_start)
    w.advance(lines, split_t)
    out["replay"] = {"events": w.imported, "seconds": round(w.replay_s, 1)}
    out["segments"] = [{"name": s["name"], "size": s["size"]} for s in w.segments.values()]
    out |= evaluate(w, test_targets(lines, split_t, w.engine.index.id_to_row, a.customers), weights_file)
    cold_start(out, cold_weights)
    stage("test evaluated", t_start)
    w.close()
    out |= kept
    if "search" in out:
        out["goals"] = goals(out)
        if "search" in out["validation"]:
            out["validation"]["goals"] = goals(out["validation"])
    out["buckets"] = list(HISTORY_BUCKETS)
    out["feed_only_seconds"] = round(time.perf_counter() - t_start, 1)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1) + "\n")
    return out


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
    spring_t, val0_t, val_t, split_t = (parse_time(d + " 00:00") for d in (a.spring, a.val0, VAL, SPLIT))
    weights_file = Path(a.weights)
    cold_weights: dict[str, float] | None = None
    out: dict = {
        "data": f"UCI Online Retail: {os.path.relpath(Path(a.log).resolve(), ROOT)}",  # no machine path
        "split": {
            "fit": f"three windows: history < {a.spring}, target in [{a.spring}, {a.val0}); history < {a.val0}, "
            f"target in [{a.val0}, {VAL}); history < {VAL}, target in [{VAL}, {SPLIT})",
            "validation": f"history < {VAL}, target = first invoice in [{VAL}, {SPLIT})",
        },
    }
    out["split"]["test"] = f"history < {SPLIT}, target = first invoice on/after {SPLIT}"
    with tempfile.TemporaryDirectory() as tmp:
        w = World(lines, spring_t if a.fit else split_t, index_dir, embedder, Path(tmp))
        if a.fit:
            # every validation customer by default: 400 leave a standard error of ~0.02 on hit@10, more than
            # the differences the fit has to choose between
            combos = combos_of(GRID)
            wm = weight_matrix(combos)
            windows = {}
            for name, start, end in (("spring", spring_t, val0_t), ("early", val0_t, val_t), ("late", val_t, split_t)):
                if start != w.cutoff:
                    w.advance(lines, start)
                tg = sample(targets(lines, start, end, w.engine.index.id_to_row), rng, a.fit_customers)
                stage(f"{name} validation world replayed ({len(tg)} customers)", t_start)
                windows[f"{name}: history < {day(start)}, target in [{day(start)}, {day(end)})"] = window_scores(
                    w, tg, Path(tmp), wm
                )
            fitted = choose(windows, combos)
            stage(f"feed weights fitted over {len(combos)} x {len(TERM_SETTINGS)}: {fitted['weights']}", t_start)
            if a.feed_only:
                kept = json.loads(weights_file.read_text())
                kept["fitted_on"], kept["fit"] = out["split"]["fit"], fitted
                kept["weights"] |= fitted["weights"]
                weights_file.write_text(json.dumps(kept, indent=1) + "\n")
                _fitted.cache_clear()  # the same path, new content
                return feed_only(a, w, lines, tg, out, weights_file, split_t, t_start)
            fit_file = Path(tmp) / "fitted.json"
            fit_file.write_text(json.dumps({"weights": fitted["weights"]}))
            use_weights(w, fit_file)
            searched = fit_search(w, tg, min(a.customers or 400, 400))
            stage(f"search weights fitted: {searched['weights']}", t_start)
            # the anonymous weight is fitted with the others at their fitted values (a new file: they are cached)
            fit_file = Path(tmp) / "fitted_search.json"
            fit_file.write_text(json.dumps({"weights": fitted["weights"] | searched["weights"]}))
            use_weights(w, fit_file)
            anonymous = fit_search_anonymous(w, tg, min(a.customers or 400, 400))
            weights = fitted["weights"] | searched["weights"] | anonymous["weights"]
            weights_file.write_text(
                json.dumps(
                    {
                        "fitted_on": out["split"]["fit"],
                        "weights": weights,
                        "fit": fitted,
                        "search": searched,
                        "search_anonymous": anonymous,
                    },
                    indent=1,
                )
                + "\n"
            )
            out["fitted"] = fitted
            out["fitted_search"] = searched
            out["fitted_search_anonymous"] = anonymous
            # the validation split, every baseline side by side with the fitted system (what the fit saw)
            out["validation"] = evaluate(w, tg, weights_file)
            out["validation"]["search"] = eval_search(w, tg, min(a.customers or 400, 400))
            cold_weights = cold_start(out["validation"], None)
            keep_cold_weights(weights_file, cold_weights)
            stage("validation evaluated", t_start)
            w.advance(lines, split_t)
        if cold_weights is None and weights_file.exists():  # chosen on validation by the last --fit
            cold_weights = json.loads(weights_file.read_text()).get("cold_prior_weight")
        tg = test_targets(lines, split_t, w.engine.index.id_to_row, a.customers)
        out["replay"] = {"events": w.imported, "seconds": round(w.replay_s, 1)}
        out["segments"] = [{"name": s["name"], "size": s["size"]} for s in w.segments.values()]
        out |= evaluate(w, tg, weights_file if weights_file.exists() else None)
        cold_start(out, cold_weights)
        if cold_weights is None:  # say so: the figure is then optimistic
            out["cold_start"]["prior_weight_chosen_on"] = "this split (no validation choice kept: run --fit)"
        stage("test evaluated", t_start)
        out["search"] = eval_search(w, tg, min(a.customers or 400, 400))
        out["fbt"] = eval_fbt(w, lines, split_t, min(a.customers or 1000, 1000))
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
