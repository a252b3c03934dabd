"""A query's preferences (maker, who it is for, colour, material) as ranking tiers over the products that may show:
known matches first, unknown next; a preference nothing satisfies is relaxed (and said) rather than emptying the
page. Pure: what the catalog says of each product comes in as masks (`Stated`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assistant.search.ranking import Tiers


@dataclass(frozen=True)
class Stated:
    """What the catalog states of each product: whether it says who it is for, its colour, its material (masks),
    and the products matching a value (brand normalised; gender as a query reads it; colour; material stem)."""

    gender_known: np.ndarray
    colour_known: np.ndarray
    material_known: np.ndarray
    brand: Callable[[str], np.ndarray]
    gender: Callable[[str], np.ndarray]
    colour: Callable[[str], np.ndarray]
    material: Callable[[str], np.ndarray]
    blend: Callable[[str], np.ndarray]  # part of that material ("Poly Cotton")


def apply_preferences(
    prefs: dict,
    allowed: np.ndarray | None,
    tiers: Tiers,
    typed: np.ndarray | None,
    stated: Stated,
    weigh_gender: bool = True,
) -> tuple[np.ndarray | None, list[str], np.ndarray | None]:
    """Known matches rank first, unknown next; a preference nothing satisfies is relaxed (and said) rather than
    emptying the page. Returns (allowed, the relaxed names, the type's known mismatches or None).

    Without a detected type a known mismatch never shows. With one, products of the type known to be of
    another material are kept, ranked after every match and unknown of the type (its "fits") and before any
    other type: they show only when the fits run out ("net saree" in a shop with one net saree: the other
    sarees after it, not mosquito nets and net tops; the notice says so). A material is relaxed whole when
    no product of the type asked for (typed, when the filters leave any) is known to be of it. A colour
    keeps "known mismatches never": it is what a card's photo shows first, and it is relaxed whole only
    when no product has it (the colour of most products is unknown, so "no green sarees" would seldom be
    true). Who a product is for is never relaxed. weigh_gender=False: who it is for keeps another person's products
    out and ranks none first (an interest said without a kind: "my wife loves cooking")."""
    relaxed: list[str] = []
    base = allowed if allowed is not None else np.ones(len(stated.gender_known), dtype=bool)
    if not base.any():
        return allowed, relaxed, None  # the filters alone leave nothing: no preference to relax
    of_type = typed if typed is not None and (base & typed).any() else None
    after = np.zeros(len(base), dtype=bool)  # of the type, known to be of another material
    if "brand" in prefs:
        tiers.add("brand", stated.brand(prefs["brand"]), 0.75)
    for name in ("gender", "colour", "material"):
        if name not in prefs:
            continue
        if name == "gender":
            known, match = stated.gender_known, stated.gender(prefs[name])
        elif name == "colour":
            known, match = stated.colour_known, stated.colour(prefs[name])
        else:
            known, match = stated.material_known, stated.material(prefs[name])
        keep = base & (match | ~known)
        scope = keep & match if name != "material" or of_type is None else keep & match & of_type
        if not scope.any():
            relaxed.append(name)  # none of this colour/material at all: show the rest, say so
            continue
        if name == "material" and of_type is not None:
            after = base & of_type & known & ~match
        base = keep
        # who it is for weighs least: a product that does not say is as likely right as one that does
        if name != "gender" or weigh_gender:
            tiers.add(name, match, 0.125 if name == "gender" else 0.25)
        if name == "material" and (blend := stated.blend(prefs[name])).any():
            tiers.add("blend", blend, -0.125)  # part of that material: after the pure, before the unknown
    applied = any(name in prefs and name not in relaxed for name in ("gender", "colour", "material"))
    if not applied:
        return allowed, relaxed, None
    if of_type is None or not after.any():
        return base, relaxed, None
    # the type's fits a whole type step above its known mismatches, which stay a step above other types
    tiers.add("fits", of_type & ~after, 1.0)
    return base | after, relaxed, after
