"""Shelf names that list several kinds ("Bags, Wallets & Belts"), read as the kinds they list. Read by
assistant.search.vocab (the heads of a product's types) and the chat's vocabulary (its category words)."""

from __future__ import annotations

import re

from index.text import STOPWORDS, normalise, singular

LIST_NODE = re.compile(r",|&| and ")


def list_parts(name: str) -> list[str]:
    """The kinds a name lists, each named whole: "Bags, Wallets & Belts" -> Bags, Wallets, Belts. A part of one word
    the shop writes in the singular, before a last part of several words, is said of that part's thing as the
    words it stands beside are: "North & South Indian Lehenga Cholis" lists North Indian and South Indian Lehenga
    Cholis (no product is a "north"), "Car & Bike Accessories" car and bike accessories. A kind of product is named
    in the plural in a shelf's list ("Slippers & Flip Flops", "Pyjamas & Lounge Pants", "Sports & Gym Wear"): it
    stays a part of its own."""
    parts = [p for x in LIST_NODE.split(name) if (p := x.strip())]
    last = [w for w in parts[-1].split() if normalise(w) not in STOPWORDS] if parts else []  # "the Arts": one
    if len(parts) < 2 or len(last) < 2:
        return parts
    return [_shared(p, last) for p in parts[:-1]] + parts[-1:]


def _shared(part: str, last: list[str]) -> str:
    """The part with the words of the last part after its first ("North" before "South Indian Lehenga Cholis" ->
    "North Indian Lehenga Cholis"), when it is one word in the singular; else the part as written. A word ending
    in "s" is taken for a plural (the plural-only "pyjamas", "glass" as the kind it is elsewhere); a word the last
    part starts again with is a kind of its own ("Hookah & Hookah Flavours": hookahs, and their flavours)."""
    ws = part.split()
    w = normalise(ws[0]) if len(ws) == 1 else ""
    single = w.isalpha() and not w.endswith("s") and singular(w) == w and w != normalise(last[0])
    return " ".join([ws[0], *last[1:]]) if single else part
