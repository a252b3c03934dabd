"""Does a candidate go with an anchor? The features a product has for complete-the-look, and the hard and soft
rules (assistant/looks/rules.py) applied to one (anchor, candidate) pair, with the reasons it fits."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.looks.rules import OutfitRules
from index.catalog import Product
from index.lexical import normalise


@dataclass(frozen=True)
class Features:
    slot: str | None
    key: str | None  # the slot, or "type:<type>" for products no rule classifies (co-purchase can link those)
    type_norm: str
    gender: str | None
    occasions: frozenset[str]
    season: str | None
    colour: str | None
    colour_word: str | None  # the shop's own colour name ("Navy Blue") for the why text
    price: float | None
    in_stock: bool
    device: frozenset[str] | None
    device_name: str | None
    title_norm: str


def features(p: Product, rules: OutfitRules) -> Features:
    slot = rules.slot_of(p)
    type_norm = normalise(p.product_type or "")
    dev = rules.device_of(p) if slot in rules.device_slots else None
    season = (p.attributes.get("season") or p.attributes.get("Season") or "").strip().lower() or None
    word = p.attributes.get("baseColour") or p.attributes.get("Color") or p.colour
    return Features(
        slot=slot,
        key=slot or (f"type:{type_norm}" if type_norm else None),
        type_norm=type_norm,
        gender=p.gender,
        occasions=rules.occasions_of(p),
        season=season,
        colour=rules.colour_of(p),
        colour_word=word.lower() if word else None,
        price=p.price,
        in_stock=p.in_stock,
        device=dev[0] if dev else None,
        device_name=dev[1] if dev else None,
        title_norm=normalise(p.title),
    )


# ---- rules applied to one (anchor, candidate) pair -------------------------------------------------


def check(rules: OutfitRules, a: Features, c: Features, slot: str) -> tuple[list[str], list[str], list[str]]:
    """(hard rules broken, soft rules broken, reasons it goes with the anchor) for candidate c in slot."""
    hard: list[str] = []
    soft: list[str] = []
    reasons: list[str] = []
    if not c.in_stock:
        hard.append("in_stock")
    if (c.key and c.key == a.key) or (c.type_norm and c.type_norm == a.type_norm):
        hard.append("not_same_type")
    if not rules.gender_ok(a.gender, c.gender, slot):
        hard.append("gender")
    ok, occ = rules.occasion_match(a.occasions, c.occasions)
    if not ok:
        hard.append("occasion")
    if not rules.season_ok(a.season, c.season):
        hard.append("season")
    if slot in rules.device_slots and not rules.device_ok(a.device, c.device):
        hard.append("device")
    if not rules.price_ok(a.price, c.price, slot):
        soft.append("price")
    colour_ok, colour_reason = rules.colour_verdict(a.colour, c.colour)
    if not colour_ok:
        soft.append("colour")
    # Reasons, most telling first.
    if slot in rules.device_slots and a.device and c.device:
        reasons.append(f"fits {a.device_name}")
    if colour_reason:
        if c.colour and c.colour_word and colour_reason.startswith(c.colour):
            colour_reason = c.colour_word + colour_reason[len(c.colour) :]  # the shop's "navy blue", not "blue"
        reasons.append(colour_reason)
    if occ:
        reasons.append(occ)
    if a.season and c.season == a.season:
        reasons.append("same season")
    if slot in rules.gendered and c.gender and a.gender and a.gender != "unisex":
        reasons.append("unisex" if c.gender == "unisex" else f"{c.gender}'s")
    if a.price and c.price is not None and "price" not in soft:
        reasons.append("similar price" if 0.5 * a.price <= c.price <= 2 * a.price else "in your price band")
    return hard, soft, reasons


def violations(rules: OutfitRules, anchor: Product, item: Product, slot: str) -> list[str]:
    """Every rule (hard or soft) the item breaks as a companion of the anchor; [] when it fits."""
    hard, soft, _ = check(rules, features(anchor, rules), features(item, rules), slot)
    return hard + soft
