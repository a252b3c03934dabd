"""The chat's catalog vocabulary: category words, brands and materials learned once per index version from the
loaded products (`NluVocab`), and the singular/plural forms the replies name them with."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from assistant.chat.lexicon import (
    _COMMON,
    _GENERIC,
    _NOT_CATEGORIES,
    _WORD,
    OCCASIONS,
)
from assistant.chat.slots import BrandEvidence
from assistant.search.lists import list_parts
from assistant.search.materials import spec_material
from assistant.search.query import GENDER_WORDS, QUERY_COLOURS, Vocabulary
from assistant.search.understand import QueryVocab, type_names
from index.catalog import Product
from index.corrector import Corrector
from index.text import STOPWORDS, normalise, stem, tokenize
from index.text import plural as text_plural
from index.text import singular as text_singular


def _clean(text: str) -> str:
    return re.sub(r"'s\b|'", "", normalise(text).replace("&", " "))


# Nouns the shared singular/plural must leave alone, and "-as" nouns it keeps plural ("kurtas"): the chat
# names categories in replies, where "kurtases" would be read by the shopper.
_KEEP_S = frozenset({"canvas", "jeans", "trousers", "shorts", "pyjamas", "glasses", "sunglasses", "leggings", "news"})


def singular(word: str) -> str:
    """The shared singular (index.text), plus '-as' plurals of catalog nouns: 'kurtas' -> 'kurta'."""
    if word in _KEEP_S or len(word) <= 3:
        return word
    if word.endswith("as") and len(word) > 3 and word[-3] not in "aeious":
        return word[:-1]
    return text_singular(word)


def plural(word: str) -> str:
    """The shared plural (index.text) of a singular noun; plural-only and already plural nouns unchanged."""
    if word in _KEEP_S or (word.endswith("s") and singular(word) != word):
        return word
    return text_plural(word)


@dataclass(frozen=True)
class KindNames:
    """How replies name a kind in the plural, as this shop writes it (learned from its titles and type names):
    the shop's own plural where it writes one ("kurta" -> "kurtas"); a name whose last word the shop writes but
    never in the plural left as it is, being no countable thing ("hair care", "stationery", "luggage": not
    "hair cares"); a name in the plural already left as it is. Without a catalog (written None), or for a word
    the shop writes in neither form, the English plural (plural)."""

    written: frozenset[str] | None = None  # the words the shop's titles and type names write

    @classmethod
    def from_products(cls, products: Iterable[Product]) -> KindNames:
        seen: set[str] = set()
        makers: dict[str, set[str]] = {}  # a title word -> the brands whose titles write it, not as their name
        for p in products:
            seen.update(_WORD.findall(_clean(" ".join([p.product_type or "", *p.category[:4]]))))
            brand = _clean(p.brand or "")
            for w in set(_WORD.findall(_clean(p.title))) - set(_WORD.findall(brand)):
                makers.setdefault(w, set()).add(brand)
        # a word one maker's titles write may be its name ("Jazz Eyewears", "Belle Lingeries"): not the shop's word
        return cls(frozenset(seen | {w for w, bs in makers.items() if len(bs) >= 2}))

    def plural(self, name: str) -> str:
        """The name of a kind ("hair care", "kurta") as replies say it of several products."""
        ws = name.split()
        if not ws:
            return name
        last, many = ws[-1], plural(ws[-1])
        if self.written is not None and last in self.written and many not in self.written:
            return name  # the shop writes the word, never its plural: a mass noun or a shelf's name
        return " ".join([*ws[:-1], many])


# no catalog known: the English plural
ENGLISH = KindNames()


@dataclass
class NluVocab:
    """Catalog words the NLU may treat as slots, and the words its typo corrector knows."""

    categories: dict[str, str] = field(default_factory=dict)  # singular word -> the same (display form)
    brands: dict[str, str] = field(default_factory=dict)  # normalised -> display
    known_words: list[str] = field(default_factory=list)  # what typos are corrected towards
    query_vocab: Vocabulary = field(default_factory=Vocabulary)
    evidence: BrandEvidence = field(default_factory=BrandEvidence)
    qvocab: QueryVocab | None = None  # search's understanding of this catalog (the chat reads messages with it)
    materials: frozenset[str] = frozenset()  # stems of this catalog's material words: search's (QueryVocab.materials)
    type_words: frozenset[str] = frozenset()  # the words of the shop's type names: no typo ("holders", "sets")
    kind_names: KindNames = ENGLISH  # how replies name a kind in the plural (KindNames)

    @cached_property
    def corrector(self) -> Corrector:
        """Search's spelling corrector (index.corrector.Corrector: the same edit distance, first letter and preference
        for a kind's word) over the words the chat corrects towards: the shop's kinds, colours, materials and
        the chat's own command words ("chaeper": cheaper), built on first use."""
        shop = self.qvocab.corrector.frequency if self.qvocab else {}
        # (between words equally close, the one the shop writes more: "wachtes" is watches, not washes)
        return Corrector(self.known_words, {w: shop.get(w, 0.0) for w in self.known_words}, kinds=self.categories)

    @classmethod
    def from_products(
        cls, products: Iterable[Product], vocab: Vocabulary | None = None, qvocab: QueryVocab | None = None
    ) -> NluVocab:
        products = list(products)
        vocab = vocab or Vocabulary.from_products(products)
        # one reading of a message: search's understanding of this catalog, learned here when not given (the
        # kinds, materials and brands a message names are read as search reads them)
        qvocab = qvocab if qvocab is not None else QueryVocab.from_products(products, dict(vocab.brands))
        materials = qvocab.materials
        # a material word names a thing only where the shop sells it as one, in the plural ("Irons", "Mosquito
        # Nets"); a shelf of a material ("Casual Shoes > Canvas") or a material before a noun ("Cotton Buds") not
        counted: set[str] = set()
        cats: dict[str, str] = {}
        # the last word of a product type sold by several brands is a thing, even when a brand bears its name
        heads: dict[str, set[str]] = {}
        for p in products:
            for part in list_parts(p.product_type or ""):
                ws = _WORD.findall(_clean(part))
                if ws:
                    heads.setdefault(ws[-1], set()).add(normalise(p.brand or ""))
            for part in [
                *(pt for node in p.category[:3] for pt in list_parts(node)),
                *list_parts(p.product_type or ""),
            ]:
                ws = _WORD.findall(_clean(part))
                if ws and singular(ws[-1]) != ws[-1]:
                    counted.add(singular(ws[-1]))
        shared_heads = {w for w, bs in heads.items() if len(bs) >= 3}
        brand_words = {b.split()[0] for b in vocab.brands} - shared_heads  # "alisha" of "Alisha Shorts"
        for p in products:
            # the nouns of a category are its nodes' last words ("Casual Shoes", "Wrist Watches") and the
            # words of the product type; brand shelves ("Alisha Shorts") must not make "alisha" a category
            # "Leggings & Jeggings" names two things: each part's last word
            parts = [part for node in p.category[:3] for part in list_parts(node)]
            words = [ws[-1] for ws in (_WORD.findall(_clean(part)) for part in parts) if ws]
            words += _WORD.findall(_clean(p.product_type or ""))
            for w in words:
                s = singular(w.strip("-"))
                if (
                    len(s) >= 3
                    and s not in _GENERIC
                    and s not in STOPWORDS
                    and s not in GENDER_WORDS
                    and w not in brand_words
                    and not s.isdigit()
                    and w not in _GENERIC
                    and s not in _COMMON
                    and s not in _NOT_CATEGORIES
                    and (stem(s) not in materials or s in counted)
                ):
                    cats.setdefault(s, s)
        plurals = {plural(c) for c in cats}
        known = (
            set(cats)
            | plurals
            | set(QUERY_COLOURS)
            | set(GENDER_WORDS)
            | set(OCCASIONS)
            | {w for p in products for w in tokenize(spec_material(p)) if stem(w) in materials}
            | {
                "cheaper",
                "expensive",
                "compare",
                "cart",
                "basket",
                "remove",
                "similar",
                "second",
                "third",
                "first",
                "fourth",
                "fifth",
                "something",
                "else",
                "under",
                "between",
                "budget",
                "below",
                "above",
                "show",
                "outfit",
                "forget",
                "size",
                "prefer",
                "recommend",
                "suggest",
                "wedding",
                "summer",
            }
        )
        evidence = BrandEvidence.from_products(products, vocab.brands)
        evidence.things = {b for b in vocab.brands if b in shared_heads or singular(b) in cats}
        evidence.ambiguous |= evidence.things
        return cls(
            cats,
            dict(vocab.brands),
            sorted(w for w in known if len(w) >= 4),
            vocab,
            evidence,
            qvocab,
            materials,
            frozenset(w for p in products for name in type_names(p) for w in _WORD.findall(_clean(name))),
            KindNames.from_products(products),
        )
