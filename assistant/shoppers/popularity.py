"""Aggregate, decayed popularity of products and searches (pure in-memory counters, no shopper ids).

Same scaling trick as profiles: a count added at time t is stored as weight·2^((t - t0)/half_life),
so the decayed ranking is read off without rescanning.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from assistant.shoppers.profiles import EVENT_WEIGHTS

_REBASE_EXP = 200.0


@dataclass
class DecayedCounts:
    half_life_s: float
    t0: float | None = None
    counts: dict[str, float] = field(default_factory=dict)
    version: int = 0

    def add(self, key: str, weight: float, ts: float) -> None:
        if self.t0 is None:
            self.t0 = ts
        exp = (ts - self.t0) / self.half_life_s
        if exp > _REBASE_EXP:
            k = 2.0 ** (-exp)
            self.counts = {a: b * k for a, b in self.counts.items()}
            self.t0, exp = ts, 0.0
        self.counts[key] = self.counts.get(key, 0.0) + weight * 2.0**exp
        self.version += 1

    def value(self, key: str, now: float | None = None) -> float:
        """Decayed count as of `now` (in events' weight units)."""
        if self.t0 is None:
            return 0.0
        now = time.time() if now is None else now
        return self.counts.get(key, 0.0) * 2.0 ** (-(now - self.t0) / self.half_life_s)

    def top(self, n: int, now: float | None = None) -> list[tuple[str, float]]:
        best = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        if self.t0 is None:
            return []
        now = time.time() if now is None else now
        k = 2.0 ** (-(now - self.t0) / self.half_life_s)
        return [(key, v * k) for key, v in best]


def daypart(ts: float) -> str:
    """Coarse local-agnostic time of day (UTC hours) for time-of-day popularity."""
    return ("night", "morning", "afternoon", "evening")[time.gmtime(ts).tm_hour // 6]


class Popularity:
    """Product popularity overall, per device and per time of day; search popularity for autocomplete."""

    def __init__(self, half_life_s: float):
        self.overall = DecayedCounts(half_life_s)
        self.by_context: dict[str, DecayedCounts] = {}
        self.searches = DecayedCounts(half_life_s)
        self.half_life_s = half_life_s
        self._cache: dict[tuple, np.ndarray] = {}

    def add(self, etype: str, ts: float, product_id: str | None, query: str | None, device: str | None) -> None:
        if etype == "search" and query:
            self.searches.add(query.lower(), 1.0, ts)
            return
        wt = EVENT_WEIGHTS.get(etype, 0.0)
        if product_id is None or wt <= 0:
            return
        self.overall.add(product_id, wt, ts)
        for key in (f"device:{device}" if device else None, f"daypart:{daypart(ts)}"):
            if key:
                self.by_context.setdefault(key, DecayedCounts(self.half_life_s)).add(product_id, wt, ts)

    def vector(self, id_to_row: dict[str, int], n_rows: int, device: str | None, now: float) -> np.ndarray | None:
        """Per-row popularity in 0..1: 60% overall, 20% on this device, 20% at this time of day."""
        parts = [
            (0.6, self.overall),
            (0.2, self.by_context.get(f"device:{device}")),
            (0.2, self.by_context.get(f"daypart:{daypart(now)}")),
        ]
        key = (*tuple((id(c), c.version if c else -1) for _, c in parts), n_rows, id(id_to_row))
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        if not self.overall.counts:
            return None
        out = np.zeros(n_rows, dtype=np.float64)
        for share, counts in parts:
            if counts is None or not counts.counts:
                continue
            arr = np.zeros(n_rows, dtype=np.float64)
            for pid, v in counts.counts.items():
                row = id_to_row.get(pid)
                if row is not None:
                    arr[row] = v
            m = arr.max()
            if m > 0:
                out += share * np.log1p(arr / m * 100.0) / np.log1p(100.0)
        if len(self._cache) > 16:
            self._cache.clear()
        self._cache[key] = out
        return out
