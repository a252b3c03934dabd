"""Reading a type in a product's title as the thing it is: named as the thing ("USB Charger"), not as a modifier of
another noun ("Mouse pad"), or by what an "-er" thing does ("Fast Charging ... Cable" is a charger). Read on the
title's words, for the rows a search shows (pure); and the colours and adjacent words a title says."""

from __future__ import annotations

import itertools
import re

import numpy as np

from assistant.search.query import QUERY_COLOURS
from index.catalog import Product
from index.text import STOPWORDS, normalise, stem, terms, words


def named_as(
    products: list[Product], mask: np.ndarray, type_terms: tuple[str, ...], device: tuple[str, ...] = ()
) -> np.ndarray:
    """Rows of mask whose title names the type as a thing, not as a modifier: its last word ends a phrase
    ("USB Charger", "Tempered Glass for ...") or is followed by the device asked for, "for" left out
    ("Key Chain Charger IPhone 5"), rather than qualifies another noun ("Mouse pad")."""
    out = np.zeros_like(mask)
    for r in np.flatnonzero(mask).tolist():
        ws = words(products[r].title)
        out[r] = any(
            stem(w) == type_terms[-1]
            and (i + 1 == len(ws) or ws[i + 1] in STOPWORDS or not ws[i + 1].isalpha() or stem(ws[i + 1]) in device)
            for i, w in enumerate(ws)
        )
    return out


def named_by_use(products: list[Product], mask: np.ndarray, type_terms: tuple[str, ...]) -> np.ndarray:
    """Rows of mask whose title names what an "-er" type does, as its "-ing" word: "Fast Charging ... Lightning
    Cable" is a charger for a shopper asking for a charger for the device it is made for ("Laptop Cleaning
    Kit", a cleaner). Read on the title's words, not stems, so "Selfie Stick" is no sticker. A type that says
    which kind ("Car Chargers") is done so only by a title that says it too: a charging cable is no car charger."""
    head = type_terms[-1] if type_terms else ""
    if not head.endswith("er") or len(head) < 5:
        return np.zeros_like(mask)
    use, kind = head[:-2] + "ing", set(type_terms[:-1])
    out = np.zeros_like(mask)
    for r in np.flatnonzero(mask).tolist():
        title = products[r].title
        out[r] = use in words(title) and kind <= set(terms(title))
    return out


# A colour word of a title, as a query reads one: words naming a thing first ("coffee", "wine", "denim") are left
# out, longer phrases before their last word ("navy blue" before "blue").
_TITLE_COLOUR = re.compile(r"\b(" + "|".join(map(re.escape, sorted(QUERY_COLOURS, key=len, reverse=True))) + r")\b")


def title_colours(p: Product) -> frozenset[str]:
    """The colours a product's title names, its leading brand left out ("Red Tape ..." is no red shoe): what the
    title says is what a shopper takes the product to be, whatever colour its specification gives ("Gold
    Diamond 18 K Ring" whose Color line says Yellow is a gold ring; "Sterling Silver ... Ring" saying White, a
    silver one). "multi" is no colour of its own: a multicolour title names its colours."""
    title, brand = normalise(p.title), normalise(p.brand or "")
    name = title[len(brand) :] if brand and title.startswith(brand + " ") else title
    return frozenset(QUERY_COLOURS[m] for m in _TITLE_COLOUR.findall(name)) - {"multicolor"}


def title_phrases(title: str) -> set[str]:
    """Adjacent stems of a title ("jewelleri box"), for the phrase a query says in the same order."""
    ts = terms(title)
    return {f"{a} {b}" for a, b in itertools.pairwise(ts)}
