"""Type names that name a set of things, learned from how the shop's own titles write them: the products of its
"Lehenga Cholis" type are titled "... Lehenga, Choli and Dupatta Set", the words of the type's name written as
items of a list, so a lehenga choli is a lehenga (a lehenga set) as well as a choli. "Saree Falls" are titled
"Dupian Saree Falls", never "Saree, Falls": the first word only says what the falls are for, and a saree fall is
no saree; so are "Mouse Pads" no mice and a "Saree Pin Brooch" no saree. Read by
assistant.search.vocab.type_heads: the listed words of a set's name head it as its last word does."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Container, Iterable

from index.text import normalise, stem

# A word of a type's name names a part of the set when at least this share of the type's products list it in
# their title (the 20k: 10 of 11 "Lehenga Cholis", 12 of 20 "Salwar Kurta Dupattas" list their "lehenga" and
# "kurta"; of the other compound types with 2 products or more, none lists a word of its name in more than 4%) ...
MIN_SHARE = 0.5
# ... and at least this many do (one title's list is chance).
MIN_PRODUCTS = 2

_SEPARATORS = frozenset({",", "&", "and"})
_TOKEN = re.compile(r"[a-z0-9]+|[,&]")
# where a title's name ends and its details start (a comma stays: it separates the items of a set)
_DETAILS = re.compile(r"\s*(?:\(|\[| - | \| | with | for ).*$", re.IGNORECASE)


def listed_stems(title: str, brand: str | None = None) -> set[str]:
    """Stems of the words a title's name writes as items of a list, next to a comma, "&" or "and" ("Ambika
    Embroidered Lehenga, Choli and Dupatta Set": lehenga, choli, dupatta; "Aarika Kurta & Pallazo": kurta,
    pallazo), its leading brand left out ("Bed & Bath ... Bedsheet" lists nothing)."""
    name = normalise(_DETAILS.sub("", title))
    nb = normalise(brand or "")
    if nb and name.startswith(nb + " "):
        name = name[len(nb) :]
    toks = _TOKEN.findall(name)
    out: set[str] = set()
    for i, t in enumerate(toks):
        if t in _SEPARATORS:
            continue
        before = i > 0 and toks[i - 1] in _SEPARATORS
        after = i + 1 < len(toks) and toks[i + 1] in _SEPARATORS
        if before or after:
            out.add(stem(t))
    return out


def learn_sets(
    named: Iterable[tuple[set[tuple[str, ...]], set[str]]], kinds: Container[str]
) -> dict[tuple[str, ...], frozenset[str]]:
    """For each type key of two or more words that names a set, the words of it (besides its last, the head it
    has anyway) that name parts of the set; given per product as (the type keys of its type names, the stems its
    title lists: listed_stems). A part is a kind the shop names a type by (kinds: the head stems of its types,
    "lehenga" of its "Lehengas"): "Hot & Cold Pack" lists what a pack is, not a kind of product called "cold"."""
    products: Counter[tuple[str, ...]] = Counter()
    listed: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for keys, stems in named:
        for key in keys:
            if len(key) < 2:
                continue
            products[key] += 1
            listed[key].update(set(key[:-1]) & stems)
    out: dict[tuple[str, ...], frozenset[str]] = {}
    for key, n in products.items():
        parts = frozenset(w for w, c in listed[key].items() if c >= MIN_PRODUCTS and c >= MIN_SHARE * n and w in kinds)
        if parts:
            out[key] = parts
    return out
