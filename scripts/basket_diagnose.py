"""Why the served feed and the customers' own most-bought list part ways, on the three validation windows of
scripts/eval_basket.py (never the test split).

Per customer whose next order only one of the two top-10 lists hits: which kind of swap decided it (the hit item
bought as often as, more often or less often than the items the other list showed instead, or never bought), the
served term that lifted the feed's items above the hit item they pushed out, and the customer's history length.
Then the fit rule's margin (`basket_fit.margin`) of the fitted blend against the same blend with the shopper's own
strongly re-bought items protected (a term on the own purchase count, or a hard floor), so a fix of the class is
judged as the fit judges any weight.

    python scripts/basket_diagnose.py [--log online_retail.csv.gz] [--retail-index DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from assistant.api.app import limit_compute_threads  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.shoppers.recommend import recommendations, weights_for  # noqa: E402
from index.embedder import Embedder  # noqa: E402
from index.store import load_index  # noqa: E402
from scripts.basket_fit import FIT_DEPTH, PARTS, grid_scores, margin, most_bought, unit_parts, use_weights  # noqa: E402
from scripts.basket_world import DEFAULT_LOG, SPLIT, SPRING, VAL, VAL0, World, day, targets  # noqa: E402
from scripts.import_events import Summary, numbered_rows, parse_time, read_lines  # noqa: E402

SWAPS = ("as often", "more often", "less often", "never bought", "swapped for a never-bought item")
DRIVERS = {"popularity": "feed_popularity", "repeat": "repeat", "share": "basket_share", "neighbours": "neighbours"}
HISTORY = ((1, 2), (3, 5), (6, 10**9))  # the shopper's orders
PROTECT = (0.02, 0.05, 0.1, 0.2, 1.0)  # weight of the own purchase count (one purchase = 1) added to the blend
FLOORS = (0.25, 0.5)  # hard protection: bought 2+ times and in at least this share of the orders goes first


def own_top(own: Counter, pop: np.ndarray, k: int = 10) -> list[int]:
    """The customer's most-bought rows, the shop's popularity breaking ties and filling (as the baseline)."""
    s = pop / max(float(pop.max()), 1.0) * 1e-3
    for r, n in own.items():
        s[r] += n
    return [int(r) for r in np.argsort(-s, kind="stable")[:k]]


def swap(hit_list: list[int], other: list[int], target: set[int], own: Counter) -> str:
    """How the list that hits differs from the one that misses: its first hit item against the items the other list
    shows in its place (the fewest-bought of them), by the customer's own purchase counts."""
    x = next(r for r in hit_list[:10] if r in target)
    instead = [own.get(r, 0) for r in other[:10] if r not in hit_list[:10]]
    if own.get(x, 0) == 0:
        return "never bought"
    if not instead or min(instead) == 0:
        return "swapped for a never-bought item"
    low = min(instead)
    return "as often" if own[x] == low else "more often" if own[x] > low else "less often"


def driver(row: int, over: int, parts: dict[str, np.ndarray], weights: dict[str, float]) -> str:
    """The served term that lifts `row` most above `over` (the item it displaced): the largest weighted difference."""
    got = {name: (float(parts[name][row]) - float(parts[name][over])) * weights[key] for name, key in DRIVERS.items()}
    return max(got, key=got.__getitem__)


def history_of_orders(n: int) -> str:
    lo, hi = next(b for b in HISTORY if b[0] <= n <= b[1])
    return f"{lo}+ orders" if hi >= 10**9 else f"{lo}-{hi} orders"


def protected(mat: np.ndarray, count: np.ndarray, share: np.ndarray, floor: float) -> np.ndarray:
    """The blend's terms with a last row that puts own rows bought 2+ times in >= floor of the orders first."""
    return np.vstack([mat, ((count >= 2) & (share >= floor)) * 100.0])


def window(w: World, tg: dict[str, set[int]], weights_file: Path) -> dict:
    """One validation window: outcomes, swaps, drivers and history length; the protection variants' scores."""
    use_weights(w, weights_file)
    served = dataclasses.asdict(weights_for(w.shoppers, 1))
    vec = np.array([served["feed_popularity"], served["profile"], served["profile"] * served["segment"]])
    vec = np.concatenate([vec, [served[k] for k in ("repeat", "rebuy", "together", "bestseller", "neighbours")]])
    vec = np.append(vec, served["basket_share"])  # PARTS order
    assert len(vec) == len(PARTS)
    tally: Counter = Counter()
    by_history: dict[str, Counter] = {}
    items: dict[str, list] = {"count": [], **{f"floor {f:g}": [] for f in FLOORS}}
    kept = {}
    for cust, target in tg.items():
        sid = f"retail-{cust}"
        prof = w.shoppers.profile(sid)
        got = unit_parts(w, cust) if prof is not None else None
        if got is None:
            continue
        kept[cust] = target
        parts, dropped, nb = got
        own = w.own[cust]
        feed = [it["row"] for it in recommendations(w.shoppers, w.engine, sid, {}, 10)]
        base = own_top(own, w.pop)
        f_hit, b_hit = any(r in target for r in feed), any(r in target for r in base)
        hist = by_history.setdefault(history_of_orders(nb), Counter())
        hist["customers"] += 1
        hist["feed hits"] += f_hit
        hist["most-bought hits"] += b_hit
        if f_hit != b_hit:
            side = "feed only" if f_hit else "most-bought only"
            tally[(side, swap(feed if f_hit else base, base if f_hit else feed, target, own))] += 1
            if b_hit:  # what lifted the feed's items above the baseline's hit item it pushed out
                lost = next(r for r in base if r in target)
                for r in feed:
                    if r not in base:
                        tally[("pushed out by", driver(r, lost, parts, served))] += 1
        count = np.zeros(len(w.pop))
        count[list(own)] = list(own.values())
        mat = np.stack([parts[k] for k in PARTS] + [count])
        mat[:, dropped] = -np.inf
        cols = np.unique(np.argsort(-mat, axis=1, kind="stable")[:, :FIT_DEPTH])
        cols = cols[~dropped[cols]]
        is_t = np.isin(cols, list(target))
        items["count"].append((mat[:, cols].astype(np.float32), is_t, len(target)))
        for f in FLOORS:
            m = protected(mat[: len(PARTS)], count, parts["share"], f)
            items[f"floor {f:g}"].append((m[:, cols].astype(np.float32), is_t, len(target)))
    base_hit, base_ndcg = most_bought(w, kept)
    wm = np.array([np.append(vec, c) for c in (0.0, *PROTECT)])
    hit, ndcg = grid_scores(items["count"], wm)
    variants = {"fitted blend": (hit[0], ndcg[0])}
    variants |= {f"+ {c:g} x own purchase count": (hit[i + 1], ndcg[i + 1]) for i, c in enumerate(PROTECT)}
    for f in FLOORS:
        h, n = grid_scores(items[f"floor {f:g}"], np.array([np.append(vec, 1.0)]))
        variants[f"bought 2+ times in >= {f:g} of the orders first"] = (h[0], n[0])
    return {
        "customers": len(kept),
        "most_bought": {"hit10": round(base_hit, 4), "ndcg10": round(base_ndcg, 4)},
        "variants": {
            k: {"hit10": round(float(h), 4), "ndcg10": round(float(n), 4), "_raw": (float(h), float(n))}
            for k, (h, n) in variants.items()
        },
        "decided_by": {f"{a}: {b}": n for (a, b), n in sorted(tally.items())},
        "by_history": {k: dict(v) for k, v in sorted(by_history.items())},
        "_base": (base_hit, base_ndcg),
    }


def rule_margins(windows: dict[str, dict]) -> dict[str, float]:
    """Per variant, the fit rule's worst-window margin over most-bought (the smaller of hit@10 and nDCG@10)."""
    names = next(iter(windows.values()))["variants"]
    out = {}
    for name in names:
        worst = min(
            float(
                margin(
                    {
                        "hit": np.array([win["variants"][name]["_raw"][0]]),
                        "ndcg": np.array([win["variants"][name]["_raw"][1]]),
                        "most_bought": win["_base"][0],
                        "most_bought_ndcg": win["_base"][1],
                    }
                )[0]
            )
            for win in windows.values()
        )
        out[name] = round(worst, 4)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log", default=str(DEFAULT_LOG))
    ap.add_argument("--retail-index", default=str(ROOT / "bench" / "tmp" / "retail-index"))
    ap.add_argument("--weights", default=str(ROOT / "data" / "retail" / "blend_weights.json"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "basket_diagnosis.json"))
    a = ap.parse_args(argv)
    if not Path(a.log).exists():
        print(json.dumps({"status": "skipped", "reason": f"purchase log not found: {a.log}"}))
        return 0
    limit_compute_threads(Settings.from_env(env={}).compute_threads)
    embedder = Embedder()
    index_dir = Path(a.retail_index)
    id_to_row = load_index(index_dir, embedder.name, embedder.dim).id_to_row
    lines = list(read_lines(numbered_rows(Path(a.log)), id_to_row.__contains__, Summary()))
    cuts = [parse_time(d + " 00:00") for d in (SPRING, VAL0, VAL, SPLIT)]
    windows = {}
    with tempfile.TemporaryDirectory() as tmp:
        w = World(lines, cuts[0], index_dir, embedder, Path(tmp))
        for start, end in itertools.pairwise(cuts):
            if start != w.cutoff:
                w.advance(lines, start)
            name = f"history < {day(start)}, target in [{day(start)}, {day(end)})"
            windows[name] = window(w, targets(lines, start, end, id_to_row), Path(a.weights))
        w.close()
    out = {"windows": windows, "rule_margin": rule_margins(windows)}
    for win in windows.values():
        del win["_base"]
        for v in win["variants"].values():
            del v["_raw"]
    Path(a.out).write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
