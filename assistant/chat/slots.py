"""Slot evidence the chat needs beyond the search filters: who a gift is for, whether a brand-looking word
is really a brand, and which device an accessory must fit.

Brand names that are also ordinary words ("Like", "Best", "You", "Galaxy") are learned from the catalog:
a brand word that other brands' titles and descriptions use as a plain word is ambiguous, and counts as a
brand only with evidence (a maker phrase "from/by X", "X brand", or another word of the message that
starts the titles of X's products).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from assistant.search.asking import PRONOUNS, RELATIONS
from index.catalog import Product
from index.text import STOPWORDS, normalise

# Who a gift is for -> the catalog's gender value: search's relations, and pronouns (read only after "for"/"to").
RECIPIENTS: dict[str, str] = {**RELATIONS, **PRONOUNS}
_RECIPIENT = re.compile(r"\b(?:for|gift for|present for|to) (?:my |our |a |the )?(" + "|".join(RECIPIENTS) + r")\b")
_RECIPIENT_OWN = re.compile(
    r"\bmy (wife|girlfriend|mother|mom|mum|sister|husband|boyfriend|father|dad|brother|son|daughter|niece|nephew)"
    r"(?:'?s)?\b"
)

# Shopper words for accessory types and the names the catalog files them under.
ACCESSORY_NAMES: dict[str, tuple[str, ...]] = {
    "screen guard": ("screen guard", "screen protector", "tempered glass"),
    "screen protector": ("screen guard", "screen protector", "tempered glass"),
    "tempered glass": ("screen guard", "screen protector", "tempered glass"),
    "case": ("case", "cover"),
    "cover": ("case", "cover"),
    "back cover": ("case", "cover"),
    "charger": ("charger",),
    "cable": ("cable",),
    "pouch": ("pouch",),
    "holder": ("holder", "mount"),
    "battery": ("battery",),
    "lens hood": ("lens hood",),
    "adapter": ("adapter",),
    "strap": ("strap",),
}
_ACCESSORY = re.compile(
    r"\b(" + "|".join(sorted((re.escape(k) for k in ACCESSORY_NAMES), key=len, reverse=True)) + r")(?:e?s)?\b"
)
_FOR_IT = re.compile(r"\bfor (?:it|this|that|this one|that one|them|the (?:first|second|third|last) one|my \w+ too)\b")
_FOR_DEVICE = re.compile(r"\bfor (?:my |a |the )?([a-z][a-z0-9]*(?: [a-z0-9]+){0,3})")
_MAKER = re.compile(r"\b(?:from|by|brand|make) ([a-z0-9][a-z0-9&'\-]*(?: [a-z0-9&'\-]+)?)|([a-z0-9&'\-]+) brand\b")


def recipient(text: str) -> str | None:
    """'a watch for my wife' -> women; 'my son's birthday' -> boys."""
    m = _RECIPIENT.search(text) or _RECIPIENT_OWN.search(text)
    return RECIPIENTS[m.group(1)] if m else None


def accessory(text: str) -> str | None:
    m = _ACCESSORY.search(text)
    return m.group(1) if m else None


def asks_for_it(text: str) -> bool:
    """'a screen guard for it': the accessory is for the product we talked about."""
    return _FOR_IT.search(text) is not None


_NOT_DEVICE = frozenset(RECIPIENTS) | {
    *("men", "women", "kids", "boys", "girls", "gift", "under", "below", "less", "office", "party", "travel"),
    *("daily", "home", "car", "bike", "phone", "mobile", "smartphone", "cell"),
}


def device_phrase(text: str, accessory_name: str) -> str | None:
    """'a case for my moto g' -> 'moto g' (the device words after 'for', when they name no recipient)."""
    tail = text[text.find(accessory_name) + len(accessory_name) :]
    m = _FOR_DEVICE.search(tail)
    if not m:
        return None
    words = [w for w in m.group(1).split() if w not in STOPWORDS]
    cut = next((i for i, w in enumerate(words) if w in _NOT_DEVICE), len(words))
    words = words[:cut]
    return " ".join(words) if words else None


def device_of(p: Product) -> str:
    """The device a product is for ('Tempered Glass for Motorola Moto G' -> 'motorola moto g'), else the
    product itself (its model name or the start of its title)."""
    title = normalise(re.sub(r"\(.*?\)", " ", p.title))
    m = re.search(r"\bfor ([a-z0-9][a-z0-9 .\-]+)$", title)
    if m:
        return " ".join(m.group(1).split()[:4])
    model = p.attributes.get("Model Name") or ""
    if model and p.brand:
        return normalise(f"{p.brand} {model}")
    return " ".join(title.split()[:3])


def fits(p: Product, device: str) -> bool:
    """p names the device in its title or its first description sentence (every distinctive word of it)."""
    words = [w for w in device.split() if w not in STOPWORDS]
    text = normalise(p.title + " " + p.description[:300])
    return bool(words) and all(re.search(rf"\b{re.escape(w)}\b", text) for w in words)


def matches_accessory(p: Product, name: str) -> bool:
    text = normalise(" ".join(p.category[:4]) + " " + (p.product_type or "") + " " + p.title)
    return any(re.search(rf"\b{re.escape(n)}(?:e?s)?\b", text) for n in ACCESSORY_NAMES.get(name, (name,)))


_CHAT_WORDS = frozenset({"one", "ones", "show", "want", "need", "some", "which", "what", "for", "with", "please"})


@dataclass
class BrandEvidence:
    """Brand words that are also ordinary words of the catalog, and the title words each brand leads."""

    ambiguous: set[str] = field(default_factory=set)
    title_words: dict[str, set[str]] = field(default_factory=dict)  # brand -> words of its products' titles
    things: set[str] = field(default_factory=set)  # brands named like a kind of product ("leggings"): maker phrase only

    @classmethod
    def from_products(cls, products: Iterable[Product], brands: Iterable[str]) -> BrandEvidence:
        products = list(products)
        brands = set(brands)
        single = {b for b in brands if " " not in b}
        other_use: Counter[str] = Counter()  # brand word -> products of other brands using it as a word
        title_words: dict[str, set[str]] = {}
        for p in products:
            nb = normalise(p.brand or "")
            words = set(re.findall(r"[a-z0-9]+", normalise(p.title + " " + p.description[:400])))
            for w in words & single:
                if w != nb:
                    other_use[w] += 1
            if nb in brands:
                title_words.setdefault(nb, set()).update(re.findall(r"[a-z]{3,}", normalise(p.title)))
        limit = max(3, len(products) // 2000)
        ambiguous = {b for b in single if other_use[b] >= limit or b in STOPWORDS or len(b) <= 3}
        for b, ws in title_words.items():
            ws.discard(b)
        return cls(ambiguous, title_words)

    def accept(self, brand_norm: str, text: str) -> bool:
        """Whether the message gives evidence that brand_norm (a brand found in it) is meant as a brand."""
        if brand_norm not in self.ambiguous:
            return True
        for m in _MAKER.finditer(text):
            said = m.group(1) or m.group(2) or ""
            if said.startswith(brand_norm):
                return True
        if brand_norm in self.things:
            return False
        rest = set(re.findall(r"[a-z]{3,}", text.replace(brand_norm, " "))) - STOPWORDS - _CHAT_WORDS
        # another content word of the message among the words of this brand's product titles
        return bool(rest & self.title_words.get(brand_norm, set()))
