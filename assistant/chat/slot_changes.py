"""The slot changes one chat message names (`parse_slots`): kind, filters, exclusions, material, size, words left."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.chat.lexicon import _NEG, _NOT_TERMS, _PARTS, _REMOVE_SLOT, _SIZE, _WORD, OCCASIONS, REQUEST_STEMS
from assistant.chat.slots import RECIPIENTS, accessory, asks_for_it, device_phrase, recipient
from assistant.chat.vocab import NluVocab, singular
from assistant.search.asking import PURPOSE_WORDS, SEEKING, ages, counted, interest
from assistant.search.asking import RECIPIENTS as ASKING_RECIPIENTS
from assistant.search.query import QUERY_COLOURS, parse_query
from assistant.search.understand import QueryVocab, Understanding, type_key, understand
from index.attributes import COLOUR_SYNONYMS as COLOUR_WORDS
from index.attributes import GENDER_ADMITS
from index.text import ARTICLES, UNITS, normalise, stem

_WEAR = frozenset({"wear", "wears"})  # after an occasion ("party wear"): clothes for it


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
    exclude_kind: str | None = None  # "not a dress", "no sports shoes": a kind of product not wanted
    accessory: str | None = None  # "screen guard" in "a screen guard for it"
    for_it: bool = False  # the accessory is for the product in the conversation
    device: str | None = None  # "moto g" in "a case for my moto g"
    clear: list[str] = field(default_factory=list)  # slots the shopper dropped ("any colour")
    terms: list[str] = field(default_factory=list)  # descriptive words left over ("summer", "floral")
    interest: bool = False  # the thing is what the person likes, no kind ("my wife loves cooking")

    def changed(self) -> list[str]:
        return [k for k, v in self.__dict__.items() if v not in (None, [], "")]


def _category(words: list[str], vocab: NluVocab) -> str | None:
    # the head noun comes last in English noun phrases: "running shoes", "coffee mug", "leather wallet";
    # what follows "for" is the purpose, not the thing ("curtains for the living room")
    if "for" in words[1:]:
        head = _category(words[: words.index("for", 1)], vocab)
        if head:
            return head
    for w in reversed(words):
        s = singular(w)
        if s in vocab.categories:
            return vocab.categories[s]
    return None


def _named_kind(words: list[str], u: Understanding | None, vocab: NluVocab) -> str | None:
    """The chat's one-word kind for the kind search reads in the message, wherever the message puts it ("bedsheet
    double bed cotton" asks for a bedsheet, not a bed); None when search reads none or the chat has no such word."""
    if u is None or len(u.type_terms) != 1:
        return None
    for w in words:
        if stem(w) == u.type_terms[0] and (one := singular(w)) in vocab.categories:
            return vocab.categories[one]
    return None


def shop_kind(words: list[str], u: Understanding | None) -> str | None:
    """The shop's type of two or more words the message names as search reads it (u.type_terms: "saree falls" is
    the shop's "Saree Falls", "mouse pads" its "Mouse Pads"), in the message's own words with the last singular
    ("saree fall"); None when search reads no such type, or one whose name lists several kinds ("Cases & Covers":
    the chat names one kind)."""
    if u is None or len(u.type_terms) < 2 or _PARTS.search(u.product_type or ""):
        return None
    key = u.type_terms
    # the fewest of the message's words that name the type ("women's track pants": "track pants"), else of the
    # words search read ("handbags": the shop's "Hand Bags")
    for ws in (words, _WORD.findall(u.corrected or "")):
        for n in range(len(key), len(key) + 3):
            for i in range(len(ws) - n + 1):
                if type_key(" ".join(ws[i : i + n])) == key:
                    run = [w for w in ws[i : i + n] if type_key(w)]  # without a gender or query word between
                    return " ".join([*run[:-1], singular(run[-1])])
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
        elif first in QUERY_COLOURS or first in COLOUR_WORDS:
            s.exclude_colour = QUERY_COLOURS.get(first) or COLOUR_WORDS[first]
        elif stem(first) in vocab.materials:  # the word as said ("no polyester"); matched by its stem
            s.exclude_material = first
        elif (unwanted := negated_kind(text[m.start(1) :], vocab.qvocab)) is not None:
            s.exclude_kind, size = unwanted
            text = text[: m.start()] + " " + text[m.start(1) + size :]
            continue
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
    u = understand(text, vocab.qvocab) if vocab.qvocab is not None else None
    if u is not None:  # the same reading as search: brand only with evidence, recipients, "for <device>"
        # a brand only when the shopper wrote it (not one a spelling correction turned "cheaper" into)
        s.brand = u.brand if u.brand and re.search(rf"\b{re.escape(normalise(u.brand))}\b", text) else None
        if not s.gender and u.gender in GENDER_ADMITS:
            s.gender = u.gender
    elif s.brand and not vocab.evidence.accept(normalise(s.brand), text):
        s.brand = None  # "like", "best", "galaxy": an ordinary word here, not the maker
    s.gender = s.gender or recipient(text)
    s.accessory = accessory(text)
    s.for_it = s.accessory is not None and asks_for_it(text)
    if not s.accessory and u is not None and u.compatible_with and not u.type_terms:
        # "for samsung galaxy j7" alone, after "a phone case": the device what is talked about must fit (a refinement)
        s.device = u.compatible_with
        if s.brand and normalise(s.brand) in s.device:
            s.brand = None
    if s.accessory and not s.for_it:
        s.device = (u.compatible_with if u is not None else None) or device_phrase(text, s.accessory)
        if s.brand and s.device and normalise(s.brand) in s.device:
            s.brand = None  # "a cover for samsung galaxy j7": Samsung makes the phone, not the cover
    words = _WORD.findall(pq.text)
    # a child's age says who it is for (understand reads it): none of its words is a thing asked for
    aged = {j for start, end, _ in ages(words, ASKING_RECIPIENTS) for j in range(start, end)}
    # "my sister who likes jewellery": the asking ("who likes") goes; what follows is the thing to look for
    likes = interest(words)
    aged |= set(range(*likes)) if likes else set()
    liked = words[likes[1] :] if likes else []
    said = _WORD.findall(text)
    if not likes and (likes := interest(said)):  # "my son loves cricket": the person ("son") read off pq's text
        asking = set(said[likes[0] : likes[1]])
        aged |= {j for j, w in enumerate(words) if w in asking}
        liked = [w for w in said[likes[1] :] if w in words]
    # "a present", "gifts": one word for what the thing is for, searched as "gift" (never a shelf of presents)
    words = ["gift" if w in PURPOSE_WORDS else w for j, w in enumerate(words) if j not in aged]
    # a quantity ("5 litre") stays whole: search reads the unit as the shop writes it; a count ("pack of 5",
    # "5 pack") is how many, never the kind: "5 pack" after cushion covers was a search for bags and packs
    words = counted(words)
    quantity = {
        j for i, w in enumerate(words[:-1]) if w.isdigit() and words[i + 1] in {*UNITS, "pack"} for j in (i, i + 1)
    }
    named = [w for j, w in enumerate(words) if j not in quantity]
    # "saree falls", "track pants": the shop's kind of several words as search reads it, not sarees with the word
    # "falls" nor any "pant" (a kurta and dhoti pant set); else the chat's one-word kind
    kind = shop_kind(named, u)
    s.category = (
        kind or (_category(liked, vocab) if liked else None) or _named_kind(named, u, vocab) or _category(named, vocab)
    )
    if liked and not s.category:  # of an interest said, any is a gift: "gift" finds the maker "Gift Island" by name
        words = [w for w in words if w != "gift"]
        s.interest = True
    if kind and s.accessory and not s.for_it and not s.device:
        s.accessory = None  # "mobile holders", "wall chargers": the shop's kind, not any holder for no device
    elif kind and s.accessory and kind != s.accessory and kind.endswith(f" {s.accessory}"):
        s.accessory = kind  # "car chargers for samsung": the shop's kind of charger for it, not any charger
    brand_words = set(normalise(s.brand or "").split())
    for w in words:
        if (w in OCCASIONS or (w == "gift" and s.category)) and s.occasion is None:
            s.occasion = w  # (a gift of a kind asked for: said, not a word its pages must state, see query_text)
        elif (
            s.material is None
            and stem(w) in vocab.materials  # what search reads as a material of this shop
            and singular(w) not in (s.category or "").split()  # "mosquito nets": the thing asked for
            and w not in brand_words  # "Cotton Fab": the maker
        ):
            s.material = w
    skip = _NOT_TERMS
    s.terms = [
        w
        for j, w in enumerate(words)
        if j in quantity
        or (
            w not in skip
            and singular(w) != s.category
            and singular(w) not in (s.category or "").split()
            and singular(w) != (s.category or "").replace(" ", "")  # "handbags": the shop's "hand bag"
            and w != s.occasion
            and not (w in _WEAR and j and words[j - 1] in OCCASIONS)  # "party wear": clothes for it, no word
            and not (w in SEEKING and words[j + 1 : j + 2] == ["for"])  # "shopping for a saree": the asking
            and w != s.material
            and w not in brand_words
            and w.removesuffix("'s") not in RECIPIENTS  # "my wife's birthday": who it is for
            and w not in (s.accessory or "").split()
            and w not in (s.device or "").split()
            and not w.isdigit()
            and len(w) > 2
            and not (stem(w) in REQUEST_STEMS and singular(w) not in vocab.categories)
        )  # "suggest": the asking
    ]
    return s


def negated_kind(rest: str, qvocab: QueryVocab | None) -> tuple[str, int] | None:
    """The kind of product the words after a negation name ("a dress", "sports shoes"), an article skipped, with
    how many characters of `rest` it takes; None when they name none of the shop's kinds."""
    if qvocab is None:
        return None
    ws = rest.split(" ")[:4]
    a = 1 if ws and ws[0] in ARTICLES else 0
    for n in (3, 2, 1):
        phrase = " ".join(ws[a : a + n])
        if (
            len(ws) >= a + n
            and type_key(phrase)
            and (type_key(phrase) in qvocab.types or (n == 1 and stem(phrase) in qvocab.heads))
        ):
            return phrase, len(" ".join(ws[: a + n]))
    return None
