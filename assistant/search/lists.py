"""Shelf names that list several kinds ("Bags, Wallets & Belts"), read as the kinds they list, and a type name
as the stems a query must contain (type_key). Read by assistant.search.vocab (the heads of a product's types, the
kinds a shelf lists) and the chat's vocabulary (its category words)."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from functools import lru_cache

from assistant.search.asking import NOT_TYPE_WORDS
from index.text import STOPWORDS, normalise, singular, stem, tokenize

LIST_NODE = re.compile(r",|&| and ")
# Titles naming a listed kind that make it a type of its own (learn_listed_kinds): more than one product's, so
# one seller's wording is not a kind of the shop.
TITLED = 2


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


def list_keys(name: str) -> list[tuple[str, ...]]:
    """The type keys of the kinds a name lists ("Bags, Wallets & Belts" -> bag, wallet, belt; "North & South Indian
    Lehenga Cholis" -> two kinds of lehenga choli: list_parts)."""
    return [key for part in list_parts(name) if (key := type_key(part))]


@lru_cache(maxsize=65536)
def type_key(name: str) -> tuple[str, ...]:
    """A type name as the stems a query must contain ("Women's T-Shirts" -> ("tshirt",))."""
    toks = [t for t in tokenize(name) if t not in NOT_TYPE_WORDS and not t.isdigit()]
    # a compound's parts are also tokens: keep the joined form only ("t", "shirt", "tshirt" -> "tshirt")
    joined = {t for t in toks if any(t == a + b for a, b in itertools.pairwise(toks))}
    parts = {x for a, b in itertools.pairwise(toks) if a + b in joined for x in (a, b)}
    return tuple(stem(t) for t in toks if t not in parts)


def learn_listed_kinds(
    types: dict[tuple[str, ...], Counter],
    count: Counter,
    head_count: dict[str, Counter],
    head_words: Counter,
    titled: Counter,
) -> None:
    """The kinds a shelf lists, each a type of its own where the shop names it nowhere else and titles of the
    shelf's products name it (titled: (name, title_kind stem) -> products, TITLED of them or more): a kind the shop
    sells only on "Leggings & Jeggings" (typed "Legging Jegging") is named by the query "leggings", which named no
    type, as only a name whole and its last word were learned. A listed shelf no title names ("Home" of "Home &
    Kitchen", "Sports" of "Sports & Gym Wear") is no kind of product. A kind already known keeps its name and count."""
    learned: dict[tuple[str, ...], Counter] = {}
    for names in types.values():
        for node, n in names.items():
            parts = list_parts(node)
            for part in parts if len(parts) > 1 else ():
                if (key := type_key(part)) and key not in types and titled[(node, key[-1])] >= TITLED:
                    learned.setdefault(key, Counter())[part] += n
    for key, names in learned.items():
        types[key] = names
        count[key] = sum(names.values())
        if key[-1] not in head_count:
            head_count[key[-1]] = Counter({key: count[key]})
            head_words[tokenize(names.most_common(1)[0][0])[-1]] += count[key]
