"""Which products are of the kind some words name, as a query's type is read: a type or shelf of the product names
it as its head (assistant.search.vocab.type_heads: "Saree Falls" are not sarees, a "Lehenga, Choli and Dupatta Set"
is a lehenga); and, for the chat, the products whose title names them the kind, by its stem or by the word itself."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from assistant.search.aliases import name_end
from assistant.search.product_types import shop_type_names, title_kind
from assistant.search.ranking import Postings
from index.catalog import Product
from index.text import normalise, singular, stem, tokenize


def title_word(p: Product) -> str | None:
    """The word the title names the product by, as type_names reads it: the last before its details, commas kept for
    a product the shop types (name_end: "Cation Casual Short Sleeve, 3/4 Sleeve Solid Women's Top" is a top), the
    title's kind for one it does not (title_kind)."""
    return (name_end(p.title) or None) if shop_type_names(p) else title_kind(p.title)


def title_names(p: Product, aliases: Mapping[str, str]) -> set[str]:
    """What the title names the product, as words in the singular (not stems): its title_word and the shop's type
    that word stands for (aliases: "... Georgette Sari" -> sari, saree)."""
    w = title_word(p)
    if not w:
        return set()
    alias = aliases.get(stem(w))
    toks = tokenize(alias) if alias else []
    return {singular(w), *(singular(t) for t in toks[-1:])}


BESIDE_CACHE = 4096  # kinds remembered by Kinds.beside_rows (a few bytes each; cleared when full)


@dataclass(frozen=True)
class Kinds:
    """The postings a kind is read from: the engine's type names, their heads and title terms, and what titles name."""

    types: Postings  # the stems of each product's type names
    heads: Postings  # the stems heading them (type_heads)
    title_terms: Postings  # the stems of each title
    title_stems: Postings  # the stem of each title_word
    title_words: Postings  # title_names
    depts: np.ndarray  # each product's department (root category) as a code, -1 for none
    listed: Postings | None = None  # the heads a product has only from a shelf listing several kinds (list_heads)
    kind_words: frozenset[str] = frozenset()  # the head stems of the shop's types
    title_stem: tuple[str, ...] = ()  # each product's title_word stem ("" for none), for listed rows
    # named_beside's rows by kind: a pure function of the key, read on every typed search (bounded: BESIDE_CACHE)
    _beside: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls,
        products: list[Product],
        aliases: Mapping[str, str],
        types: Postings,
        heads: Postings,
        titles: Postings,
        listed: Postings | None = None,
        kind_words: frozenset[str] = frozenset(),
    ) -> Kinds:
        n = len(products)
        # (interned: a few hundred distinct stems shared by 20k rows, not 20k strings)
        named = tuple(sys.intern(stem(w)) if (w := title_word(p)) else "" for p in products)
        stems = Postings.build([{t} if t else () for t in named], n)
        codes: dict[str, int] = {}
        depts = np.array([codes.setdefault(p.category[0], len(codes)) if p.category else -1 for p in products])
        words = Postings.build([title_names(p, aliases) for p in products], n)
        return cls(types, heads, titles, stems, words, depts, listed, kind_words, named if listed is not None else ())

    def of_kind(self, key: tuple[str, ...], titles: bool = False) -> np.ndarray | None:
        """Rows of the type key (a query's type terms); None when none is. titles: also a product whose title names
        it the kind, by its last word before its details (title_word) with the key's other words ("Sparx Sneakers"
        shelved under Casual Shoes; "Dupian Saree Falls" names falls), in a department holding the kind or on no
        shelf."""
        typed = self.types.all_of(key) & self.heads.any_of(key[-1:]) if key else None
        if typed is None or not typed.any():
            return None
        if not titles:
            return typed
        named = self.named_beside(key, typed)
        typed = typed if named is None else typed | named
        if self.listed is not None:
            # of the kind only by a shelf listing several, and titled another kind of the shop: a "Women's Regular
            # Black Skirt" on "Dresses & Skirts" is no dress (its deeper "Skirts" shelf is past the four read)
            doubtful = typed & self.listed.any_of(key[-1:]) & ~self.title_terms.all_of(key)
            for r in np.flatnonzero(doubtful).tolist():
                other = self.title_stem[r]
                if other and other != key[-1] and other in self.kind_words:
                    typed[r] = False
        return typed

    def beside_rows(self, key: tuple[str, ...]) -> np.ndarray:
        """The rows of named_beside for the kind's own rows (of_kind without titles), remembered per key."""
        rows = self._beside.get(key)
        if rows is None:
            typed = self.types.all_of(key) & self.heads.any_of(key[-1:])
            named = self.named_beside(key, typed) if typed.any() else None
            rows = np.flatnonzero(named) if named is not None else np.zeros(0, np.int64)
            if len(self._beside) >= BESIDE_CACHE:
                self._beside.clear()
            self._beside[key] = rows
        return rows

    def named_beside(self, key: tuple[str, ...], typed: np.ndarray) -> np.ndarray | None:
        """Rows not of the kind's shelves (typed) whose title names them the kind (title_word, with the key's other
        words), in a department holding the kind or on no shelf: "Sparx Sneakers" under Casual Shoes is a sneaker,
        "Ekku Mickey Mouse" on the toys' shelves no computer mouse. None when there are none."""
        named = self.title_stems.all_of(key[-1:]) & self.title_terms.all_of(key) & ~typed
        rows = np.flatnonzero(named)
        if not len(rows):
            return None
        held = np.zeros(int(self.depts.max()) + 2, dtype=bool)  # (the last slot: -1, no shelf)
        held[self.depts[typed]] = True
        held[-1] = True
        named[rows[~held[self.depts[rows]]]] = False
        return named if named.any() else None

    def named(self, word: str) -> np.ndarray:
        """Rows whose title names them the word (singular or plural, not its stem: "Boxes" are not "boxing") by its
        last word before its details, or by the shop's other word for it ("... Georgette Sari": a saree)."""
        return self.title_words.all_of((singular(normalise(word)),))
