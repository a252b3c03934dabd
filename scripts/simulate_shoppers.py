"""A documented shopper SIMULATOR over a real catalog (the events it writes are simulated, not real).

Each simulated shopper has a latent taste, independent of shopmate's ranking code:
  - 2-3 favourite categories (first two levels of the category path, drawn by catalog frequency),
    with Dirichlet weights;
  - 2 favourite colours and, per favourite category, 2 favourite brands;
  - a price band: the category's median price times a log-normal factor, ±40%.
A session is a walk of 15-40 steps. At each step the shopper picks a category by taste (with
probability `drift` one favourite category is replaced by a new one: tastes drift), is shown a page of
20 random products of it (browsing, not our search), and looks at the one with the highest utility
    u = 1.0·favourite colour + 1.2·favourite brand + 1.0·in price band − 0.5·|log(price/centre)| + Gumbel noise.
It views it; clicks with probability sigmoid(u − 1); adds to cart when u > 2 (p 0.5); buys a carted item
with p 0.3; sometimes dismisses the page's least liked product. Timestamps advance by minutes, with
gaps of days between visits.

    python scripts/simulate_shoppers.py --shoppers 500 --out bench/tmp/sim_events.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.catalog import Mapping, Product, load_catalog  # noqa: E402


def category_of(p: Product) -> str | None:
    return " > ".join(p.category[:2]) if len(p.category) >= 2 else None


@dataclass
class Taste:
    categories: list[str]
    weights: np.ndarray
    colours: set[str]
    brands: dict[str, set[str]]
    centre: dict[str, float]


class Simulator:
    def __init__(self, products: list[Product], seed: int = 7, drift: float = 0.05, page: int = 20):
        self.products = products
        self.rng = np.random.default_rng(seed)
        self.drift, self.page = drift, page
        self.by_cat: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(products):
            c = category_of(p)
            if c and p.price:
                self.by_cat[c].append(i)
        self.cats = [c for c, rows in self.by_cat.items() if len(rows) >= 30]
        if not self.cats:
            raise ValueError("the simulator needs a catalog with at least one category of 30+ priced products")
        freq = np.array([len(self.by_cat[c]) for c in self.cats], float)
        self.cat_p = freq / freq.sum()
        self.colours = sorted({p.colour for p in products if p.colour})
        self.median = {c: float(np.median([products[i].price for i in self.by_cat[c]])) for c in self.cats}

    def _new_cat(self, exclude: list[str]) -> str | None:
        """A category by catalog share, other than `exclude`; None when there is no other."""
        if all(c in exclude for c in self.cats):
            return None
        while True:  # rejection sampling (kept: it is the random stream the published figures came from)
            c = self.cats[self.rng.choice(len(self.cats), p=self.cat_p)]
            if c not in exclude:
                return c

    def _brands(self, cat: str) -> set[str]:
        brands = sorted({self.products[i].brand for i in self.by_cat[cat] if self.products[i].brand})
        if not brands:
            return set()
        return set(self.rng.choice(brands, size=min(2, len(brands)), replace=False).tolist())

    def taste(self) -> Taste:
        # a small catalog may have fewer big-enough categories than a taste wants
        n = min(int(self.rng.integers(2, 4)), len(self.cats))
        cats: list[str] = []
        for _ in range(n):
            cats.append(self._new_cat(cats))
        colours = (
            set(self.rng.choice(self.colours, size=2, replace=False).tolist())
            if len(self.colours) >= 2
            else set(self.colours)
        )
        return Taste(
            cats,
            self.rng.dirichlet(np.ones(n) * 2),
            colours,
            {c: self._brands(c) for c in cats},
            {c: self.median[c] * float(np.exp(self.rng.normal(0, 0.5))) for c in cats},
        )

    def utility(self, t: Taste, cat: str, row: int) -> float:
        p = self.products[row]
        centre = t.centre[cat]
        in_band = centre * 0.6 <= p.price <= centre * 1.4
        return (
            1.0 * (p.colour in t.colours)
            + 1.2 * (p.brand in t.brands[cat])
            + 1.0 * in_band
            - 0.5 * abs(math.log(p.price / centre))
            + float(self.rng.gumbel(0, 0.7))
        )

    def shopper(self, sid: str, start: float) -> list[dict]:
        t = self.taste()
        ts = start
        events: list[dict] = []
        cart: list[str] = []
        for _ in range(int(self.rng.integers(15, 41))):
            if self.rng.random() < self.drift:  # taste drift: one favourite category changes
                k = int(self.rng.integers(len(t.categories)))
                new = self._new_cat(t.categories)
            else:
                new = None
            if new is not None:
                old = t.categories[k]
                t.categories[k] = new
                t.brands[new], t.centre[new] = (
                    self._brands(new),
                    self.median[new] * float(np.exp(self.rng.normal(0, 0.5))),
                )
                del t.brands[old], t.centre[old]
            ts += float(self.rng.exponential(180.0)) + (
                86400.0 * float(self.rng.integers(1, 4)) if self.rng.random() < 0.1 else 0.0
            )
            cat = t.categories[self.rng.choice(len(t.categories), p=t.weights)]
            rows = self.by_cat[cat]
            page = self.rng.choice(rows, size=min(self.page, len(rows)), replace=False).tolist()
            us = [self.utility(t, cat, r) for r in page]
            best = page[int(np.argmax(us))]
            pid = self.products[best].id
            u = max(us)
            events.append({"shopper": sid, "type": "view", "product_id": pid, "ts": ts})
            if self.rng.random() < 1 / (1 + math.exp(-(u - 1))):
                events.append({"shopper": sid, "type": "click", "product_id": pid, "ts": ts + 5})
                if u > 2 and self.rng.random() < 0.5:
                    events.append({"shopper": sid, "type": "add_to_cart", "product_id": pid, "ts": ts + 30})
                    cart.append(pid)
            if cart and self.rng.random() < 0.3:
                events.append({"shopper": sid, "type": "purchase", "product_id": cart.pop(0), "ts": ts + 60})
            if self.rng.random() < 0.1:
                worst = page[int(np.argmin(us))]
                events.append({"shopper": sid, "type": "dismiss", "product_id": self.products[worst].id, "ts": ts + 2})
        return events

    def run(self, n: int, now: float | None = None) -> list[dict]:
        now = time.time() if now is None else now
        out: list[dict] = []
        for i in range(n):
            out += self.shopper(f"sim{i:05d}", now - 30 * 86400.0 * float(self.rng.random()) - 20 * 86400.0)
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--catalog", type=Path, default=ROOT / "data" / "catalog" / "flipkart-20k.csv")
    ap.add_argument("--mapping", type=Path, default=ROOT / "data" / "catalog" / "flipkart.mapping.json")
    ap.add_argument("--shoppers", type=int, default=500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "tmp" / "sim_events.jsonl")
    a = ap.parse_args()
    products = load_catalog(a.catalog, Mapping.load(a.mapping)).products
    events = Simulator(products, a.seed).run(a.shoppers)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    with a.out.open("w") as f:
        for e in events:
            f.write(json.dumps(e) + "\n")
    print(f"SIMULATED: {len(events)} events of {a.shoppers} simulated shoppers -> {a.out}")


if __name__ == "__main__":
    main()
