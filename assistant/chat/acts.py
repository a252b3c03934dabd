"""Dialogue acts the search intents do not cover: small talk and thanks, questions the shop assistant cannot
answer (delivery, orders, returns, weather...), questions about a shown product, and complaints that are
refinements of the same search ("too expensive", "too plain").

Pure: a normalised message in, an `Act` (or None) out. The answers to out-of-scope questions say plainly
what the assistant cannot do and what it can.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field

from index.text import stem

# Topics the assistant has no data for, each with an honest answer. Order matters: the first match wins.
OUT_OF_SCOPE: list[tuple[str, re.Pattern[str], str]] = [
    (
        "order",
        re.compile(
            r"\b(?:where(?:'s| is) my (?:order|package|parcel)|order status|track(?:ing)? (?:my )?(?:order|"
            r"package|parcel)|my (?:last |previous )?order|cancel (?:my |the )?order|order (?:id|number))\b"
        ),
        "I can't see orders or their status: I only know the shop's catalog. Your order page or the shop's "
        "customer service can tell you where it is.",
    ),
    (
        "returns",
        re.compile(r"\b(?:return policy|returns?|returnable|refunds?|exchange (?:it|this|policy)|money back)\b"),
        "I don't know the shop's return or refund terms; the catalog does not hold them. The shop's help "
        "pages or customer service can answer that.",
    ),
    (
        "delivery",
        re.compile(
            r"\b(?:deliver(?:y|ed|s)?|shipping|ship(?:ped|s)? (?:to|by|in)|dispatch|arrive|courier|"
            r"how (?:long|soon|fast) (?:will|does|would) it (?:take|come|get)|cash on delivery|cod)\b"
        ),
        "I don't know delivery dates or shipping options: the catalog I search has no delivery data. "
        "The product page at checkout shows them.",
    ),
    (
        "payment",
        re.compile(r"\b(?:emi|pay(?:ment)?s? (?:options?|methods?)|credit card|debit card|upi|coupon|promo code)\b"),
        "I can't help with payments or coupons; I can only search the catalog and compare products.",
    ),
    (
        "stock",
        re.compile(r"\b(?:in stock|out of stock|available (?:now|today)|availability|when (?:will|is) it back)\b"),
        "I don't know the stock of this shop's products: the catalog has no stock data. The product page "
        "shows whether you can order it.",
    ),
    (
        "weather",
        re.compile(
            r"\b(?:weather|forecast|temperature outside|is it (?:raining|sunny|cold|hot) (?:today|now|outside))\b"
        ),
        "I can't tell you the weather; I'm the shop's assistant and only know its products. Tell me what you "
        "are shopping for and I'll look.",
    ),
    (
        "contact",
        re.compile(
            r"\b(?:customer (?:care|service|support)|phone number|call (?:you|someone)|talk to (?:a human|someone|"
            r"a person))\b"
        ),
        "I can't connect you to a person; the shop's contact page lists how to reach them. I can search the "
        "catalog, compare products and keep a cart for you.",
    ),
    (
        "world",
        re.compile(
            r"\b(?:news|tell me a joke|joke|who (?:won|is the president)|what time is it|what(?:'s| is) the time|"
            r"what(?:'s| is) the date|cricket score|stock market)\b"
        ),
        "That's outside what I know: I only know this shop's catalog. Tell me what you are looking for.",
    ),
]

OPINION = (
    "I have no taste of my own to offer, but I can compare them for you by price, brand and what their details "
    'say: try "compare the first two" or "what is the first one made of?".'
)
_THANKS = re.compile(
    r"^(?:ok(?:ay)?,? |great,? |perfect,? )?(?:thanks?(?: you)?|thank you(?: so much| very much)?|thx|ty|cheers)\b"
)
_GREETING = re.compile(r"^(?:hi|hello|hey|hiya|yo|good (?:morning|evening|afternoon)|namaste)\b")
_BYE = re.compile(r"^(?:bye|goodbye|see you|that'?s all|that is all|nothing else|no thanks)\b")
_OPINION = re.compile(
    r"\b(?:do you (?:like|love) (?:it|them|this|that|these)|what do you think|your (?:opinion|favou?rite)|"
    r"would you (?:buy|wear))\b"
)
_HOW_ARE_YOU = re.compile(r"\b(?:how are you|how'?s it going|who are you|are you a (?:bot|robot|human))\b")

# "too plain" and friends: what the shopper wants more of, as search words (and a price direction).
COMPLAINTS: dict[str, tuple[list[str], str | None]] = {
    "expensive": ([], "cheaper"),
    "pricey": ([], "cheaper"),
    "costly": ([], "cheaper"),
    "cheap": ([], "pricier"),
    "cheap looking": ([], "pricier"),
    "plain": (["printed", "embroidered"], None),
    "simple": (["printed", "embroidered"], None),
    "boring": (["printed", "designer"], None),
    "dull": (["bright", "printed"], None),
    "flashy": (["solid", "plain"], None),
    "loud": (["solid", "plain"], None),
    "bright": (["solid", "plain"], None),
    "formal": (["casual"], None),
    "casual": (["formal", "party"], None),
    "big": (["small", "compact"], None),
    "bulky": (["slim", "compact"], None),
    "heavy": (["lightweight"], None),
    "small": (["large"], None),
    "short": (["long"], None),
    "long": (["short"], None),
    "tight": (["loose", "regular fit"], None),
    "loose": (["slim fit"], None),
    "old fashioned": (["trendy", "modern"], None),
    "girly": (["classic"], None),
}
_COMPLAINT = re.compile(
    r"\b(?:too|so|very|really|rather|bit) ("
    + "|".join(sorted(COMPLAINTS, key=len, reverse=True))
    + r")\b|\b(?:these|they|those|all)(?: are| look| seem)?(?: all)? (?:so |very |too )?("
    + "|".join(sorted(COMPLAINTS, key=len, reverse=True))
    + r")\b"
)

# Product questions: what is asked, by the field that answers it.
_Q_START = re.compile(
    r"^(?:and |so |ok |okay )?(?:is|are|does|do|has|have|can|will|what|what's|whats|how|which|tell me|"
    r"who)\b"
)
_Q_FIELDS: list[tuple[str, re.Pattern[str]]] = [
    ("rating", re.compile(r"\b(?:rating|rated|reviews?|stars?|how good is)\b")),
    ("price", re.compile(r"\b(?:how much|price|cost|costs|discount|mrp)\b")),
    ("brand", re.compile(r"\b(?:brand|who makes|made by|manufacturer|company)\b")),
    ("colour", re.compile(r"\b(?:what colou?r|which colou?r|colou?r is|colou?rs? does)\b")),
    ("material", re.compile(r"\b(?:material|fabric|made of|made from)\b")),  # or a material of the shop
    ("size", re.compile(r"\b(?:what size|which size|sizes?|dimensions?|how big|how long|how wide|length|width)\b")),
    ("warranty", re.compile(r"\b(?:warranty|guarantee)\b")),
    ("gender", re.compile(r"\b(?:for (?:men|women|boys|girls|kids)|unisex|for a (?:man|woman|boy|girl))\b")),
]
_FEATURE = re.compile(
    r"^(?:and |so )?(?:is|are|does|do|has|have|can|will)\b (?:it|this|that|they|the \w+(?: one)?|(?:this|that) "
    r"one|#?\d(?:st|nd|rd|th)?(?: one)?)(?: one)? (?:have |got |come with |come in |support |a |an |made of )?"
    r"(?:a |an )?(.+?)\??$"
)
_WHAT_OF = re.compile(
    r"^(?:and |so )?what(?:'s| is| are)? (?:the )?([a-z][a-z ]{1,30}?) (?:of|on|in|for) (?:it|this|that|them|"
    r"this one|that one|the \w+(?: one)?|#?\d)\??$|^(?:and |so )?what(?:'s| is) (?:its|their) ([a-z][a-z ]{1,30}?)\??$"
)
_REQUEST = re.compile(r"^(?:can|could|would|will) you\b|^(?:show|find|get) me\b")
_ASKS_ABOUT_SHOWN = re.compile(
    r"\b(?:it|its|it's|this|that|they|their|them|this one|that one|the (?:first|second|third|fourth|fifth|sixth|"
    r"last|1st|2nd|3rd|4th|5th|6th) one|the (?:first|second|third|fourth|fifth|sixth|last)|#\d|number \d)\b"
)


@dataclass
class Act:
    kind: str  # smalltalk | thanks | bye | out_of_scope | question | complaint
    topic: str = ""  # out-of-scope topic, question field, or complaint word
    answer: str = ""  # the honest answer of an out-of-scope question
    feature: str = ""  # "waterproof" in "is it waterproof?"
    terms: list[str] = field(default_factory=list)  # a complaint's refinement words
    price: str | None = None  # a complaint's price direction: cheaper | pricier


def out_of_scope(text: str) -> Act | None:
    for topic, rx, answer in OUT_OF_SCOPE:
        if rx.search(text):
            return Act("out_of_scope", topic, answer)
    return None


_IS = re.compile(r"^(?:and |so )?(?:is|are)\b")
_MATERIAL_FILLER = frozenset({"pure", "real", "genuine", "100", "percent", "or", "and", "a", "an"})


def _asks_material(text: str, materials: Container[str]) -> bool:
    """'is it georgette?', 'are they pure cotton?': the thing asked is one of the shop's materials (stems learned
    by search). Only when it is what the product *is*: "does it have laces?" asks about a feature, not lace."""
    m = _FEATURE.search(text) if _IS.search(text) else None
    ws = [w for w in re.findall(r"[a-z0-9]+", m.group(1)) if w not in _MATERIAL_FILLER] if m else []
    return bool(ws) and all(stem(w) in materials for w in ws)


def question(text: str, materials: Container[str] = frozenset()) -> Act | None:
    """A question about a shown or focused product: 'is the first one waterproof?', 'what is its rating?'.
    materials: the shop's material stems (NluVocab.materials), so "is it chiffon?" asks what it is made of."""
    if not (_Q_START.search(text) or text.endswith("?")) or not _ASKS_ABOUT_SHOWN.search(text):
        return None
    if _REQUEST.search(text):  # "can you find ones that cost less": a request to the assistant, not a question
        return None
    for name, rx in _Q_FIELDS:
        if rx.search(text) or (name == "material" and _asks_material(text, materials)):
            m = _FEATURE.search(text)
            feature = m.group(1).strip(" ?") if (m and name == "material") else ""
            return Act("question", name, feature=feature)
    m = _WHAT_OF.search(text)
    if m:
        return Act("question", "feature", feature=(m.group(1) or m.group(2)).strip())
    m = _FEATURE.search(text)
    if m:
        feature = re.sub(r"\b(?:one|please|too)\b", " ", m.group(1)).strip(" ?")
        feature = " ".join(feature.split())
        if feature and len(feature) <= 40:
            return Act("question", "feature", feature=feature)
    return None


def complaint(text: str) -> Act | None:
    m = _COMPLAINT.search(text)
    if not m:
        return None
    word = m.group(1) or m.group(2)
    terms, price = COMPLAINTS[word]
    return Act("complaint", word, terms=list(terms), price=price)


def classify(text: str, materials: Container[str] = frozenset()) -> Act | None:
    """The act of a normalised message when it is not a plain search/refine; None to let the NLU decide.
    materials: the shop's material stems (see question)."""
    if _THANKS.search(text):
        return Act("thanks")
    if _BYE.search(text) and len(text.split()) <= 5:
        return Act("bye")
    if _OPINION.search(text):
        return Act("out_of_scope", "opinion", OPINION)
    if _HOW_ARE_YOU.search(text) or (_GREETING.search(text) and len(text.split()) <= 3):
        return Act("smalltalk")
    oos = out_of_scope(text)  # "does it ship by friday?" is about delivery, not the product
    if oos is not None:
        return oos
    q = question(text, materials)
    if q is not None:
        return q
    return complaint(text)
