"""Variants of one product shown as one card (issue 14, "variants grouped"), split where they differ in what the
query asked for.

Products sharing a title (or the column a mapping names as `group`) are variants of one product: a distinct
page shows the best-ranked one with how many there are. A query that asks for an attribute (a colour, a
material, words a page should state such as "full sleeve", a device a cover is for) makes the variants that
answer it differently different products *for that query*: a "Red" dress and a "Blue, Red" one sharing a title,
a full-sleeve and a half-sleeve shirt, a cover for the Lumia 830 and one for the Moto G4. Each such answer is
its own card, with its own count, represented by its best-ranked variant; variants answering alike (sizes,
or colours when no colour was asked) stay one card.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.catalog import Product
from index.text import normalise


def _codes(values: Sequence[object]) -> np.ndarray:
    """Each value as a small integer, equal values alike (0 is the first value seen, not "unknown")."""
    seen: dict[object, int] = {}
    return np.array([seen.setdefault(v, len(seen)) for v in values], dtype=np.int64)


@dataclass(frozen=True)
class Asked:
    """Per row, how it answers what the query asked for (None: that was not asked)."""

    colour: bool = False  # the query named a colour: variants of another colour value are apart
    material: bool = False  # ... a material
    stated: np.ndarray | None = None  # rows whose page states every other word asked ("full sleeve")
    compatible: np.ndarray | None = None  # rows made for the device named ("for lumia 830")

    def any(self) -> bool:
        return self.colour or self.material or self.stated is not None or self.compatible is not None


class Variants:
    """Which products are variants of one another, and their counts; built once per loaded catalog."""

    def __init__(
        self,
        products: Sequence[Product],
        colours: Callable[[Product], frozenset[str]],
        materials: Sequence[str],
    ):
        self.group = _codes([p.group or normalise(p.title) for p in products])
        self.groups = int(self.group.max()) + 1 if len(self.group) else 0
        self.size = np.bincount(self.group, minlength=self.groups)  # variants when nothing is filtered
        # a variant's colour as a shopper reads it (its catalog colour and those its title names), its material text
        self.colour = _codes([frozenset({p.colour or ""} | colours(p)) for p in products])
        self.material = _codes([normalise(m) for m in materials])
        self._order = np.argsort(self.group, kind="stable")  # rows grouped, for a group's members
        self._start = np.concatenate(([0], np.cumsum(self.size)))

    def members(self, g: int) -> np.ndarray:
        return self._order[self._start[g] : self._start[g + 1]]

    def answer(self, asked: Asked) -> np.ndarray | None:
        """Per row, a code of how it answers what was asked (equal codes answer alike); None: nothing asked
        that variants can differ in, so the group alone decides."""
        if not asked.any():
            return None
        key = np.zeros(len(self.group), np.int64)
        if asked.colour:
            key = key * (int(self.colour.max()) + 1) + self.colour
        if asked.material:
            key = key * (int(self.material.max()) + 1) + self.material
        for mask in (asked.stated, asked.compatible):
            if mask is not None:
                key = key * 2 + mask.astype(np.int64)
        return key

    def pick(self, rows: np.ndarray, k: int, answer: np.ndarray | None) -> list[int]:
        """Positions (into rows, in their order) of the first k cards: one per group and answer."""
        seen: set[tuple[int, int]] = set()
        picked: list[int] = []
        groups = self.group[rows].tolist()
        answers = answer[rows].tolist() if answer is not None else [0] * len(groups)
        for i, key in enumerate(zip(groups, answers, strict=True)):
            if key in seen:
                continue
            seen.add(key)
            picked.append(i)
            if len(picked) >= k:
                break
        return picked

    def counts(self, rows: Sequence[int], allowed: np.ndarray | None, answer: np.ndarray | None) -> list[int]:
        """How many variants each row's card stands for: its group's products the filters admit that answer
        what was asked as it does (itself included)."""
        out = []
        for row in rows:
            g = int(self.group[row])
            if self.size[g] == 1:  # most products have no variants: nothing to count
                out.append(1)
                continue
            m = self.members(g)
            if allowed is not None:
                m = m[allowed[m]]
            if answer is not None:
                m = m[answer[m] == answer[row]]
            out.append(max(len(m), 1))
        return out
