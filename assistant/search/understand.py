"""Query understanding: what a shopper's words mean in this catalog, as one pure step.

`understand(text, vocab) -> Understanding` is used by REST search, autocomplete's product hits and the chat.
The `QueryVocab` it reads is learned once from the loaded catalog (product types and category nodes,
brands and which of them are also everyday words, words that follow "for" in titles, materials, every
word with its frequency for the typo corrector); only English relation words ("wife", "dad") are listed
by hand. What it finds:

- product type: the longest run of query words naming a catalog type or category node (stemmed, so
  singular/plural and "t-shirt"/"tshirt" agree), else the head noun of one, else, for the word still being
  typed, the commonest type it starts;
- recipient/gender, colour, material, price bounds, negations ("not/without/no/except X");
- brand only with evidence ("by X"/"from X", a brand that makes the detected type, or a brand that is
  not also an everyday word); "for <device>" is a compatibility target, never a brand filter;
- a spelling-corrected form, and whether the last word is still being typed (`prefix`).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.search.query import GENDER_WORDS, QUERY_COLOURS
from index.catalog import Product
from index.lexical import lexical_text
from index.text import FILLER_WORDS, STOPWORDS, Corrector, normalise, parse_price, stem, terms, tokenize, words

# Who a gift is for -> the gender value products carry (English relation words, not catalog data).
RECIPIENTS: dict[str, str] = {
    "wife": "women",
    "girlfriend": "women",
    "mom": "women",
    "mum": "women",
    "mother": "women",
    "sister": "women",
    "grandma": "women",
    "grandmother": "women",
    "aunt": "women",
    "husband": "men",
    "boyfriend": "men",
    "dad": "men",
    "father": "men",
    "brother": "men",
    "grandpa": "men",
    "grandfather": "men",
    "uncle": "men",
    "son": "boys",
    "nephew": "boys",
    "daughter": "girls",
    "niece": "girls",
}
RECIPIENTS.update(GENDER_WORDS)
# Pairs read as one recipient: "baby girl" wants girls' and baby products alike.
RECIPIENT_PAIRS: dict[tuple[str, str], str] = {
    ("baby", "girl"): "baby_girl",
    ("baby", "girls"): "baby_girl",
    ("baby", "boy"): "baby_boy",
    ("baby", "boys"): "baby_boy",
}
# What a recipient value admits, beyond index.attributes.GENDER_ADMITS.
RECIPIENT_ADMITS: dict[str, frozenset[str]] = {
    "baby_girl": frozenset({"girls", "baby", "unisex"}),
    "baby_boy": frozenset({"boys", "baby", "unisex"}),
}
_NEGATORS = frozenset({"not", "without", "no", "except", "excluding", "minus"})
_WORD_RE = re.compile(r"[a-z0-9]+")
_CUES = frozenset({"for", "with", "by", "from", "in", "under", "over", "above", "below", "at", "of", "size"})
_MAKER_CUES = frozenset({"by", "from"})
_MATERIAL_KEYS = ("Fabric", "Material", "Outer Material", "Upper Material")
_NOT_TYPE_WORDS = STOPWORDS | FILLER_WORDS | frozenset(GENDER_WORDS) | frozenset(RECIPIENTS)


@dataclass(eq=False)  # hashed by identity: understand() memoises per vocabulary
class QueryVocab:
    """What the understanding step knows of one catalog (built once per loaded index)."""

    types: dict[tuple[str, ...], str] = field(default_factory=dict)  # stems of a type/node name -> display
    type_count: Counter = field(default_factory=Counter)  # stems -> products of that type
    heads: dict[str, tuple[str, ...]] = field(default_factory=dict)  # head-word stem -> its commonest type key
    brands: dict[str, str] = field(default_factory=dict)  # normalised brand -> display
    ambiguous_brands: frozenset[str] = frozenset()  # brands that are also everyday words in the catalog
    brand_types: dict[str, frozenset[str]] = field(default_factory=dict)  # brand -> type stems it makes
    compat_words: frozenset[str] = frozenset()  # stems that follow "for" in product titles
    materials: frozenset[str] = frozenset()  # stems of material words products name
    corrector: Corrector = field(default_factory=lambda: Corrector([]))
    type_words: Corrector = field(default_factory=lambda: Corrector([]))  # type head words, for the prefix

    @classmethod
    def from_products(cls, products: Iterable[Product], brands: dict[str, str] | None = None) -> QueryVocab:
        products = list(products)
        types: dict[tuple[str, ...], Counter] = {}
        count: Counter = Counter()
        head_count: dict[str, Counter] = {}
        head_words: Counter = Counter()
        brand_types: dict[str, set[str]] = {}
        word_freq: Counter = Counter()
        doc_freq: Counter = Counter()  # products whose title or description has the word
        compat: Counter = Counter()
        materials: Counter = Counter()
        for p in products:
            word_freq.update(tokenize(lexical_text(p)))
            doc_freq.update(set(_WORD_RE.findall((p.title + " " + p.description[:300]).lower())))
            nb = normalise(p.brand or "")
            for node in type_names(p):
                key = type_key(node)
                if not key:
                    continue
                types.setdefault(key, Counter())[node] += 1
                count[key] += 1
                head_count.setdefault(key[-1], Counter())[key] += 1
                head_words[tokenize(node)[-1]] += 1
                if nb:
                    brand_types.setdefault(nb, set()).update(key)
            ws = words(p.title)
            for i, w in enumerate(ws[:-1]):
                if w == "for":
                    compat.update(stem(x) for x in ws[i + 1 : i + 5] if x not in _NOT_TYPE_WORDS)
            for k in _MATERIAL_KEYS:
                materials.update(stem(w) for w in tokenize(p.attributes.get(k, "")) if w.isalpha() and len(w) > 2)
        brands = dict(brands or {})
        return cls(
            types={k: c.most_common(1)[0][0] for k, c in types.items()},
            type_count=count,
            heads={h: c.most_common(1)[0][0] for h, c in head_count.items()},
            brands=brands,
            ambiguous_brands=_ambiguous(brands, products, doc_freq),
            brand_types={b: frozenset(t) for b, t in brand_types.items()},
            compat_words=frozenset(w for w, c in compat.items() if c >= 2) | {stem(b) for b in brands if " " not in b},
            materials=frozenset(w for w, c in materials.items() if c >= 3 and w not in QUERY_COLOURS),
            corrector=Corrector(word_freq, dict(word_freq)),
            type_words=Corrector(head_words, dict(head_words)),
        )


def type_names(p: Product) -> list[str]:
    """The product type and the category nodes that are shelves (not the brand's shelf, not its own name)."""
    title, brand = normalise(p.title), normalise(p.brand or "")
    out = [p.product_type] if p.product_type else []
    for node in p.category[:4]:
        low = normalise(node)
        if low and not low.startswith(title[:25]) and not (brand and low.startswith(brand + " ")) and node not in out:
            out.append(node)
    return out


@lru_cache(maxsize=65536)
def type_key(name: str) -> tuple[str, ...]:
    """A type name as the stems a query must contain ("Women's T-Shirts" -> ("tshirt",))."""
    toks = [t for t in tokenize(name) if t not in _NOT_TYPE_WORDS and not t.isdigit()]
    # a compound's parts are also tokens: keep the joined form only ("t", "shirt", "tshirt" -> "tshirt")
    joined = {t for t in toks if any(t == a + b for a, b in itertools.pairwise(toks))}
    parts = {x for a, b in itertools.pairwise(toks) if a + b in joined for x in (a, b)}
    return tuple(stem(t) for t in toks if t not in parts)


def _ambiguous(brands: dict[str, str], products: list[Product], doc_freq: Counter) -> frozenset[str]:
    """Brands whose name is an everyday word here: more products of other makers name it (in title or
    description) than the brand has ("like", "best", "galaxy"), or it is a stop/filler word."""
    own = Counter(normalise(p.brand or "") for p in products)
    out = set()
    for nb in brands:
        others = doc_freq.get(nb, 0) - own.get(nb, 0)
        if nb in STOPWORDS or nb in FILLER_WORDS or (" " not in nb and others > max(own.get(nb, 0), 2)):
            out.add(nb)
    return frozenset(out)


@dataclass(frozen=True)
class Understanding:
    """What a query asks for. `search_text` is what retrieval reads (corrected, without filter phrases)."""

    text: str
    search_text: str  # what the lexical side reads: without filter, preference and negation words
    dense_text: str  # what is embedded: the corrected query without its negations
    corrected: str | None = None  # the query with misspellings fixed, when any was
    product_type: str | None = None  # the catalog's name for it ("Dresses")
    type_terms: tuple[str, ...] = ()  # stems a product's type/category must contain
    gender: str | None = None  # a key of GENDER_ADMITS or RECIPIENT_ADMITS
    recipient: str | None = None  # the word that set it ("wife")
    colour: str | None = None
    material: str | None = None  # stem
    price_min: float | None = None
    price_max: float | None = None
    brand: str | None = None  # a brand filter: the query names the maker
    compatible_with: str | None = None  # "samsung galaxy j7": what the product is for
    compat_terms: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # words after a negator
    exclude_terms: tuple[str, ...] = ()
    prefix: bool = False  # the last word is still being typed
    prefix_terms: tuple[str, ...] = ()  # stems of its likeliest completions

    def as_dict(self) -> dict:
        """The understood parts, for a response."""
        out = {
            "product_type": self.product_type,
            "gender": self.gender,
            "colour": self.colour,
            "material": self.material,
            "price_min": self.price_min,
            "price_max": self.price_max,
            "brand": self.brand,
            "compatible_with": self.compatible_with,
            "excluded": list(self.excluded) or None,
        }
        return {k: v for k, v in out.items() if v is not None}


def _join_letters(ws: list[str]) -> list[str]:
    """A lone letter before a word is a compound ("t shirt" -> "tshirt"), as the vocabulary reads it."""
    out: list[str] = []
    i = 0
    while i < len(ws):
        w = ws[i]
        if len(w) == 1 and w.isalpha() and w not in ("a", "i") and i + 1 < len(ws) and ws[i + 1].isalpha():
            out.append(w + ws[i + 1])
            i += 2
            continue
        out.append(w)
        i += 1
    return out


def understand(text: str, vocab: QueryVocab, correct: bool = True) -> Understanding:
    """Read a query against the catalog's vocabulary (pure; ~tens of microseconds). correct=False: words are
    taken as typed ("search instead for ...")."""
    prefix = bool(text) and not text[-1].isspace()
    return _understand(text.strip(), prefix, vocab, correct)


@lru_cache(maxsize=4096)
def _understand(text: str, prefix: bool, vocab: QueryVocab, correct: bool = True) -> Understanding:
    norm = normalise(text).replace("&", " and ")
    lo, hi, rest = parse_price(norm)
    ws = list(re.findall(r"[a-z0-9][a-z0-9'\-]*", rest))
    ws = _join_letters([w[:-2] if w.endswith("'s") else w.rstrip("'") for w in ws])
    # the last word is still being typed when it starts some known word without being one ("red dre")
    last_typed = bool(prefix and ws and ws[-1].isalpha() and ws[-1] not in vocab.corrector)
    last_typed = last_typed and vocab.corrector.has_prefix(ws[-1])
    # spelling: every whole word the catalog does not know, except the one still being typed
    fixed, corrected = [], False
    for i, w in enumerate(ws):
        c = None
        if (
            correct
            and w.isalpha()
            and w not in _NOT_TYPE_WORDS
            and w not in _NEGATORS
            and not (last_typed and i == len(ws) - 1)
        ):
            c = vocab.corrector.correct(w)
        fixed.append(c or w)
        corrected |= c is not None
    ws = fixed
    keep = [True] * len(ws)
    # negations: the word after a negator (two when they name a type together) is excluded
    excluded: list[str] = []
    negated: set[int] = set()
    for i, w in enumerate(ws[:-1]):
        if w in _NEGATORS and ws[i + 1].isalpha() and ws[i + 1] not in STOPWORDS:
            n = 2 if i + 2 < len(ws) and type_key(" ".join(ws[i + 1 : i + 3])) in vocab.types else 1
            excluded.append(" ".join(ws[i + 1 : i + 1 + n]))
            for j in range(i, i + 1 + n):
                keep[j] = False
                negated.add(j)
    # recipient / gender
    gender = recipient = None
    for i, w in enumerate(ws):
        if not keep[i]:
            continue
        pair = RECIPIENT_PAIRS.get((w, ws[i + 1])) if i + 1 < len(ws) else None
        if pair:
            gender, recipient = pair, f"{w} {ws[i + 1]}"
            keep[i] = keep[i + 1] = False
            break
        if w in RECIPIENTS:
            gender, recipient = RECIPIENTS[w], w
            keep[i] = False
            break
    # colour and material: preferences
    colour = material = None
    for i, w in enumerate(ws):
        if keep[i] and colour is None and w in QUERY_COLOURS:
            colour, keep[i] = QUERY_COLOURS[w], False
        elif keep[i] and material is None and stem(w) in vocab.materials:
            material = stem(w)
    # compatibility: "for <device/model>" with words the catalog's titles use after "for"
    compat: list[str] = []
    for i, w in enumerate(ws[:-1]):
        if w == "for" and keep[i + 1] and stem(ws[i + 1]) in vocab.compat_words:
            j = i + 1
            while j < len(ws) and keep[j] and ws[j] not in STOPWORDS and ws[j] not in _NEGATORS:
                compat.append(ws[j])
                j += 1
            break
    live = [w for i, w in enumerate(ws) if keep[i]]
    ptype, tkey = _product_type([w for w in live if w not in compat], vocab)
    if ptype is None and last_typed and ws and keep[-1]:
        done = vocab.type_words.completions(ws[-1], 1)
        if done and len(ws[-1]) >= 2 and stem(done[0]) in vocab.heads:
            ptype, tkey = done[0], (stem(done[0]),)
    brand = _brand(ws, keep, compat, tkey, vocab)
    search_words = [w for i, w in enumerate(ws) if keep[i]]
    dense_words = [w for i, w in enumerate(ws) if i not in negated]
    prefix_terms: tuple[str, ...] = ()
    if last_typed and ws and keep[-1]:
        prefix_terms = tuple(dict.fromkeys(stem(w) for w in vocab.corrector.completions(ws[-1], 3)))
    stems = terms(" ".join(excluded))
    return Understanding(
        text=text,
        search_text=" ".join(search_words),
        dense_text=" ".join(dense_words),
        corrected=" ".join(ws) if corrected else None,
        product_type=ptype,
        type_terms=tkey,
        gender=gender,
        recipient=recipient,
        colour=colour,
        material=material,
        price_min=lo,
        price_max=hi,
        brand=brand,
        compatible_with=" ".join(compat) or None,
        compat_terms=tuple(terms(" ".join(compat))),
        excluded=tuple(excluded),
        exclude_terms=tuple(stems),
        prefix=bool(last_typed),
        prefix_terms=prefix_terms,
    )


def _product_type(ws: list[str], vocab: QueryVocab) -> tuple[str | None, tuple[str, ...]]:
    """The type the query's noun phrase ends in: its last one or two words before the first cue word
    ("for", "with", "under"...), as a whole type name ("back cover") or the head noun of one ("shoes")."""
    seg: list[str] = []
    for w in ws:
        if w in _CUES and seg:
            break
        if w not in _NOT_TYPE_WORDS and not w.isdigit():
            seg.append(w)
    for n in (3, 2):
        if len(seg) >= n:
            key = type_key(" ".join(seg[-n:]))
            if len(key) > 1 and key in vocab.types:
                return vocab.types[key], key
    for w in seg[-1:]:
        key = type_key(w)
        if key in vocab.types:
            return vocab.types[key], key
        if len(key) == 1 and key[0] in vocab.heads:
            return w, key
    return None, ()


def _brand(ws: list[str], keep: list[bool], compat: list[str], tkey: tuple[str, ...], vocab: QueryVocab) -> str | None:
    """A brand filter only when the query names the maker of the product (see the module docstring)."""
    live = [(i, w) for i, w in enumerate(ws) if keep[i] and w not in compat]
    for n in (3, 2, 1):
        for j in range(len(live) - n + 1):
            nb = " ".join(w for _, w in live[j : j + n])
            if nb not in vocab.brands:
                continue
            i = live[j][0]
            cue = i > 0 and ws[i - 1] in _MAKER_CUES
            makes_type = not tkey or set(tkey) <= vocab.brand_types.get(nb, frozenset())
            if cue or (makes_type and (nb not in vocab.ambiguous_brands or (n > 1 and tkey))):
                return vocab.brands[nb]
    return None
