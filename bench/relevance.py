"""Rule-derived relevance judgements for the bundled catalog (documented in bench/README.md).

These are NOT human labels. Each labelled query carries a hand-written *intent* (what the shopper
wants: a product type, attribute words, brand, gender, colour, price bounds); this module grades
every catalog product 0/1/2 against that intent, looking only at the product's **name**, its
**category tree** and its **price**. It deliberately imports nothing from the ranking code
(assistant/*, index/lexical.py, index/attributes.py: no derived gender/colour/type fields, no BM25
tokenizer, no query parser), so a change to ranking cannot move the labels.

Grade 2 (exact, gain 1.0): the type matches and every stated constraint holds.
Grade 1 (partial, gain 0.5): the type matches but at least one constraint fails or cannot be told.
Grade 0: the type (or the required category) does not match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

GAIN = {2: 1.0, 1: 0.5, 0: 0.0}

_TOKEN = re.compile(r"[a-z0-9]+")
# Spellings that mean the same word in shop text; applied to queries and products alike.
_SAME = {
    "tshirt": "t shirt",
    "tee": "t shirt",
    "tees": "t shirt",
    "jewelry": "jewellery",
    "colour": "color",
    "grey": "gray",
    "mens": "men",
    "womens": "women",
    "ladies": "women",
    "lady": "women",
    "gents": "men",
    "kids": "kid",
    "children": "kid",
    "child": "kid",
    "infant": "baby",
    "infants": "baby",
    "sneaker": "sneakers",
    "spectacle": "eyewear",
}
_STOP = frozenset(["a", "an", "and", "the", "for", "of", "in", "on", "with", "to", "by", "from", "at", "s"])

# The rule's own gender words (product side: name and tree).
_GENDER_WORDS = {
    "men": "men",
    "man": "men",
    "male": "men",
    "boy": "boys",
    "boys": "boys",
    "women": "women",
    "woman": "women",
    "female": "women",
    "girl": "girls",
    "girls": "girls",
    "kid": "kid",
    "baby": "baby",
    "unisex": "unisex",
}
_GENDER_OK = {
    "men": {"men", "unisex"},
    "women": {"women", "unisex"},
    "boys": {"boys", "kid", "unisex"},
    "girls": {"girls", "kid", "unisex"},
    "kid": {"boys", "girls", "kid", "baby", "unisex"},
    "baby": {"baby", "unisex"},
}
# The rule's own colour families: a query colour is satisfied by any of its words in the name.
_COLOUR_WORDS = {
    "red": {"red", "maroon", "burgundy", "wine"},
    "blue": {"blue", "navy", "turquoise", "indigo"},
    "black": {"black"},
    "white": {"white", "cream", "ivory"},
    "green": {"green", "olive", "teal", "mint"},
    "yellow": {"yellow", "mustard"},
    "pink": {"pink", "peach", "magenta"},
    "purple": {"purple", "violet"},
    "gray": {"gray", "charcoal"},
    "brown": {"brown", "tan", "coffee"},
    "orange": {"orange"},
    "gold": {"gold", "golden"},
    "silver": {"silver"},
    "beige": {"beige", "khaki"},
}


def stem(token: str) -> str:
    """A crude plural folding, enough to make 'watches'/'watch' and 'covers'/'cover' meet."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 4 and token.endswith(("ches", "shes", "sses", "xes")):
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def words(text: str) -> list[str]:
    """Lowercase word tokens with the rule's spelling folds and plural stemming."""
    out: list[str] = []
    for t in _TOKEN.findall((text or "").lower().replace("'s", "")):
        for u in _SAME.get(t, t).split():
            if u not in _STOP:
                out.append(stem(u))
    return out


def _padded(ws: Sequence[str]) -> str:
    return " " + " ".join(ws) + " "


@lru_cache(maxsize=4096)
def phrase(text: str) -> str:
    """A query-side phrase as padded stemmed words, for whole-word containment tests."""
    return _padded(words(text))


def gender_key(g: str) -> str:
    """'boys', "men's", 'kids' -> the rule's gender key."""
    w = words(g)
    return _GENDER_WORDS.get(w[0], w[0]) if w else g


@dataclass
class Intent:
    """What a labelled query asks for (see bench/README.md for each field)."""

    type: list[str] = field(default_factory=list)  # alternatives; one must occur in the name or the tree
    within: list[str] = field(default_factory=list)  # alternatives; one must occur in the category tree
    words: list[str] = field(default_factory=list)  # all must occur in the name or the tree for grade 2
    brand: str | None = None
    gender: str | None = None
    colour: str | None = None
    price_min: float | None = None
    price_max: float | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Intent:
        def lst(v: Any) -> list[str]:
            return [v] if isinstance(v, str) else list(v or [])

        return cls(
            type=lst(d.get("type")),
            within=lst(d.get("within")),
            words=lst(d.get("words")),
            brand=d.get("brand"),
            gender=d.get("gender"),
            colour=d.get("colour"),
            price_min=d.get("price_min"),
            price_max=d.get("price_max"),
        )


@dataclass
class JudgedProduct:
    """The only product fields the rule reads, pre-tokenised once per catalog."""

    id: str
    name: str  # padded stemmed name words
    tree: list[str]  # padded stemmed words of each category node
    price: float | None
    genders: frozenset[str]

    @classmethod
    def of(cls, pid: str, name: str, category: Sequence[str], price: float | None) -> JudgedProduct:
        name_w = words(name)
        tree_w = [words(node) for node in category]
        genders = frozenset(_GENDER_WORDS[w] for w in name_w + [w for n in tree_w for w in n] if w in _GENDER_WORDS)
        return cls(pid, _padded(name_w), [_padded(n) for n in tree_w], price, genders)

    def in_name_or_tree(self, text: str) -> bool:
        p = phrase(text)
        # The root node is skipped: roots are broad shelves ("Bags, Wallets & Belts") that name types
        # the product is not.
        return p.strip() != "" and (p in self.name or any(p in n for n in self.tree[1:]))

    def in_tree(self, text: str) -> bool:
        """In the category tree; a product without a tree (malformed in the source) is judged by its name."""
        p = phrase(text)
        return p.strip() != "" and (any(p in n for n in self.tree) if self.tree else p in self.name)


def grade(product: JudgedProduct, intent: Intent) -> int:
    """0, 1 or 2 for one product against one intent (the rule stated in the module docstring)."""
    if intent.within and not any(product.in_tree(w) for w in intent.within):
        return 0
    brand_ok = intent.brand is None or product.name.startswith(phrase(intent.brand)) or product.in_tree(intent.brand)
    if intent.type:
        if not any(product.in_name_or_tree(t) for t in intent.type):
            return 0
    elif not brand_ok:  # a brand-only query: the brand is what is asked for
        return 0
    ok = brand_ok and all(product.in_name_or_tree(w) for w in intent.words)
    if intent.gender:
        ok = ok and bool(product.genders & _GENDER_OK.get(gender_key(intent.gender), set()))
    if intent.colour:
        c = intent.colour.lower()
        family = _COLOUR_WORDS.get(_SAME.get(c, c), {c})
        ok = ok and any(f" {c} " in product.name for c in family)
    if intent.price_min is not None or intent.price_max is not None:
        price = product.price
        ok = (
            ok
            and price is not None
            and (intent.price_min is None or price >= intent.price_min)
            and (intent.price_max is None or price <= intent.price_max)
        )
    return 2 if ok else 1


def judge_catalog(products: Iterable[Any]) -> list[JudgedProduct]:
    """Products (anything with id, title, category, price) -> the rule's view of them."""
    return [JudgedProduct.of(str(p.id), p.title, list(p.category), p.price) for p in products]


class JudgedCatalog:
    """The catalog as the rule sees it, with a cache of which products contain each phrase.

    judgements() gives exactly what grade() gives product by product (a test checks it), but
    only tests the products that match the type, which makes 180 queries x 20k products quick.
    """

    def __init__(self, products: Iterable[Any]):
        self.products = judge_catalog(products)
        self._hits: dict[tuple[str, bool], frozenset[int]] = {}

    def rows_with(self, text: str, tree_only: bool = False) -> frozenset[int]:
        key = (phrase(text), tree_only)
        if key not in self._hits:
            test = JudgedProduct.in_tree if tree_only else JudgedProduct.in_name_or_tree
            self._hits[key] = frozenset(i for i, p in enumerate(self.products) if test(p, text))
        return self._hits[key]

    def judgements(self, intent: Intent) -> dict[str, float]:
        """Gains of every product with grade > 0 for one intent."""
        rows: set[int] | range = range(len(self.products))
        if intent.type:
            rows = set().union(*(self.rows_with(t) for t in intent.type))
        if intent.within:
            rows = set(rows) & set().union(*(self.rows_with(w, tree_only=True) for w in intent.within))
        out: dict[str, float] = {}
        for i in sorted(rows):
            g = grade(self.products[i], intent)
            if g:
                out[self.products[i].id] = GAIN[g]
        return out


def judgements(catalog: Sequence[JudgedProduct], intent: Intent) -> dict[str, float]:
    """Gains of every product with grade > 0 for one intent: the plain definition, product by product."""
    out: dict[str, float] = {}
    for p in catalog:
        g = grade(p, intent)
        if g:
            out[p.id] = GAIN[g]
    return out


def load_labelled(path) -> list[dict]:
    """The labelled query file: one JSON object per line with query, kind and intent."""
    import json
    from pathlib import Path

    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            row = json.loads(line)
            if "intent" not in row:
                raise ValueError(f"{path}:{n}: a labelled query needs an 'intent' object")
            rows.append(row)
    return rows
