"""The English words a query asks with rather than names a product by: who it is for ("wife", "baby girl"), what it
is for ("gift"), negations ("without"), the cue words before a filter or a maker ("for", "by"). Never product
types, never a word a product must have; the same for every catalog (the shop's own words are learned in
assistant.search.vocab)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from assistant.search.query import GENDER_WORDS
from index.text import DEAR_WORDS, FILLER_WORDS, PRICE_WORDS, STOPWORDS

# Who a gift is for, named by how they relate to the shopper -> the catalog's gender value.
RELATIONS: dict[str, str] = {
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
    "toddler": "kids",
}
# Who a query is for, word by word: the relations and the catalog's gender words ("women", "boys").
RECIPIENTS: dict[str, str] = {**RELATIONS, **GENDER_WORDS}
# Pronouns name a recipient only after "for" or "to" ("a gift for her"), as the chat reads a message; a query word
# by word would read "he" and "she" anywhere.
PRONOUNS: dict[str, str] = {"her": "women", "she": "women", "him": "men", "he": "men"}
# Pairs read as one recipient: "baby girl" wants girls' and baby products alike.
RECIPIENT_PAIRS: dict[tuple[str, str], str] = {
    ("baby", "girl"): "baby_girl",
    ("baby", "girls"): "baby_girl",
    ("baby", "boy"): "baby_boy",
    ("baby", "boys"): "baby_boy",
    **{(w, g): f"baby_{g.rstrip('s')}" for w in ("newborn", "infant") for g in ("girl", "girls", "boy", "boys")},
}
# What a recipient value admits, beyond index.attributes.GENDER_ADMITS.
RECIPIENT_ADMITS: dict[str, frozenset[str]] = {
    "baby_girl": frozenset({"girls", "baby", "unisex"}),
    "baby_boy": frozenset({"boys", "baby", "unisex"}),
}
# A child's age ("5 year old", "18 months", "age 3") says who a product is for, never a word it must have.
AGE_UNITS: dict[str, float] = {
    **dict.fromkeys(("year", "years", "yr", "yrs", "yo"), 1.0),
    **dict.fromkeys(("month", "months", "mo", "mos", "mth", "mths"), 1 / 12),
}
_AGE_WORD = re.compile(r"^(\d+)(" + "|".join(sorted(AGE_UNITS, key=len, reverse=True)) + r")$")
CHILD_GENDERS = frozenset({"girls", "boys", "kids", "baby"})
_NOT_AGES = frozenset({"warranty", "guarantee", "subscription", "plan", "pack", "supply"})


def ages(ws: Sequence[str], gender_words: Mapping[str, str]) -> list[tuple[int, int, float]]:
    """The ages a query's words name, as (first word, end, years): "5 year old", "5yrs old", "18 months", "age 3".
    A number and a unit without "old" is an age only after "for"/"age"/"aged" or beside a word for a child
    ("dress for 10 years girl"), never in "2 years warranty"."""
    child = any(gender_words.get(w) in CHILD_GENDERS for w in ws)
    out: list[tuple[int, int, float]] = []
    i = 0
    while i < len(ws):
        w, nxt = ws[i], ws[i + 1] if i + 1 < len(ws) else ""
        m = _AGE_WORD.match(w)
        if m or (w.isdigit() and nxt in AGE_UNITS):
            number, unit = (m.group(1), m.group(2)) if m else (w, nxt)
            end = i + (1 if m else 2)
            old = end < len(ws) and ws[end] == "old"
            # a few months is a baby's age however said ("6 months" after "baby clothes"), not a warranty's
            months = AGE_UNITS[unit] < 1 and int(number) <= 36 and (end >= len(ws) or ws[end] not in _NOT_AGES)
            if old or child or months or (i and ws[i - 1] in ("for", "age", "aged")):
                out.append((i, end + old, int(number) * AGE_UNITS[unit]))
                i = end + old
                continue
        if w in ("age", "aged") and nxt.isdigit():
            out.append((i, i + 2, float(nxt)))
            i += 2
            continue
        if (w in CHILD_PRONOUNS or gender_words.get(w) in CHILD_GENDERS) and nxt == "is" and i + 2 < len(ws):
            # "she is 12", "my son is 5 years": a child's age said of the person
            n = ws[i + 2]
            if n.isdigit() and int(n) < 18:
                end = i + 3 + (i + 3 < len(ws) and ws[i + 3] in AGE_UNITS)
                end += end < len(ws) and ws[end] == "old"
                unit = AGE_UNITS.get(ws[i + 3], 1.0) if i + 3 < len(ws) else 1.0
                out.append((i + (w not in CHILD_PRONOUNS), end, int(n) * unit))
                i = end
                continue
        i += 1
    return out


# Who "she is 12" is: a girl, "he" a boy (a child's age said of them)
CHILD_PRONOUNS: dict[str, str] = {"she": "girls", "he": "boys"}


def age_gender(years: float, said: str | None) -> str | None:
    """Who products for a child of that age are for, given who the words said (None, "girls", "boys", ...):
    a baby under 2 ("baby_girl" for a girl), a child to 12, nobody in particular from 13."""
    if years < 2:
        return {"girls": "baby_girl", "boys": "baby_boy"}.get(said or "", "baby")
    if years <= 12:
        return said if said in CHILD_GENDERS else "kids"
    return said


# What a query is for rather than what it is ("gift for wife"): ranked as text, never a product type.
PURPOSE_WORDS = frozenset({"gift", "gifts", "present", "presents"})
NEGATORS = frozenset({"not", "without", "no", "except", "excluding", "minus"})
FITS_ALL = frozenset({"all", "any", "everi", "universal"})  # stems: "for all mobiles", "universal"
CUES = frozenset({"for", "with", "by", "from", "in", "under", "over", "above", "below", "at", "of", "size"})
MAKER_CUES = frozenset({"by", "from"})
# "other", "another": which one, never a kind of product (the shop's "Other Sports" shelf made "saree other than
# silk" ask for an eBook)
OTHER_WORDS = frozenset({"other", "others", "another"})
# "looking for a laptop bag": the asking, never what the product is made for (it read "for a laptop bag" as a device)
SEEKING = frozenset({"looking", "look", "searching", "search", "shopping", "shop", "hunting"})
NOT_TYPE_WORDS = (
    STOPWORDS
    | FILLER_WORDS
    | frozenset(GENDER_WORDS)
    | frozenset(RECIPIENTS)
    | PRICE_WORDS
    | DEAR_WORDS
    | PURPOSE_WORDS
    | OTHER_WORDS
)
QUERY_WORDS = NOT_TYPE_WORDS  # words that ask rather than name a product: never matched, never "not found"


# "my sister who likes jewellery", "a gift for dad who is into cooking": what follows is the thing to look for
INTEREST_VERBS = frozenset({"likes", "like", "loves", "love", "enjoys", "enjoy", "into", "wants", "needs"})


def interest(ws: Sequence[str]) -> tuple[int, int] | None:
    """(start, end) of the words saying a person's interest ("who likes", "who is into"; "my wife loves", "dad is
    into", "she likes", the person kept: who it is for), whose following words name what to look for; None when the
    query has none."""
    for i, w in enumerate(ws[:-2]):
        j = i + 1 + (ws[i + 1] == "is")
        if j < len(ws) - 1 and ws[j] in INTEREST_VERBS and (w == "who" or w in RELATIONS or w in ("he", "she")):
            return (i if w in ("who", "he", "she") else i + 1), j + 1
    return None


# How things are sold, not what they are: "a set of", "pack of 3", "perfume gift set"
COLLECTIVES = frozenset({"set", "sets", "pack", "packs", "combo", "combos", "kit", "kits", "pair", "pairs"})
# ... and how many come together: "pack of 5", "5 pack", "set of 4", "6 pcs" (assistant.chat reads them as a count)
PIECES = COLLECTIVES | {"pcs", "pc", "piece", "pieces"}
# Heads that are of what the words before them name: a set of knives, wear for the night ("night wear")
OF_WHAT_PRECEDES = COLLECTIVES | {"wear", "wears"}


def counted(ws: Sequence[str]) -> list[str]:
    """The words with each count said as "<n> pack" ("pack of 5", "set of 5", "5 pcs": "5", "pack"), the one form
    a count is matched in (assistant.chat.matching.quantities)."""
    out: list[str] = []
    i = 0
    while i < len(ws):
        if ws[i] in PIECES and i + 2 < len(ws) and ws[i + 1] == "of" and ws[i + 2].isdigit():
            out += [ws[i + 2], "pack"]
            i += 3
            continue
        if ws[i].isdigit() and i + 1 < len(ws) and ws[i + 1] in PIECES:
            out += [ws[i], "pack"]
            i += 2
            continue
        out.append(ws[i])
        i += 1
    return out


def sold_as(ws: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) of each "pack of 3", "set of 2", "pair of": how many come together, no kind of product."""
    out = []
    for i, w in enumerate(ws[:-1]):
        if w in COLLECTIVES and ws[i + 1] == "of":
            out.append((i, i + 2 + (i + 2 < len(ws) and ws[i + 2].isdigit())))
    return out


# Sizes a shopper may type after "size": the catalog lists no size per product (one is picked on the product's page)
_SIZE_LETTERS = frozenset({"xxs", "xs", "s", "m", "l", "xl", "xxl", "xxxl", "2xl", "3xl", "4xl", "free"})
_SIZE_SYSTEMS = frozenset({"uk", "us", "eu", "euro", "ind", "india"})


def sizes(ws: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) of each size asked ("size 9", "size uk 8", "size xl"): no word for a page to state (a ball's
    "Size: 7" is no shoe size) and no kind of product ("king size" names a kind of bedsheet: no number follows)."""
    out = []
    for i, w in enumerate(ws):
        j = i + 1 + (i + 1 < len(ws) and ws[i + 1] in _SIZE_SYSTEMS)
        if w == "size" and j < len(ws) and (ws[j].isdigit() or ws[j] in _SIZE_LETTERS):
            out.append((i, j + 1))
    return out
