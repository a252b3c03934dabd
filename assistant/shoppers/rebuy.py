"""What a shop re-buys, learned from its own baskets instead of a fixed list of consumable categories.

repeat rate of a product = share of its buyers who bought it again in a later basket, shrunk towards its
category's rate, which is shrunk towards the shop's (a product bought by 3 people says little on its own).
A past purchase is a reason to show the product again when its rate reaches `MIN_RATE`; below that it is
hidden after purchase (a sofa is bought once). A shop with too little history (fewer than `MIN_BUYERS`
buyer-product pairs) has no learned rates and the caller falls back to its configured consumable list.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

MIN_RATE = 0.1
MIN_BUYERS = 50
PRIOR_STRENGTH = 5.0  # pseudo-buyers of the parent rate


@dataclass
class RepeatRates:
    rate: np.ndarray  # per catalog row
    buyers: np.ndarray  # distinct buyers per row
    shop_rate: float = 0.0
    learned: bool = False
    by_category: dict[str, float] = field(default_factory=dict)

    @classmethod
    def learn(cls, shopper_baskets: list[tuple[str, list[int]]], categories: list[str]) -> RepeatRates:
        """shopper_baskets: (shopper, catalog rows of one basket) in any order."""
        n = len(categories)
        times: dict[tuple[str, int], int] = Counter()
        for sid, rows in shopper_baskets:
            for r in set(rows):
                times[(sid, r)] += 1
        buyers = np.zeros(n)
        again = np.zeros(n)
        for (_, r), k in times.items():
            buyers[r] += 1
            again[r] += k > 1
        total = float(buyers.sum())
        if total < MIN_BUYERS:
            return cls(np.zeros(n), buyers)
        shop = float(again.sum()) / total
        cat_b: dict[str, float] = defaultdict(float)
        cat_a: dict[str, float] = defaultdict(float)
        for r in np.flatnonzero(buyers).tolist():
            cat_b[categories[r]] += buyers[r]
            cat_a[categories[r]] += again[r]
        by_cat = {c: (cat_a[c] + PRIOR_STRENGTH * shop) / (cat_b[c] + PRIOR_STRENGTH) for c in cat_b}
        parent = np.array([by_cat.get(c, shop) for c in categories])
        rate = (again + PRIOR_STRENGTH * parent) / (buyers + PRIOR_STRENGTH)
        return cls(rate, buyers, shop, True, by_cat)

    def rebought(self, row: int) -> bool:
        """Is a past purchase of this row a reason to show it again?"""
        return self.learned and float(self.rate[row]) >= MIN_RATE
