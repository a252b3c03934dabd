"""The English words a query asks with rather than names a product by: who it is for ("wife", "baby girl"), what it
is for ("gift"), negations ("without"), the cue words before a filter or a maker ("for", "by"). Never product
types, never a word a product must have; the same for every catalog (the shop's own words are learned in
assistant.search.vocab)."""

from __future__ import annotations

from assistant.search.query import GENDER_WORDS
from index.text import FILLER_WORDS, PRICE_WORDS, STOPWORDS

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
}
# What a recipient value admits, beyond index.attributes.GENDER_ADMITS.
RECIPIENT_ADMITS: dict[str, frozenset[str]] = {
    "baby_girl": frozenset({"girls", "baby", "unisex"}),
    "baby_boy": frozenset({"boys", "baby", "unisex"}),
}
# What a query is for rather than what it is ("gift for wife"): ranked as text, never a product type.
PURPOSE_WORDS = frozenset({"gift", "gifts", "present", "presents"})
NEGATORS = frozenset({"not", "without", "no", "except", "excluding", "minus"})
FITS_ALL = frozenset({"all", "any", "everi", "universal"})  # stems: "for all mobiles", "universal"
CUES = frozenset({"for", "with", "by", "from", "in", "under", "over", "above", "below", "at", "of", "size"})
MAKER_CUES = frozenset({"by", "from"})
NOT_TYPE_WORDS = (
    STOPWORDS | FILLER_WORDS | frozenset(GENDER_WORDS) | frozenset(RECIPIENTS) | PRICE_WORDS | PURPOSE_WORDS
)
QUERY_WORDS = NOT_TYPE_WORDS  # words that ask rather than name a product: never matched, never "not found"
