"""Chat message understanding: one message -> an intent, slot changes and references.

Pure: rules first (prices, colours and genders through assistant.search.query, so chat and search read a
message the same way), then cosine similarity of the message to intent exemplars for what the rules miss.
The catalog-specific words (categories, brands, materials) come from an NluVocab built once from the catalog,
so no product names are written here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from assistant.search.query import GENDER_WORDS, QUERY_COLOURS, Vocabulary, parse_query
from index.catalog import Product
from index.text import FILLER_WORDS, STOPWORDS, normalise, plural, singular

INTENTS = (
    "search",
    "refine",
    "cheaper",
    "pricier",
    "something_else",
    "show",
    "compare",
    "outfit",
    "similar",
    "cart_add",
    "cart_remove",
    "cart_show",
    "preference",
    "why",
    "forget",
    "help",
    "smalltalk",
    "reset",
)

# Words of category names that say nothing about what the thing is.
_GENERIC = {
    "clothing",
    "accessories",
    "wear",
    "casual",
    "party",
    "formal",
    "sports",
    "western",
    "ethnic",
    "women",
    "men",
    "girls",
    "boys",
    "kids",
    "baby",
    "infant",
    "womens",
    "mens",
    "needs",
    "care",
    "personal",
    "home",
    "festive",
    "decor",
    "dining",
    "kitchen",
    "spare",
    "parts",
    "interior",
    "exterior",
    "lingerie",
    "sleep",
    "swimwear",
    "fashion",
    "more",
    "other",
    "combo",
    "sets",
    "set",
    "essentials",
    "body",
    "car",
    "bike",
    "gadgets",
    "usb",
    "travel",
    "document",
    "holders",
    "night",
    "mobiles",
    "computers",
    "automotive",
    "beauty",
    "makeup",
    "hand",
    "handheld",
    "door",
    "bumper",
    "wheel",
    "tyre",
    "screen",
    "wall",
    "decorative",
    "need",
    "part",
    "component",
    "components",
    "gadget",
    "lighting",
    "table",
    "styling",
    "skin",
    "hair",
    "sun",
    "eye",
    "air",
    "fragrance",
    "freshener",
    "fresheners",
    "clothes",
    "footwear",
    "jewellery",
    "network",
    "card",
}
OCCASIONS = (
    "wedding",
    "party",
    "office",
    "work",
    "formal",
    "casual",
    "sports",
    "gym",
    "running",
    "beach",
    "festive",
    "everyday",
    "travel",
    "interview",
    "lounge",
)
# Everyday words the typo corrector must leave alone even when they look like a catalog word.
_COMMON = frozenset(
    [
        "what",
        "that",
        "this",
        "with",
        "have",
        "like",
        "want",
        "need",
        "some",
        "they",
        "them",
        "then",
        "there",
        "here",
        "your",
        "from",
        "show",
        "more",
        "less",
        "much",
        "many",
        "very",
        "also",
        "just",
        "only",
        "good",
        "nice",
        "great",
        "well",
        "sure",
        "okay",
        "look",
        "looks",
        "shop",
        "shopping",
        "thing",
        "things",
        "else",
        "could",
        "would",
        "should",
        "about",
        "which",
        "where",
        "when",
        "first",
        "last",
        "next",
        "need",
        "want",
        "looking",
        "over",
        "start",
        "again",
        "into",
        "onto",
        "upon",
        "other",
        "others",
        "another",
        "than",
        "even",
        "ever",
        "every",
        "each",
        "both",
        "were",
        "been",
        "being",
        "does",
        "done",
        "doing",
        "make",
        "made",
        "take",
        "took",
        "give",
        "gave",
        "tell",
        "told",
        "find",
        "found",
        "keep",
        "kept",
        "help",
        "please",
        "thanks",
        "thank",
        "sorry",
        "really",
        "maybe",
        "perhaps",
        "today",
        "tomorrow",
        "week",
        "year",
        "time",
        "times",
        "ones",
        "same",
        "similar",
        "different",
        "better",
        "best",
        "most",
        "least",
        "little",
        "long",
        "short",
        "wide",
        "kind",
        "sort",
        "type",
        "colour",
        "color",
        "price",
        "size",
        "brand",
        "style",
        "item",
        "items",
        "product",
        "products",
        "stuff",
        "gift",
        "gifts",
        "wife",
        "husband",
        "friend",
        "mother",
        "father",
        "sister",
        "brother",
        "party",
        "work",
        "home",
        "away",
        "back",
        "down",
        "same",
    ]
)
MATERIALS = (
    "cotton",
    "polyester",
    "silk",
    "linen",
    "wool",
    "leather",
    "denim",
    "nylon",
    "rayon",
    "lycra",
    "georgette",
    "chiffon",
    "crepe",
    "satin",
    "velvet",
    "synthetic",
    "ceramic",
    "steel",
    "plastic",
    "spandex",
    "viscose",
    "polyamide",
)
# Words that name a shelf in some catalogs but, said by a shopper, are a season, occasion, colour or material.
_NOT_CATEGORIES = (
    frozenset(OCCASIONS)
    | frozenset(MATERIALS)
    | frozenset(QUERY_COLOURS)
    | {
        "summer",
        "winter",
        "fall",
        "spring",
        "monsoon",
        "school",
        "college",
        "material",
        "fabric",
        "multicolor",
        "multi",
        "designer",
        "fourth",
        "4th",
        "mega",
        "silver-01",
        "text",
        "ons",
        "purpose",
        "beyond",
        "conflict",
        "outdoor",
        "leisure",
        "play",
        "public",
        "system",
        "unit",
        "human",
        "physical",
        "science",
    }
)
SIZES = ("xxs", "xs", "s", "m", "l", "xl", "xxl", "xxxl", "small", "medium", "large")
ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "sixth": 6,
    "6th": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}

# Exemplars for the embedding fallback: paraphrases the rules below do not spell out.
EXEMPLARS: dict[str, list[str]] = {
    "cheaper": [
        "that is too expensive",
        "too pricey for me",
        "I can't afford these",
        "show me less costly ones",
        "something more affordable",
        "lower budget please",
    ],
    "pricier": ["show me premium options", "something more upmarket", "better quality, price is no issue"],
    "something_else": [
        "I don't like any of these",
        "none of these work for me",
        "show me different options",
        "not quite what I want, other ideas?",
    ],
    "outfit": [
        "what would look good with this",
        "how should I style it",
        "help me build an outfit around it",
        "which accessories suit this",
    ],
    "cart_add": ["I'll take it", "I want to buy this one", "purchase this for me", "get me that one"],
    "cart_show": ["what have I picked so far", "what did I save", "list my selected items"],
    "why": ["how did you choose these", "what made you pick this", "explain your recommendation"],
    "forget": ["delete everything you know about me", "erase my history", "stop tracking me"],
    "help": ["what can you do", "how does this work", "what should I type", "I'm lost"],
    "smalltalk": ["how are you", "good morning", "you are great", "nice talking to you", "goodbye"],
    "compare": ["which of these is better", "what's the difference between them", "pros and cons of these"],
    "similar": ["more like this one", "anything resembling that", "alternatives to it"],
}

_RULES: list[tuple[str, re.Pattern[str]]] = [
    (i, re.compile(p))
    for i, p in [
        (
            "forget",
            r"\bforget (?:me|about me|my (?:data|history|profile))\b|"
            r"\b(?:delete|erase|wipe) my (?:data|profile|history|account)\b",
        ),
        (
            "why",
            r"\bwhy\b.*\b(?:see|seeing|suggest|suggested|show|showing|shown|recommend|recommended|pick|"
            r"picked|this|that|these|it)\b|^why\??$",
        ),
        ("reset", r"^(?:start over|start again|reset|new search|clear (?:all|everything|filters))\b"),
        ("help", r"^(?:help|\?|what can you do|how does (?:this|it) work)\b"),
        (
            "cart_remove",
            r"\b(?:remove|delete|take|drop)\b.*\b(?:cart|bag|basket)\b|"
            r"\b(?:remove|take out) (?:it|that|this)\b",
        ),
        (
            "cart_add",
            r"\b(?:add|put|throw)\b.*\b(?:cart|bag|basket)\b|^(?:buy|add) (?:it|this|that|the \w+(?: one)?)\b",
        ),
        (
            "cart_show",
            r"\b(?:what'?s|what is|show|view|see|open)\b.*\b(?:my|the) (?:cart|bag|basket)\b|"
            r"^(?:my )?(?:cart|basket)\??$",
        ),
        ("compare", r"\bcompare\b|\bdifference between\b|\bwhich (?:one )?is better\b|\b(?:vs|versus)\b"),
        (
            "outfit",
            r"\b(?:go(?:es)? (?:well )?with|match(?:es)? (?:it|this|that|with)|pair(?:s)? (?:well )?with|"
            r"complete the look|wear (?:it )?with|style (?:it|this)|outfit)\b",
        ),
        ("similar", r"\b(?:similar|more like (?:it|this|that)|like (?:this|that) one|alternatives? to)\b"),
        (
            "preference",
            r"\b(?:i'?m|i am) (?:a )?size\b|\bmy size is\b|\bi (?:wear|take) (?:a )?size\b|"
            r"\bi (?:don'?t|do not|never) (?:like|want|wear)\b|\bi (?:hate|dislike|avoid|prefer|love)\b",
        ),
        (
            "cheaper",
            r"\b(?:cheaper|less expensive|lower price[sd]?|too expensive|too pricey|more affordable|"
            r"less costly|on a budget)\b",
        ),
        ("pricier", r"\b(?:more expensive|pricier|higher end|more premium|fancier)\b"),
        (
            "something_else",
            r"\b(?:something else|anything else|other options|other ones|different ones|more options|"
            r"show me (?:some )?more|something different)\b",
        ),
        (
            "smalltalk",
            r"^(?:hi|hello|hey|hiya|thanks|thank you|thx|ok|okay|cool|great|nice|bye|goodbye|good "
            r"(?:morning|evening|afternoon))\b[\s!.,a-z]{0,12}$",
        ),
    ]
]

# Words of a message that do not describe the product (kept out of the search text).
_NOT_TERMS = (
    STOPWORDS
    | FILLER_WORDS
    | frozenset(GENDER_WORDS)
    | frozenset(ORDINALS)
    | frozenset(
        ["i'm", "under", "over", "cheap", "instead", "with", "well", "number", "item", "option", "last", "final", "no"]
    )
)

_REF_ORD = re.compile(r"\b(?:the )?(" + "|".join(ORDINALS) + r")(?: one| item| product)?\b")
_REF_NUM = re.compile(r"(?:\b(?:number|no\.?|item|option|product)\s*|#)(\d{1,2})\b")
_REF_LAST = re.compile(r"\bthe (?:last|final) (?:one|item)\b|\blast one\b")
_REF_FIRST_N = re.compile(r"\b(?:first|top) (two|three|four|2|3|4)\b")
_REF_PAIR = re.compile(r"\b(\d)(?:st|nd|rd|th)? (?:and|&|with|vs) (?:the )?(\d)(?:st|nd|rd|th)?\b")
_REF_FOCUS = re.compile(r"\b(?:it|this|that|this one|that one|them|these)\b")
_REF_COLOUR = re.compile(r"\bthe (" + "|".join(sorted(QUERY_COLOURS, key=len, reverse=True)) + r") ones?\b")
_NEG = re.compile(
    r"\b(?:not|no|without|except|anything but|nothing|don'?t (?:like|want)|do not (?:like|want)|"
    r"hate|dislike|avoid|never wear)\s+(?:in\s+|any\s+|from\s+)?([a-z][a-z0-9&'\-]*(?: [a-z]+)?)"
)
_SIZE = re.compile(r"\bsize\s*(?:is\s*)?([a-z0-9]{1,4})\b|\b(xxs|xs|xxl|xxxl|xl)\b")
_REMOVE_SLOT = re.compile(
    r"\b(?:any (colou?r|brand|price)|(?:drop|remove|forget|ignore) the (colou?r|brand|price)"
    r"(?: filter)?)\b"
)
_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")


def _clean(text: str) -> str:
    return re.sub(r"'s\b|'", "", normalise(text).replace("&", " "))


@dataclass
class NluVocab:
    """Catalog words the NLU may treat as slots, and the words its typo corrector knows."""

    categories: dict[str, str] = field(default_factory=dict)  # singular word -> the same (display form)
    brands: dict[str, str] = field(default_factory=dict)  # normalised -> display
    known_words: list[str] = field(default_factory=list)  # what typos are corrected towards
    query_vocab: Vocabulary = field(default_factory=Vocabulary)

    @classmethod
    def from_products(cls, products: Iterable[Product], vocab: Vocabulary | None = None) -> NluVocab:
        products = list(products)
        vocab = vocab or Vocabulary.from_products(products)
        cats: dict[str, str] = {}
        brand_words = {b.split()[0] for b in vocab.brands}  # "alisha" of "Alisha Shorts"
        for p in products:
            # the nouns of a category are its nodes' last words ("Casual Shoes", "Wrist Watches") and the
            # words of the product type; brand shelves ("Alisha Shorts") must not make "alisha" a category
            words = [ws[-1] for ws in (_WORD.findall(_clean(node)) for node in p.category[:3]) if ws]
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
                ):
                    cats.setdefault(s, s)
        plurals = {plural(c) for c in cats}
        known = (
            set(cats)
            | plurals
            | set(QUERY_COLOURS)
            | set(GENDER_WORDS)
            | set(OCCASIONS)
            | set(MATERIALS)
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
        return cls(cats, dict(vocab.brands), sorted(w for w in known if len(w) >= 4), vocab)


@dataclass
class SlotChanges:
    category: str | None = None
    gender: str | None = None
    colour: str | None = None
    brand: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    occasion: str | None = None
    material: str | None = None
    size: str | None = None
    exclude_brand: str | None = None
    exclude_colour: str | None = None
    exclude_material: str | None = None
    clear: list[str] = field(default_factory=list)  # slots the shopper dropped ("any colour")
    terms: list[str] = field(default_factory=list)  # descriptive words left over ("summer", "floral")

    def changed(self) -> list[str]:
        return [k for k, v in self.__dict__.items() if v not in (None, [], "")]


@dataclass
class Parse:
    intent: str
    slots: SlotChanges
    refs: list[int] = field(default_factory=list)  # 1-based positions in the shown list; -1 = the last one
    ref_colour: str | None = None  # "the red one"
    ref_focus: bool = False  # "it", "that one"
    confidence: float = 1.0
    source: str = "rule"  # rule | embedding | default
    text: str = ""  # the normalised (typo-corrected) message


class IntentExemplars:
    """Exemplar sentences embedded once; a message's nearest exemplar names its intent."""

    def __init__(self, encode: Callable[[Sequence[str]], np.ndarray], exemplars: dict[str, list[str]] = EXEMPLARS):
        self.labels = [i for i, xs in exemplars.items() for _ in xs]
        self.matrix = encode([x for xs in exemplars.values() for x in xs])  # unit rows

    def nearest(self, vec: np.ndarray) -> tuple[str, float]:
        sims = self.matrix @ vec
        i = int(np.argmax(sims))
        return self.labels[i], float(sims[i])


def correct_typos(text: str, vocab: NluVocab) -> str:
    """Replace unknown words with the closest known word when they are nearly the same ('dres', 'chaeper')."""
    known = set(vocab.known_words) | set(vocab.categories) | set(vocab.brands) | STOPWORDS
    out = []
    for w in text.split(" "):
        core = w.strip("?!.,")
        if (
            len(core) >= 4
            and core.isalpha()
            and core not in known
            and singular(core) not in known
            and core not in _COMMON
        ):
            m = process.extractOne(core, vocab.known_words, scorer=fuzz.ratio, score_cutoff=85)
            if m is not None:
                w = w.replace(core, m[0])
        out.append(w)
    return " ".join(out)


def _refs(text: str) -> tuple[list[int], str | None, bool]:
    refs: list[int] = []
    m = _REF_FIRST_N.search(text)
    if m:
        n = NUMBER_WORDS.get(m.group(1)) or int(m.group(1))
        refs = list(range(1, n + 1))
    m = _REF_PAIR.search(text)
    if not refs and m:
        refs = [int(m.group(1)), int(m.group(2))]
    if not refs:
        refs = [ORDINALS[m.group(1)] for m in _REF_ORD.finditer(text)]
        refs += [int(m.group(1)) for m in _REF_NUM.finditer(text)]
        if _REF_LAST.search(text):
            refs.append(-1)
    m = _REF_COLOUR.search(text)
    colour = QUERY_COLOURS[m.group(1)] if m else None
    return refs, colour, bool(_REF_FOCUS.search(text))


def _category(words: list[str], vocab: NluVocab) -> str | None:
    # the head noun comes last in English noun phrases: "running shoes", "coffee mug", "leather wallet"
    for w in reversed(words):
        s = singular(w)
        if s in vocab.categories:
            return vocab.categories[s]
    return None


def parse_slots(text: str, vocab: NluVocab) -> SlotChanges:
    """Slot changes named in a message: filters via parse_query, plus category, occasion, material, size."""
    s = SlotChanges()
    for m in _REMOVE_SLOT.finditer(text):
        slot = (m.group(1) or m.group(2)).replace("colour", "colour").replace("color", "colour")
        s.clear.append(slot)
    text = _REMOVE_SLOT.sub(" ", text)
    for m in list(_NEG.finditer(text)):
        target = m.group(1)
        first = target.split()[0]
        if target in vocab.brands or first in vocab.brands:
            s.exclude_brand = vocab.brands.get(target) or vocab.brands[first]
        elif first in QUERY_COLOURS:
            s.exclude_colour = QUERY_COLOURS[first]
        elif first in MATERIALS:
            s.exclude_material = first
        else:
            continue
        text = text[: m.start()] + " " + text[m.end() :]
    sm = _SIZE.search(text)
    if sm:
        s.size = (sm.group(1) or sm.group(2)).upper()
        text = text[: sm.start()] + " " + text[sm.end() :]
    pq = parse_query(text, vocab.query_vocab)
    f = pq.filters
    s.gender, s.colour, s.brand, s.price_min, s.price_max = f.gender, f.colour, f.brand, f.price_min, f.price_max
    words = _WORD.findall(pq.text)
    s.category = _category(words, vocab)
    for w in words:
        if w in OCCASIONS and s.occasion is None:
            s.occasion = w
        elif w in MATERIALS and s.material is None:
            s.material = w
    skip = _NOT_TERMS
    brand_words = set(normalise(s.brand or "").split())
    s.terms = [
        w
        for w in words
        if w not in skip
        and singular(w) != s.category
        and w != s.occasion
        and w != s.material
        and w not in brand_words
        and not w.isdigit()
        and len(w) > 2
    ]
    return s


def parse_message(
    message: str,
    vocab: NluVocab,
    exemplars: IntentExemplars | None = None,
    encode_query: Callable[[str], np.ndarray] | None = None,
    threshold: float = 0.6,
) -> Parse:
    """Intent + slot changes for one message. Embedding fallback only when no rule fires."""
    text = normalise(message).replace("’", "'")
    text = re.sub(r"\s+", " ", text).strip()
    raw = text
    text = correct_typos(text, vocab)
    slots = parse_slots(text, vocab)
    refs, ref_colour, ref_focus = _refs(text)
    for intent, rx in _RULES:
        if rx.search(raw) or rx.search(text):
            if intent == "smalltalk" and (slots.category or slots.colour):
                break
            return Parse(intent, slots, refs, ref_colour, ref_focus, text=text)
    if slots.exclude_material and text.startswith(("i ", "i'm")):
        return Parse("preference", slots, refs, ref_colour, ref_focus, text=text)
    if slots.category:
        return Parse("search", slots, refs, ref_colour, ref_focus, text=text)
    if (refs or ref_colour) and (_looks_referential(text, refs, ref_colour) or not slots.terms):
        return Parse("show", slots, refs, ref_colour, ref_focus, text=text)
    if (
        any(
            v is not None
            for v in (
                slots.gender,
                slots.colour,
                slots.brand,
                slots.price_min,
                slots.price_max,
                slots.occasion,
                slots.material,
                slots.exclude_brand,
                slots.exclude_colour,
                slots.exclude_material,
            )
        )
        or slots.clear
    ):
        return Parse("refine", slots, refs, ref_colour, ref_focus, text=text)
    if exemplars is not None and encode_query is not None and text:
        intent, sim = exemplars.nearest(encode_query(text))
        if sim >= threshold:
            return Parse(intent, slots, refs, ref_colour, ref_focus, sim, "embedding", text)
    if slots.terms:
        return Parse("search", slots, refs, ref_colour, ref_focus, source="default", text=text)
    return Parse("help", slots, refs, ref_colour, ref_focus, 0.0, "default", text)


def _looks_referential(text: str, refs: list[int], ref_colour: str | None) -> bool:
    return bool(refs or ref_colour) and bool(re.search(r"\b(?:one|show|tell|details|about|open|see)\b", text))
