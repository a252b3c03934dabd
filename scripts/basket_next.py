"""Next-basket recommendation on the real purchase log (scripts/eval_basket.py): the served feed per customer
beside the popularity, recent popularity, repeat purchase, item-kNN and embedding-profile baselines, and the
cold-start customers' scores that basket_cold compares."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np

from assistant.shoppers.recommend import n_baskets, recommendations, signals
from scripts.basket_cold import segment_shares
from scripts.basket_fit import unit_parts
from scripts.basket_world import World, hit_ndcg_recall, top


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
