"""Personalized search and frequently-bought-together on the real purchase log (scripts/eval_basket.py): each
held-out item's product noun searched as the customer and anonymously, the search-time weights fitted on validation
customers, and the issue's goals."""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np

from assistant.shoppers.recommend import personalize_for, warm_recent
from scripts.basket_world import World, top
from scripts.import_events import Line

SEARCH_GRID = {
    "search_profile": (0.0, 0.3),
    "search_repeat": (0.5, 1.0),
    "search_together": (0.15, 0.3, 0.6),
    "search_bestseller": (0.0, 0.3, 1.0, 2.0, 4.0, 8.0),
}
# history_ttl_s: the world is frozen at its cutoff and relearned when it advances (World.advance), never while timed
_GENERIC = {"small", "large", "medium", "mini", "jumbo", "set", "assorted", "design", "of", "and", "with", "the"}


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


def fit_search(w: World, tg: dict[str, set[int]], limit: int) -> dict:
    """The search-time strengths of repeat and co-purchase, chosen by hit@10 on validation customers."""
    keys = list(SEARCH_GRID)
    best, best_hit = {}, -1.0
    tried = []
    for vals in np.array(np.meshgrid(*SEARCH_GRID.values())).T.reshape(-1, len(keys)):
        changes = {k: float(v) for k, v in zip(keys, vals, strict=True)}
        hit = eval_search(w, tg, limit, changes, arms=("personalized",))["hit@10"]["personalized"]
        tried.append({**changes, "hit@10": hit})
        if hit > best_hit:
            best, best_hit = changes, hit
    return {"weights": best, "hit10": best_hit, "tried": tried, "queries": min(limit, len(tg))}


ANON_GRID = (0.0, 0.3, 1.0, 2.0, 4.0, 8.0, 16.0)  # search_bestseller_anonymous
NO_BEST = "anonymous without best sellers"


def fit_search_anonymous(w: World, tg: dict[str, set[int]], limit: int) -> dict:
    """The best sellers' strength in a search by a shopper without purchases, by anonymous hit@10 on validation
    customers (ties: the smaller weight)."""
    best, best_hit, tried = 0.0, -1.0, []
    for v in ANON_GRID:
        hit = eval_search(w, tg, limit, {"search_bestseller_anonymous": v}, arms=("anonymous",))["hit@10"]["anonymous"]
        tried.append({"search_bestseller_anonymous": v, "hit@10": hit})
        if hit > best_hit:
            best, best_hit = v, hit
    return {"weights": {"search_bestseller_anonymous": best}, "hit10": best_hit, "tried": tried}


def eval_search(
    w: World,
    tg: dict[str, set[int]],
    limit: int,
    changes: dict | None = None,
    arms: tuple[str, ...] = (NO_BEST, "anonymous", "personalized"),
) -> dict:
    """Search each held-out item's product noun as the customer and anonymously; hit@10 of that item. The arm
    without best sellers is the anonymous ranking before they were given to everyone (a reading aid)."""
    hits = dict.fromkeys(arms, 0)
    top3 = dict.fromkeys(arms, 0)  # where hit@10 has no room left (anonymous search already finds most), the
    first = dict.fromkeys(arms, 0)  # order within the page still can: the item first, in the first three
    rr: dict[str, float] = dict.fromkeys(arms, 0.0)
    lat: dict[str, list[float]] = {a: [] for a in arms}
    n = 0
    warm_recent(w.shoppers, w.engine, 300)  # the shoppers' terms warmed for the history and weights, as a shop serves
    for cust, target in list(tg.items())[:limit]:
        sid = f"retail-{cust}"
        row = min(target)  # one held-out item per customer, chosen without looking at rankings
        q = product_noun(w.engine.index.products[row].title)
        w.engine.search(q, k=10)  # warm: the query embedding is cached for every timed call alike
        for who in arms:
            ch = (changes or {}) | ({"search_bestseller_anonymous": 0.0} if who == NO_BEST else {})
            t0 = time.perf_counter()
            ranker = personalize_for(
                w.shoppers, w.engine, sid if who == "personalized" else None, {}, q, None, weight_changes=ch
            )
            got = [h.row for h in w.engine.search(q, k=10, rerank=ranker).hits]
            lat[who].append(time.perf_counter() - t0)
            hits[who] += row in got
            at = got.index(row) if row in got else None
            if at is not None:
                first[who] += at == 0
                top3[who] += at < 3
                rr[who] += 1.0 / (at + 1)
        n += 1
    out: dict = {"queries": n, "hit@10": {k: round(v / max(n, 1), 3) for k, v in hits.items()}}
    out["hit@1"] = {k: round(v / max(n, 1), 3) for k, v in first.items()}
    out["hit@3"] = {k: round(v / max(n, 1), 3) for k, v in top3.items()}
    out["mrr@10"] = {k: round(v / max(n, 1), 3) for k, v in rr.items()}
    timed = [a for a in ("anonymous", "personalized") if a in arms]  # the served paths
    if len(timed) == 2:
        out["p99_ms"] = {k: round(float(np.percentile(lat[k], 99)) * 1000, 1) for k in timed}
        out["p50_ms"] = {k: round(float(np.percentile(lat[k], 50)) * 1000, 1) for k in timed}
    return out


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
        "search_personalized_vs_anonymous_without_best_sellers": round(
            hit["personalized"] / max(hit[NO_BEST], 1e-9), 3
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
