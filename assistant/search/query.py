"""Hard filters parsed out of a shopper's query: price, gender, colour, brand (autocomplete and the chat read
queries this way; search reads them through assistant.search.understand).

Pure functions over a Vocabulary built once from the catalog; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from index.attributes import COLOUR_SYNONYMS
from index.catalog import Product
from index.text import normalise, parse_price


@dataclass
class Filters:
    category: str | None = None  # matches any node of the category path (case-insensitive)
    gender: str | None = None
    colour: str | None = None
    brand: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    in_stock: bool | None = None

    def merged(self, other: Filters) -> Filters:
        """Self's values, with other's filling the gaps (explicit parameters win over parsed ones)."""
        return Filters(
            **{
                f.name: getattr(self, f.name) if getattr(self, f.name) is not None else getattr(other, f.name)
                for f in fields(self)
            }
        )

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    def is_empty(self) -> bool:
        return not self.as_dict()


# Colour words that, in a query, name a thing rather than a colour ("coffee mug", "denim jacket").
_NOT_COLOURS_IN_QUERIES = {
    "coffee",
    "chocolate",
    "almond",
    "mint",
    "wine",
    "denim",
    "multi",
    "nude",
    "rust",
    "tan",
    "coral",
    "camel",
    "olive",
    "indigo",
    "peach",
    "lavender",
}
QUERY_COLOURS = {k: v for k, v in COLOUR_SYNONYMS.items() if k not in _NOT_COLOURS_IN_QUERIES}
_COLOUR_RE = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(QUERY_COLOURS, key=len, reverse=True)) + r")\b")

GENDER_WORDS: dict[str, str] = {
    "women": "women",
    "womens": "women",
    "woman": "women",
    "ladies": "women",
    "lady": "women",
    "female": "women",
    "girls": "girls",
    "girl": "girls",
    "daughter": "girls",
    "men": "men",
    "mens": "men",
    "man": "men",
    "gents": "men",
    "male": "men",
    "boys": "boys",
    "boy": "boys",
    "son": "boys",
    "kids": "kids",
    "kid": "kids",
    "children": "kids",
    "child": "kids",
    "baby": "baby",
    "babies": "baby",
    "infant": "baby",
    "newborn": "baby",  # "something for a newborn boy" (was "nothing called newborn")
    "newborns": "baby",
    "unisex": "unisex",
}
_GENDER_RE = re.compile(
    r"\b(?:for (?:my |a |the )?)?(" + "|".join(sorted(GENDER_WORDS, key=len, reverse=True)) + r")(?:'s|s')?\b"
)


@dataclass
class Vocabulary:
    """Catalog words that can become filters: brands (by their normalised name)."""

    brands: dict[str, str] = field(default_factory=dict)  # normalised -> display
    # (brand count, the brands longest first, brand -> its place there, most words in a brand): find_brand's
    _lookup: tuple[int, list[str], dict[str, int], int] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def find_brand(self, text: str) -> str | None:
        """The longest brand (the first in catalog order among equally long ones) that occurs in text as whole
        space-separated words, i.e. `f" {brand} " in f" {text} "`. Looked up by the text's word runs rather
        than by scanning every brand (thousands) per query."""
        brands = self.brands
        if not brands:
            return None
        if self._lookup is None or self._lookup[0] != len(brands):
            order = sorted(brands, key=len, reverse=True)
            words = max(b.count(" ") for b in order) + 1
            self._lookup = (len(brands), order, {b: i for i, b in enumerate(order)}, words)
        _, order, rank, longest = self._lookup
        # every space of f" {text} " separates two of these pieces (empty ones between doubled spaces), so a
        # brand occurs between two spaces exactly when it is one run of consecutive pieces joined by spaces
        pieces = text.split(" ")
        best = None
        for i in range(len(pieces)):
            for j in range(i + 1, min(len(pieces), i + longest) + 1):
                r = rank.get(" ".join(pieces[i:j]))
                if r is not None and (best is None or r < best):
                    best = r
        return None if best is None else order[best]

    @classmethod
    def from_products(cls, products: Iterable[Product]) -> Vocabulary:
        brands: dict[str, str] = {}
        for p in products:
            if not p.brand:
                continue
            nb = normalise(p.brand)
            # only brands that lead a title: the brand column also holds fits ("Slim") and colours
            if (
                len(nb) >= 3
                and normalise(p.title).startswith(nb)
                and nb not in QUERY_COLOURS
                and nb not in GENDER_WORDS
            ):
                brands.setdefault(nb, p.brand)
        return cls(brands)


@dataclass
class ParsedQuery:
    text: str  # what is left once filter phrases are taken out
    filters: Filters


def parse_query(query: str, vocab: Vocabulary) -> ParsedQuery:
    """Take price, gender, colour and brand phrases out of a query as filters."""
    text = normalise(query).replace("’", "'")
    f = Filters()
    f.price_min, f.price_max, text = parse_price(text)
    m = _GENDER_RE.search(text)
    if m:
        f.gender = GENDER_WORDS[m.group(1)]
        text = (text[: m.start()] + " " + text[m.end() :]).strip()
    m = _COLOUR_RE.search(text)
    if m:
        f.colour = QUERY_COLOURS[m.group(1)]
        text = (text[: m.start()] + " " + text[m.end() :]).strip()
    nb = vocab.find_brand(text)
    if nb is not None:
        f.brand = vocab.brands[nb]
    return ParsedQuery(" ".join(text.split()), f)
