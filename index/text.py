"""The one text vocabulary: how search, autocomplete and the chat read words.

normalise -> tokenize (words, one stop-word list, hyphenated and split compounds joined: "t-shirt",
"t shirt" and "tshirt" all give "tshirt") -> stem (PyStemmer, English: "shoes" and "shoe" are one term).
Also singular/plural for display, number and price words ("2k", "under 500"), and money formatting with
Babel from a product's own currency. Pure functions; the per-word ones are memoised with functools.lru_cache.
The typo corrector over these words is `index/corrector.py`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer
from babel.numbers import format_currency

# The one stop-word list: words that never identify a product (articles, prepositions, conjunctions, the "s" of
# "men's"). A function word missing here is read as a word the product must have ("coffee mug as a gift").
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "for",
        "of",
        "in",
        "on",
        "with",
        "to",
        "by",
        "from",
        "at",
        "is",
        "are",
        "or",
        "s",
        "as",
        "into",
        "than",
        "but",
        "if",
        "be",
    ]
)
ARTICLES = frozenset(["a", "an", "the", "any"])  # "not a dress": the negation is of what follows the article
# Words of a request that describe the asking, not the product ("show me some", "i need").
FILLER_WORDS = frozenset(
    [
        "i",
        "im",
        "am",  # "i am looking for": no word to match (the maker "I Am For You")
        "me",
        "my",
        "want",
        "need",
        "needs",
        "looking",
        "look",
        "show",
        "find",
        "get",
        "buy",
        "some",
        "something",
        "any",
        "please",
        "would",
        "could",
        "can",
        "you",
        "like",
        "see",
        "just",
        "maybe",  # "a present for my dad, maybe a wallet"
        "perhaps",
        "also",
        "only",
        "what",
        "which",  # "which watch is good for a gift"
        "how",
        "about",  # "what about a keyboard", "how about headphones"
        "have",
        "do",
        "got",
        "this",
        "that",
        "these",
        "those",
        "it",
        "one",
        "ones",
        "new",
        "nice",
        "good",
        "best",  # "best running shoes": what every page would say of itself, no word to match ("Best Walk")
        "stuff",
        "thing",
        "things",
        "item",
        "items",
        "whats",  # "whats the cheapest one" (was "hats")
        "sell",  # "do you sell laptops": the asking (was "self")
        "sells",
        "idea",  # "gift ideas": the asking ("cooking ideas" was looked for)
        "ideas",
        "suggestion",
        "suggestions",
        "options",
    ]
)
# Words that ask for a price level rather than name a product ("cheap earrings"): never corrected to a
# catalog word, never matched as text.
# Units of measure as shoppers spell them -> the unit. After a number such a word is a word of the language, never
# a misspelt product word ("pressure cooker 5 litre" is not "5 lite"); the search reads it as the shop writes the
# unit (QueryVocab.unit_forms: "5 litre" finds the shop's "5 L").
_UNIT_SPELLINGS = {
    "l": "l lt lts ltr ltrs litre litres liter liters",
    "ml": "ml mls millilitre millilitres milliliter milliliters",
    "kg": "kg kgs kilo kilos kilogram kilograms kilogramme kilogrammes",
    "g": "g gm gms gr grm grms gram grams gramme grammes",
    "mg": "mg milligram milligrams",
    "cm": "cm cms centimetre centimetres centimeter centimeters",
    "mm": "mm millimetre millimetres millimeter millimeters",
    "m": "m mtr mtrs metre metres meter meters",
    "inch": "inch inches inchs",
    "ft": "ft feet foot",
    "w": "w watt watts",
    "v": "v volt volts",
    "mah": "mah",
    "gb": "gb gigabyte gigabytes",
    "tb": "tb terabyte terabytes",
    "mb": "mb megabyte megabytes",
    "ton": "ton tons tonne tonnes",
    "oz": "oz ounce ounces",
    "pcs": "pc pcs piece pieces",
}
UNITS: dict[str, str] = {w: unit for unit, spelt in _UNIT_SPELLINGS.items() for w in spelt.split()}
PRICE_WORDS = frozenset(["cheap", "cheaper", "cheapest", "budget", "affordable", "inexpensive", "lowcost"])
# ... and for the dearer end ("expensive watch", "luxury perfume")
DEAR_WORDS = frozenset(["expensive", "costly", "pricey", "luxury", "luxurious", "premium", "highend"])
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_STEMMER = Stemmer.Stemmer("english")


def normalise(text: str) -> str:
    """Lowercase, strip accents, fold whitespace and typographic apostrophes: the form every matcher compares."""
    text = text or ""
    if not text.isascii():  # most catalog text is: skip the per-character pass
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().replace("’", "'").split())


# Tokens are kept for short texts only, and for a few thousand of them: queries, names and phrases repeat
# (per keystroke, per search), a catalog's long texts are read once at load. Kept for every text, up to 65,536
# of them, a 20k catalog's lexical and page texts held ~40 MB of tuples and strings that nothing read again.
TOKEN_CACHE = 8192
CACHED_CHARS = 100


def _tokens(text: str) -> tuple[str, ...]:
    return _cached_tokens(text) if len(text) <= CACHED_CHARS else _tokenize(text)


@lru_cache(maxsize=TOKEN_CACHE)
def _cached_tokens(text: str) -> tuple[str, ...]:
    return _tokenize(text)


def _tokenize(text: str) -> tuple[str, ...]:
    out: list[str] = []
    raw = _TOKEN_RE.findall(normalise(text))
    for i, w in enumerate(raw):
        parts = w.split("-")
        out.extend(p for p in parts if p not in STOPWORDS)
        if len(parts) > 1:
            out.append("".join(parts))  # "t-shirt" -> also "tshirt"
        elif len(w) == 1 and w not in STOPWORDS and w.isalpha() and i + 1 < len(raw) and raw[i + 1].isalpha():
            out.append(w + raw[i + 1].replace("-", ""))  # "t shirt" -> also "tshirt"
    return tuple(out)


def tokenize(text: str) -> list[str]:
    """The words of a text, without stop words; compounds also as one word ("t-shirt" -> t, shirt, tshirt)."""
    return list(_tokens(text))


def words(text: str) -> list[str]:
    """The plain words of a text in order (stop words kept, hyphens split), for phrase parsing."""
    return [p for w in _TOKEN_RE.findall(normalise(text)) for p in w.split("-") if p]


# Words the stemmer would join to another word of a different meaning. A word ending in "-ing" is its own stem (its
# plural its singular): in a shop's words it is mostly a thing of its own, not the verb or noun it is made from
# ("dressing" table, not dress; "clothing", not a cleaning cloth; "leggings", not leg; "bedding", "painting",
# "lighting"), and the shopper and the page write the same form ("running shoes"). "clothes" is not the plural of
# "cloth" (that is "cloths"): it is read as "clothing".
_OWN_STEM = {"clothes": "clothing"}
# English nouns in -f/-fe whose plural is -ves: the stemmer keeps "knives" apart from "knife" ("knive"), so a shop's
# "Kitchen Knives" were no knife to "knife", its "Wall Shelves" no "wall shelf", its "Scarfs" no "scarves"
_VES_PLURALS = {
    p: s
    for s, p in (
        ("knife", "knives"),
        ("shelf", "shelves"),
        ("scarf", "scarves"),
        ("leaf", "leaves"),
        ("half", "halves"),
        ("wolf", "wolves"),
        ("loaf", "loaves"),
        ("wife", "wives"),
        ("life", "lives"),
        ("calf", "calves"),
        ("thief", "thieves"),
        ("hoof", "hooves"),
        ("elf", "elves"),
        ("self", "selves"),
    )
}
_OWN_STEM.update(_VES_PLURALS)
_VES_SINGULARS = {s: p for p, s in _VES_PLURALS.items()}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """English stem ("shoes" -> "shoe", "dresses" -> "dress"); an "-ing" word is its own ("dressing", "leggings"
    -> "legging")."""
    word = _OWN_STEM.get(word, word)
    one = word[:-1] if word.endswith("ings") else word
    if one.endswith("ing") and len(one) > 4:
        return one
    return str(_STEMMER.stemWord(word))


def readings(word: str) -> tuple[str, ...]:
    """Every stem a word may be read as: its stem, and for an "-ing" word also the stem of the word it is made from
    ("padding": padding, pad). For what must leave nothing out: "bra without padding" excludes "Padded" too."""
    return tuple(dict.fromkeys((stem(word), str(_STEMMER.stemWord(word)))))


def terms(text: str) -> list[str]:
    """Stemmed tokens: what BM25 indexes and the phrase matcher compares."""
    return [stem(t) for t in _tokens(text)]


@lru_cache(maxsize=16384)
def singular(word: str) -> str:
    """English singular for display and matching ("dresses" -> "dress", "watches" -> "watch", "knives" -> "knife")."""
    if word in _VES_PLURALS:
        return _VES_PLURALS[word]
    if len(word) > 4 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as", "ys")):
        return word[:-1]
    if len(word) > 3 and word.endswith("ys"):
        return word[:-1]
    return word


@lru_cache(maxsize=16384)
def plural(word: str) -> str:
    """English plural of a singular noun ("dress" -> "dresses", "watch" -> "watches", "shoe" -> "shoes", "knife" ->
    "knives")."""
    if not word:
        return word
    if word in _VES_SINGULARS:
        return _VES_SINGULARS[word]
    if word.endswith(("s", "sh", "ch", "x", "z")):
        return word + "es"
    if len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


# -- numbers and prices ------------------------------------------------------------------------------------

_MULT = {"k": 1e3, "thousand": 1e3, "lakh": 1e5, "lakhs": 1e5, "lac": 1e5}
_NUM_WORD = re.compile(r"\b(\d+(?:\.\d+)?)\s?(k|thousand|lakhs?|lac)\b")
_NUM = r"(\d[\d,]*(?:\.\d+)?)"
_CUR = r"(?:rs\.?|inr|₹|\$|usd|eur|€|£|rupees?|bucks|dollars?|euros?)?"
_PRICE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\bbetween\s*{_CUR}\s*{_NUM}\s*{_CUR}\s*(?:and|to|-)\s*{_CUR}\s*{_NUM}\s*{_CUR}"), "range"),
    (re.compile(rf"\bfrom\s*{_CUR}\s*{_NUM}\s*{_CUR}\s*to\s*{_CUR}\s*{_NUM}\s*{_CUR}"), "range"),
    (re.compile(rf"{_CUR}\s*{_NUM}\s*{_CUR}\s*(?:-|to)\s*{_CUR}\s*{_NUM}\s*{_CUR}(?=\s|$)"), "bare"),
    (
        re.compile(
            rf"\b(?:under|below|less than|cheaper than|upto|up to|max(?:imum)?|at most|within|<|"
            rf"budget(?: is| of)?(?: around| about)?)\s*{_CUR}\s*"
            rf"{_NUM}\s*{_CUR}"
        ),
        "max",
    ),
    (re.compile(rf"\b(?:over|above|more than|at least|min(?:imum)?|from|>)\s*{_CUR}\s*{_NUM}\s*{_CUR}"), "min"),
]


def expand_numbers(text: str) -> str:
    """Number words to digits: "2k" -> "2000", "1.5 lakh" -> "150000"."""
    return _NUM_WORD.sub(lambda m: f"{float(m.group(1)) * _MULT[m.group(2)]:g}", text)


MAX_PRICE = 1e12  # larger "prices" are typos or probes; also keeps filters finite (JSON has no inf)


def parse_price(text: str) -> tuple[float | None, float | None, str]:
    """(min, max, text without the price phrase) of a normalised text ("under 2k" -> (None, 2000, ""))."""
    text = expand_numbers(text)
    for rx, kind in _PRICE_PATTERNS:
        m = rx.search(text)
        if not m:
            continue
        nums = [float(g.replace(",", "")) for g in m.groups() if g is not None]
        if not all(n <= MAX_PRICE for n in nums):
            continue  # "under 999...9" overflows to inf: not a price, and inf is not JSON
        if kind == "bare" and min(nums) < 50:
            continue  # "13-516" is a model number, not a price range
        rest = (text[: m.start()] + " " + text[m.end() :]).strip()
        if kind in ("range", "bare"):
            lo, hi = sorted(nums[:2])
            return lo, hi, rest
        if kind == "max":
            return None, nums[0], rest
        return nums[0], None, rest
    return None, None, text


def format_price(amount: float | None, currency: str = "INR", locale: str = "en") -> str:
    """Money as a shopper reads it, in the product's own currency: 1299, "INR" -> "₹1,299"; "" for None."""
    if amount is None:
        return ""
    digits = amount != int(amount)
    try:
        return str(
            format_currency(
                amount,
                currency or "INR",
                format=None if digits else "¤#,##0",
                locale=locale,
                currency_digits=digits,
            )
        )
    except (ValueError, LookupError):  # an unknown currency code: say the code rather than fail
        return f"{currency} {amount:,.0f}"
