"""Co-purchase learning for complete-the-look: product pairs from the event log -> slot lift -> slot order.

Pure functions: the pairs come from `shoppers.copurchase_pairs()` (profiles), the slot of a product
from the outfit rules; nothing here reads a database.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

Pair = tuple[str, str]


def _key(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


def slot_lift(slot_pairs: Iterable[tuple[str, str, int]]) -> dict[Pair, tuple[float, int]]:
    """Lift over chance of each unordered slot pair, with its support (co-occurrence count).

    Each co-purchase event has two ends. Under independence an unordered pair {a, b} (a != b)
    would be seen 2·p(a)·p(b)·N times, p(x) being the share of ends that are x; lift = observed / that.
    """
    together: Counter[Pair] = Counter()
    ends: Counter[str] = Counter()
    total = 0
    for a, b, n in slot_pairs:
        if n <= 0 or a == b:
            continue  # two items of one slot say nothing about which other slot completes it
        together[_key(a, b)] += n
        ends[a] += n
        ends[b] += n
        total += n
    out: dict[Pair, tuple[float, int]] = {}
    for (a, b), n in together.items():
        expected = 2.0 * (ends[a] / (2 * total)) * (ends[b] / (2 * total)) * total
        out[(a, b)] = (n / expected, n)
    return out


@dataclass
class CoPurchase:
    """What the event log says: product pair counts and slot-pair lift."""

    pair_counts: dict[Pair, int] = field(default_factory=dict)
    lift: dict[Pair, tuple[float, int]] = field(default_factory=dict)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str, int]], slot_of: Callable[[str], str | None]) -> CoPurchase:
        """pairs: (product id, product id, count); slot_of(product id) -> slot key or None (unknown id)."""
        counts: Counter[Pair] = Counter()
        slot_pairs: list[tuple[str, str, int]] = []
        for a, b, n in pairs:
            if a == b or n <= 0:
                continue
            counts[_key(a, b)] += int(n)
            sa, sb = slot_of(a), slot_of(b)
            if sa and sb:
                slot_pairs.append((sa, sb, int(n)))
        return cls(dict(counts), slot_lift(slot_pairs))

    def count(self, a: str, b: str) -> int:
        return self.pair_counts.get(_key(a, b), 0)

    def slot_lift(self, a: str, b: str) -> tuple[float, int]:
        return self.lift.get(_key(a, b), (1.0, 0))

    def is_empty(self) -> bool:
        return not self.pair_counts and not self.lift


def reorder_slots(
    base: list[str],
    anchor_slot: str,
    copurchase: CoPurchase | None,
    min_support: int = 3,
    min_lift: float = 1.5,
    weight: float = 0.5,
    max_added: int = 2,
) -> list[str]:
    """The rule map's slots for an anchor, reordered (and extended) by what shoppers buy together.

    A slot's priority is its rank in the editorial map (1 for the first, falling linearly) plus
    weight·log(lift) once the pair has min_support events: strong co-purchase moves a slot up,
    lift below 1 moves it down, and a slot the map lacks joins when its lift reaches min_lift.
    """
    if copurchase is None or copurchase.is_empty():
        return list(base)
    n = max(len(base), 1)
    prio = {s: 1.0 - i / n for i, s in enumerate(base)}
    for s in base:
        lift, support = copurchase.slot_lift(anchor_slot, s)
        if support >= min_support:
            prio[s] += weight * math.log(lift)
    added = []
    for (a, b), (lift, support) in copurchase.lift.items():
        other = b if a == anchor_slot else a if b == anchor_slot else None
        if other and other != anchor_slot and other not in prio and support >= min_support and lift >= min_lift:
            added.append((weight * math.log(lift), other))
    for score, s in sorted(added, reverse=True)[:max_added]:
        prio[s] = score
    order = {s: i for i, s in enumerate(base)}
    return sorted(prio, key=lambda s: (-prio[s], order.get(s, len(base)), s))
