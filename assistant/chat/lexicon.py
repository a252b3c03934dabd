"""The chat's own words: intents and their exemplar phrasings, occasions, sizes, ordinals, and the patterns for
references ("the second one"), negations and sizes. Catalog words (types, brands, materials) are learned from
the loaded catalog by `NluVocab`; only the language of shopping is written here."""

from __future__ import annotations

import re

from assistant.search.asking import PURPOSE_WORDS
from assistant.search.query import GENDER_WORDS, QUERY_COLOURS
from index.text import DEAR_WORDS, FILLER_WORDS, PRICE_WORDS, STOPWORDS, stem


def _words(text: str) -> tuple[str, ...]:
    """A word list written as running text (one word per line would bury the code under its data)."""
    return tuple(text.split())


INTENTS = _words(
    """
    search refine cheaper pricier something_else show compare outfit similar cart_add cart_remove cart_show
    preference why forget help smalltalk reset thanks out_of_scope question complaint
"""
)

# Words of category names that say nothing about what the thing is.
_GENERIC = set(
    _words(
        """
    clothing accessories wear casual party formal sports western ethnic women men girls boys kids baby infant
    womens mens needs care personal home festive decor dining kitchen spare parts interior exterior lingerie
    sleep swimwear fashion more other combo sets set essentials body car bike gadgets usb travel document
    holders night mobiles computers automotive beauty makeup hand handheld door bumper wheel tyre screen wall
    decorative need part component components gadget lighting table styling skin hair sun eye air fragrance
    freshener fresheners clothes footwear jewellery network card
"""
    )
)
OCCASIONS = _words(
    """
    wedding party office work formal casual sports gym running beach festive everyday travel interview lounge
    birthday anniversary
"""
)
# Everyday words the typo corrector must leave alone even when they look like a catalog word.
_COMMON = frozenset(
    _words(
        """
    what that this with have like want need some they them then there here your from show more less much many
    very also just only good nice great well sure okay look looks shop shopping thing things else could would
    should about which where when first last next need want looking over start again into onto upon other others
    another than even ever every each both were been being does done doing make made take took give gave tell
    told find found keep kept help please thanks thank sorry really maybe perhaps today tomorrow week year time
    times ones same similar different better best most least little long short wide kind sort type colour color
    price size brand style item items product products stuff gift gifts wife husband friend mother father sister
    brother party work home away back deal deals weather today them down same who likes loves enjoys love enjoy
    searching search hunting
"""
    )
)
# Words that name a shelf in some catalogs but, said by a shopper, are a season, occasion or colour (the
# catalog's own material words are kept out of the categories by NluVocab, which learns them).
_NOT_CATEGORIES = (
    frozenset(OCCASIONS)
    | PURPOSE_WORDS  # "a present for my dad" asks for a gift, not a shelf of "presents"
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
        (
            "compare",
            r"\bcompare\b|\bdifference between\b|\bwhich (?:one )?is (?:the )?(?:better|best|cheapest)\b|"
            r"\b(?:vs|versus)\b|\bwhich (?:one )?(?:should i (?:buy|get|pick)|do you recommend)\b",
        ),
        (
            "outfit",
            r"\b(?:go(?:es)? (?:well )?with|match(?:es)? (?:it|this|that|with)|pair(?:s)? (?:well )?with|"
            r"complete the look|wear (?:it )?with|style (?:it|this)|outfit)\b",
        ),
        (
            "similar",
            r"\b(?:similar|more like (?:it|this|that|the \w+(?: one)?|#?\d)|(?:ones|something|anything) like (?:it|this"
            r"|that|the \w+ one)|like (?:this|that) one|alternatives? to)\b",
        ),
        (
            "preference",
            r"\b(?:i'?m|i am|he'?s|she'?s|he is|she is) (?:a )?size\b|\bmy size is\b|"
            r"\b(?:i|he|she|they|my \w+) (?:wears?|takes?) (?:a )?size\b|"
            r"\bi (?:don'?t|do not|never) (?:like|want|wear)\b|\bi (?:hate|dislike|avoid|prefer|love)\b",
        ),
        (
            "cheaper",
            r"\b(?:cheaper|cheapest|less expensive|least expensive|lower price[sd]?|lowest price[sd]?|too expensive|"
            r"too pricey|more affordable|less costly|on a budget)\b",
        ),
        ("pricier", r"\b(?:more expensive|most expensive|pricier|priciest|higher end|more premium|fancier)\b"),
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
    | PRICE_WORDS
    | DEAR_WORDS  # "an expensive watch": a price level, never a word the watch must say
    | frozenset(
        [
            *("i'm", "under", "over", "cheap", "instead", "with", "well", "number", "item", "option", "last"),
            *("final", "no", "them", "they", "us"),
            *("then", "now", "rather", "again"),  # "plates then": when, not what (it looked for plates saying "then")
            *("does", "come", "comes", "available", "availability"),  # "does it come in black?": the asking
        ]
    )
)

# Verbs of asking for advice or for things ("what would you suggest", "can you recommend", "help me find"):
# with the shared filler words, by their stems, so every inflection ("suggested", "recommendations") is the
# asking, never the thing asked for. A word the catalog uses as a category stays a product word (NluVocab).
REQUEST_VERBS = _words(
    """
    suggest recommend advise propose help search browse choose pick prefer tell give think wonder show find
    look want need like get buy see have got yes yeah yep yup sure okay ok alright
"""
)
REQUEST_STEMS = frozenset(stem(w) for w in (*FILLER_WORDS, *REQUEST_VERBS))
# Agreeing to what the last reply offered ("shall I show those?" -> "yes please", "sure, show them").
AFFIRM = re.compile(
    r"^(?:yes|yeah|yep|yup|sure|ok|okay|alright|all right|fine|go ahead|please do|do it|why not|"
    r"(?:ok |okay |yes |sure )?(?:please )?show (?:me )?(?:them|those|these))\b"
)

_REF_ORD = re.compile(r"\b(?:the )?(" + "|".join(ORDINALS) + r")(?: one| item| product)?\b")
_REF_NUM = re.compile(r"(?:\b(?:number|no\.?|item|option|product)\s*|#)(\d{1,2})\b")
_REF_LAST = re.compile(r"\bthe (?:last|final) (?:one|item)\b|\blast one\b")
_REF_FIRST_N = re.compile(r"\b(?:first|top) (two|three|four|2|3|4)\b")
_REF_PAIR = re.compile(r"\b(\d)(?:st|nd|rd|th)? (?:and|&|with|vs) (?:the )?(\d)(?:st|nd|rd|th)?\b")
_REF_FOCUS = re.compile(r"\b(?:it|this|that|this one|that one|them|these)\b")
_REF_COLOUR = re.compile(r"\bthe (" + "|".join(sorted(QUERY_COLOURS, key=len, reverse=True)) + r") ones?\b")
_NEG = re.compile(
    r"\b(?:not|no|without|except|other than|anything but|nothing|don'?t (?:like|want)|do not (?:like|want)|"
    r"hate|dislike|avoid|never wear)\s+(?:in\s+|any\s+|from\s+)?([a-z][a-z0-9&'\-]*(?: [a-z]+)?)"
)
_SIZE = re.compile(r"\bsize\s*(?:is\s*)?(?!of\b|for\b|the\b|in\b|is\b|and\b)([a-z0-9]{1,4})\b|\b(xxs|xs|xxl|xxxl|xl)\b")
_REMOVE_SLOT = re.compile(
    r"\b(?:any (colou?r|brand|price)|(?:drop|remove|forget|ignore) the (colou?r|brand|price)"
    r"(?: filter)?)\b"
)
_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")


_PARTS = re.compile(r"\s*(?:&|,| and )\s*")
