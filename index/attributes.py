"""Rules that derive gender, colour and product type from a product's own text.

Shop catalogs (the bundled Flipkart one included) rarely have clean gender/colour/type
columns: they live in the title ("Women's", "Navy"), the category tree and the
specifications. These rules are deliberately simple and documented in docs/index.md
("Derived attributes"); a shop with real columns maps them and the rules only fill gaps.
"""

from __future__ import annotations

import re

# Canonical colours and the words that mean them. Order matters for multi-word
# synonyms ("off white" before "white").
COLOUR_SYNONYMS: dict[str, str] = {
    "off white": "white",
    "off-white": "white",
    "cream": "white",
    "ivory": "white",
    "white": "white",
    "navy blue": "blue",
    "navy": "blue",
    "dark blue": "blue",
    "light blue": "blue",
    "sky blue": "blue",
    "royal blue": "blue",
    "blue": "blue",
    "turquoise": "blue",
    "indigo": "blue",
    "denim": "blue",
    "blood red": "red",
    "maroon": "red",
    "burgundy": "red",
    "wine": "red",
    "red": "red",
    "black": "black",
    "charcoal": "grey",
    "grey": "grey",
    "gray": "grey",
    "olive": "green",
    "teal": "green",
    "mint": "green",
    "green": "green",
    "yellow": "yellow",
    "mustard": "yellow",
    "pink": "pink",
    "peach": "pink",
    "magenta": "pink",
    "fuchsia": "pink",
    "purple": "purple",
    "violet": "purple",
    "lavender": "purple",
    "orange": "orange",
    "rust": "orange",
    "coral": "orange",
    "brown": "brown",
    "tan": "brown",
    "coffee": "brown",
    "camel": "brown",
    "chocolate": "brown",
    "beige": "beige",
    "khaki": "beige",
    "taupe": "beige",
    "almond": "beige",
    "nude": "beige",
    "gold": "gold",
    "golden": "gold",
    "silver": "silver",
    "multicolor": "multicolor",
    "multicolour": "multicolor",
    "multi color": "multicolor",
    "multi-color": "multicolor",
    "multi": "multicolor",
}
COLOURS: tuple[str, ...] = tuple(sorted(set(COLOUR_SYNONYMS.values())))

_COLOUR_RE = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(COLOUR_SYNONYMS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)

# Gender words, most specific first. Values: women, men, girls, boys, baby, kids (girls and boys), unisex.
_GENDER_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("unisex", re.compile(r"\bunisex\b", re.I)),
    ("girls", re.compile(r"\b(girl'?s|girls'?)\b", re.I)),
    ("boys", re.compile(r"\b(boy'?s|boys'?)\b", re.I)),
    ("baby", re.compile(r"\b(baby|babies|infants?)\b", re.I)),
    ("women", re.compile(r"\b(women'?s?|womens|ladies|lady|female)\b", re.I)),
    ("men", re.compile(r"\b(men'?s?|mens|gents|male)\b", re.I)),
]
GENDERS: tuple[str, ...] = ("women", "men", "girls", "boys", "baby", "kids", "unisex")
# A baby girl's or boy's product is derived "girls" or "boys" (a daughter's or son's search must find it), and is a
# baby's as well: "baby dress" found none of the shop's 32 "Baby Girl's ... Dress" and offered women's dresses.
_BABYS_TITLE = re.compile(r"\b(bab(y|ies)|infants?|newborns?|toddlers?)\b", re.I)
# a shelf says so by "baby" alone: "Kids' & Infant Footwear > For Boys" holds shoes for 9-year-olds
_BABYS_SHELF = re.compile(r"\bbab(y|ies)\b", re.I)
BABYS_TOO = frozenset({"girls", "boys"})

# Which gender values a gender filter admits: unisex items suit everyone.
GENDER_ADMITS: dict[str, frozenset[str]] = {
    "women": frozenset({"women", "unisex"}),
    "men": frozenset({"men", "unisex"}),
    "girls": frozenset({"girls", "kids", "unisex"}),
    "boys": frozenset({"boys", "kids", "unisex"}),
    "baby": frozenset({"baby", "unisex"}),
    "kids": frozenset({"girls", "boys", "kids", "baby", "unisex"}),
    "unisex": frozenset({"unisex"}),
}


def canonical_colour(word: str) -> str | None:
    """Map a colour word or phrase ("Navy Blue", "maroon") to its canonical colour."""
    m = _COLOUR_RE.search(word or "")
    return COLOUR_SYNONYMS[m.group(1).lower()] if m else None


def colours_in(text: str) -> list[str]:
    """All canonical colours named in a text, in order of appearance, without repeats."""
    seen: list[str] = []
    for m in _COLOUR_RE.finditer(text or ""):
        c = COLOUR_SYNONYMS[m.group(1).lower()]
        if c not in seen:
            seen.append(c)
    return seen


def derive_colour(title: str, specs: dict[str, str], description: str, brand: str | None = None) -> str | None:
    """Colour from (in order) a Color specification, the title (minus the brand), the description."""
    for key in ("Color", "Colour", "Primary Color", "Base Colour", "baseColour"):
        if specs.get(key):
            c = canonical_colour(specs[key])
            if c:
                return c
    name = title[len(brand) :] if brand and title.lower().startswith(brand.lower()) else title
    found = colours_in(name)  # "Orange and Orchid" is a brand, not a colour
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        return "multicolor"
    if description and title:
        # Flipkart descriptions say "Buy <Colour> <Title> For Only Rs. ..." for colour variants.
        m = re.search(r"\bBuy ([A-Za-z \-]{3,30}?) " + re.escape(title[:20]), description)
        if m:
            return canonical_colour(m.group(1))
        m = re.search(r"\b([A-Za-z]+(?: [A-Za-z]+)?) colou?r\b", description, re.I)  # "Brown Colour Slim Fit"
        if m:
            return canonical_colour(m.group(1))
    return None


def derive_gender(title: str, category_path: list[str], specs: dict[str, str]) -> str | None:
    """Gender from the "Ideal For" specification, the title, then the category tree."""
    for text in (specs.get("Ideal For", ""), specs.get("gender", ""), title, " ".join(category_path)):
        if not text:
            continue
        hits = [g for g, rx in _GENDER_PATTERNS if rx.search(text)]
        # "Baby Boy's, Baby Girl's": made for babies of either sex, not for everyone ("unisex" admitted it to a men's
        # search: "shorts for men" opened with infants' shorts); "Baby Girl's" stays a girls' (a daughter's) product
        if "baby" in hits and "boys" in hits and "girls" in hits and not {"men", "women"} & set(hits):
            return "baby"
        if "baby" in hits:  # "O Baby Women's Top": a maker's name; the women's is who it is for
            hits.remove("baby")
        if "boys" in hits and "girls" in hits and not {"men", "women"} & set(hits):
            return "kids"  # "For Boys, Girls": a child's, not everyone's (a kids' watch opened "watches for men")
        if ("men" in hits and "women" in hits) or ("boys" in hits and "girls" in hits):
            return "unisex"
        # "For Men, Boys": sized for both, so a men's search must find it (boys' sizes are the smaller ones)
        if "men" in hits and "boys" in hits:
            return "men"
        if "women" in hits and "girls" in hits:
            return "women"
        if hits:
            return hits[0] if hits[0] != "unisex" else "unisex"
    return None


_TREE_NOISE = re.compile(r"\s*\.\.\.$")


def derive_type(title: str, category_path: list[str], brand: str | None) -> str | None:
    """The product type: the most specific category node that is not the brand's own or the title."""
    nodes = [n for n in category_path if n]
    for node in reversed(nodes[1:] if len(nodes) > 1 else nodes):
        low = node.lower()
        if title and low.startswith(title.lower()[:25]):
            continue  # the tree's leaf is often the product's own name
        if brand and low.startswith(brand.lower() + " "):
            continue  # "Alisha Shorts" is the brand's shelf, not a type
        if title and low.split()[0] == title.lower().split()[0] and len(nodes) > 2:
            continue  # a shelf named after the title's first word is the brand's too
        return node
    return None


def names_a_baby(title: str, category: list[str]) -> bool:
    """The title or a shelf says the product is a baby's ("Baby Girl's Gathered Dress", "Baby Care > Infant Wear >
    Baby Boys' Clothes"): one derived "girls" or "boys" is admitted by a "baby" filter too (baby_admits)."""
    return bool(_BABYS_TITLE.search(title) or any(_BABYS_SHELF.search(c) for c in category))


def baby_admits(wanted: str, gender: str | None, babys: bool) -> bool:
    """Whether a product of this gender, a baby's or not (names_a_baby), is one a filter for `wanted` admits beyond
    GENDER_ADMITS: a baby girl's dress is a girls' product and a baby's too."""
    return wanted == "baby" and babys and gender in BABYS_TOO
