"""Cold start on the real purchase log (scripts/eval_basket.py): customers with 1-2 earlier invoices, popularity
alone against each segment prior + popularity, the prior's weight chosen on validation and kept for the test split."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from scripts.basket_world import World, hit_ndcg_recall, top

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


def keep_cold_weights(weights_file: Path, chosen: dict[str, float]) -> None:
    """The cold-start prior weights chosen on validation, kept in the weights file so that a run without --fit
    (make bench) reuses them instead of choosing on the test split."""
    kept = json.loads(weights_file.read_text())
    kept["cold_prior_weight"] = chosen
    weights_file.write_text(json.dumps(kept, indent=1) + "\n")
