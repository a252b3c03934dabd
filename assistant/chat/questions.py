"""Answers to questions about one product, from its own fields only: specifications (attributes),
description, price, brand, colour. When the data is silent the answer says so: nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence

from assistant.search.materials import named_materials
from assistant.search.titles import title_colours
from index.catalog import Product
from index.text import normalise, stem, terms

# Specification keys that answer a question about a field, most specific first.
FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "material": (
        "fabric",
        "material",
        "outer material",
        "upper material",
        "sole material",
        "strap material",
        "base material",
        "body material",
        "inner material",
        "lining",
    ),
    "size": ("size", "ring size", "primary product size", "length", "width", "height", "diameter", "depth", "weight"),
    "warranty": ("warranty summary", "warranty", "warranty service type", "covered in warranty"),
    "rating": ("rating", "product rating", "overall rating"),
    "colour": ("color", "colour", "dial color", "strap color"),
    "gender": ("ideal for",),
}
# Words a feature question uses for the specification that answers it.
FEATURE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "waterproof": ("waterproof", "water resistant", "water resistance", "water-resistant", "water proof"),
    "water resistant": ("waterproof", "water resistant", "water resistance", "water-resistant"),
    "washable": ("machine wash", "hand wash", "washable", "wash care", "care instructions"),
    "machine washable": ("machine wash", "washable"),
    "rechargeable": ("rechargeable", "battery", "power source"),
    "wireless": ("wireless", "bluetooth"),
    "adjustable": ("adjustable",),
    "scratch resistant": ("scratch resistant", "scratch-resistant"),
    "luminous": ("luminous",),
    "handmade": ("handmade", "hand made", "handcrafted"),
}
_DESC_WORDS = {"material": ("made of", "material", "fabric"), "size": ("size", "dimension"), "warranty": ("warranty",)}
_SILENT = {"material": "what it is made of", "size": "its size", "warranty": "a warranty"}
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_FILLER = {"a", "an", "the", "it", "any", "good", "really", "actually", "for", "of", "real", "proper"}


def _spec(p: Product, keys: tuple[str, ...]) -> tuple[str, str] | None:
    attrs = {normalise(k): (k, v) for k, v in p.attributes.items() if v and str(v).strip()}
    for k in keys:
        if k in attrs:
            return attrs[k]
    return None


def _sentence_with(text: str, phrases: tuple[str, ...]) -> str | None:
    for s in _SENTENCE.findall(text or ""):
        ns = normalise(s)
        if any(re.search(rf"\b{re.escape(ph)}", ns) for ph in phrases):
            return " ".join(s.split())[:220]
    return None


def _dont_know(p: Product, what: str) -> str:
    return f"I don't know that for {p.title}: its details in the catalog say nothing about {what}."


def answer(p: Product, topic: str, feature: str = "", materials: Container[str] = ()) -> tuple[str, bool]:
    """(answer text, whether the data answered it). topic: rating, price, brand, colour, material, size,
    warranty, gender, or feature (with `feature` the asked word, e.g. 'waterproof'). materials: the shop's material
    stems, for a material the title names (as search reads a page's material)."""
    name = p.title
    if topic == "price":
        if p.price is None:
            return _dont_know(p, "its price"), False
        text = f"{name} costs ₹{p.price:,.0f}"
        if p.list_price and p.list_price > p.price:
            off = round(100 * (1 - p.price / p.list_price))
            text += f" (₹{p.list_price:,.0f} before a {off}% discount)"
        return text + ".", True
    if topic == "brand":
        if p.brand:
            return f"{name} is by {p.brand}.", True
        return _dont_know(p, "its brand"), False
    if topic == "colour":
        spec = _spec(p, FIELD_KEYS["colour"])
        if spec:
            return f"{name}: {spec[0]} {spec[1]}.", True
        if p.colour:
            return f"{name} is {p.colour}.", True
        return _dont_know(p, "its colour"), False
    if topic == "gender":
        spec = _spec(p, FIELD_KEYS["gender"])
        if spec:
            return f"{name} is listed as ideal for {spec[1]}.", True
        if p.gender:
            return f"{name} is made for {p.gender}.", True
        return _dont_know(p, "who it is for"), False
    if topic == "rating":
        if p.rating is not None:
            return f"{name} is rated {p.rating:g} out of 5 by the shop's customers.", True
        spec = _spec(p, FIELD_KEYS["rating"])
        if spec:
            return f"{name} is rated {spec[1]}.", True
        return (
            f"I don't know the rating of {name}: this catalog has no ratings or reviews for it.",
            False,
        )
    if topic == "material":
        specs = [f"{k} {v}" for k, v in p.attributes.items() if v and re.search(r"material|fabric|lining", k.lower())]
        if specs:
            return f"{name}: {', '.join(specs)}.", True
        if said := titled_material(p, feature, materials):  # "is the first one silk?" of a "... Cotton Sari"
            return said, True
    if topic in ("material", "size", "warranty"):
        spec = _spec(p, FIELD_KEYS[topic])
        if spec:
            return f"{name}: {spec[0]} {spec[1]}.", True
        sent = _sentence_with(p.description, _DESC_WORDS[topic])
        if sent:
            return f'The description of {name} says: "{sent}"', True
        return _dont_know(p, _SILENT[topic]), False
    return _feature(p, feature)


def in_colour(p: Product, colour: str, variants: Sequence[Product]) -> tuple[Product, str]:
    """ "does the second one come in black?": (the product to show, what to say before it). The product is the colour
    (its catalog colour or the one its title names), or a variant of it (the same title) is, or neither is."""
    if _is(p, colour):
        return p, f"Yes, it is {colour}:"
    other = next((v for v in variants if v.id != p.id and _is(v, colour)), None)
    if other is not None:
        return other, f"Yes, it comes in {colour} too:"
    listed = f"; it is listed in {p.colour}" if p.colour else ""
    return p, f"I don't see it in {colour}{listed}:"


def _is(p: Product, colour: str) -> bool:
    return p.colour == colour or colour in title_colours(p)


def titled_material(p: Product, feature: str, materials: Container[str]) -> str | None:
    """The answer the title gives of what a product is made of, as search reads it (named_materials): "No: its name
    says cotton" to "is it silk?" of a "... Cotton Sari"; None when the title names no material."""
    named = named_materials(p, materials)[1] & set(terms(p.title))
    if not named:
        return None
    asked = {t for t in terms(feature) if t in materials}
    said = " and ".join(w for w in normalise(p.title).split() if stem(w) in named)
    if not asked:
        return f"Its name says {said}: {p.title}."
    return f"{'Yes' if asked <= named else 'No'}: its name says {said}: {p.title}."


def _feature(p: Product, feature: str) -> tuple[str, bool]:
    f = normalise(feature)
    words = [w for w in f.split() if w not in _FILLER]
    if not words:
        return _dont_know(p, "that"), False
    core = " ".join(words)
    phrases = FEATURE_SYNONYMS.get(core, (core,))
    # a specification whose name is the feature ("Water Resistant: Yes") answers yes/no directly
    for k, v in p.attributes.items():
        nk, nv = normalise(k), normalise(str(v))
        if any(ph in nk for ph in phrases):
            if nv in ("yes", "no"):
                return f"{'Yes' if nv == 'yes' else 'No'}: {p.title} lists {k}: {v}.", True
            return f"{p.title}: {k} {v}.", True
    for k, v in p.attributes.items():
        if any(re.search(rf"\b{re.escape(ph)}", normalise(str(v))) for ph in phrases):
            return f"{p.title}: {k} {v}.", True
    sent = _sentence_with(p.description, phrases)
    if sent:
        return f'The description of {p.title} says: "{sent}"', True
    if p.title and any(re.search(rf"\b{re.escape(ph)}", normalise(p.title)) for ph in phrases):
        return f"Its name says so: {p.title}.", True
    return _dont_know(p, f"whether it is {core}" if len(words) == 1 else core), False
