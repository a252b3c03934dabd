"""Chat message understanding: one message -> an intent, slot changes and references.

Pure: rules first (prices, colours and genders through assistant.search.query, so chat and search read a
message the same way), then cosine similarity of the message to intent exemplars for what the rules miss.
The catalog-specific words (categories, brands, materials) come from an NluVocab built once from the catalog,
so no product names are written here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.chat import acts, picks
from assistant.chat.lexicon import (
    _COMMON,
    _NEG,
    _NOT_TERMS,
    _PARTS,
    _REF_COLOUR,
    _REF_FIRST_N,
    _REF_FOCUS,
    _REF_LAST,
    _REF_NUM,
    _REF_ORD,
    _REF_PAIR,
    _REMOVE_SLOT,
    _RULES,
    _SIZE,
    _WORD,
    EXEMPLARS,
    NUMBER_WORDS,
    OCCASIONS,
    ORDINALS,
    REQUEST_STEMS,
)
from assistant.chat.slots import RECIPIENTS, accessory, asks_for_it, device_phrase, recipient
from assistant.chat.vocab import NluVocab, singular
from assistant.search.asking import PURPOSE_WORDS, ages, counted, interest
from assistant.search.asking import RECIPIENTS as ASKING_RECIPIENTS
from assistant.search.query import QUERY_COLOURS, parse_query
from assistant.search.spelling import written_apart
from assistant.search.understand import QueryVocab, Understanding, type_key, understand
from index.attributes import COLOUR_SYNONYMS as COLOUR_WORDS
from index.attributes import GENDER_ADMITS
from index.text import ARTICLES, FILLER_WORDS, STOPWORDS, UNITS, normalise, parse_price, stem


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
    act: acts.Act | None = None  # small talk, out-of-scope, product question or complaint details
    new_thing: bool = False  # the message names a thing to look for ("kurtas for women"), not a tweak
    pick: str | None = None  # "which one is the cheapest": what to pick the shown product by (assistant.chat.picks)


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
    known = set(vocab.known_words) | set(vocab.categories) | set(vocab.brands) | vocab.type_words | STOPWORDS
    known |= FILLER_WORDS
    # a word the shop's products or pages write is a word, as search reads it ("something with a pattern" was
    # "platters")
    written: Container[str] = vocab.qvocab.rows.keys() | vocab.qvocab.page_words if vocab.qvocab else ()
    out = []
    for w in text.split(" "):
        core = w.strip("?!.,")
        if (
            len(core) >= 4
            and core.isalpha()
            and core not in known
            and singular(core) not in known
            and core not in _COMMON
            and stem(core) not in written
        ):
            fix = vocab.corrector.correct(core)
            # as search corrects: not into a word no product writes with the message's other words ("gas stove")
            others = [x for x in parse_price(text)[2].split() if x != core]  # (not its price: "under 500")
            if fix is not None and not (vocab.qvocab and written_apart(fix, others, vocab.qvocab)):
                w = w.replace(core, fix)
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
            and w != s.material
            and w not in brand_words
            and w not in RECIPIENTS
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


# a greeting opening a message: followed by punctuation or by the asking ("hello kitty bag" is the maker's)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|hiya|hii+)(?: there)?(?:\s*[,!.]+\s*(?=\w)|\s+(?=(?:i|i'm|im|can|could|do|please|show|"
    r"looking|need|want|any|is|are|what|where|got)\b))"
)


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
    # "hello, i want to buy a saree": the greeting is no word of what is asked ("sarees, none saying hello")
    text = _GREETING.sub("", text) if _GREETING.sub("", text).strip() else text
    raw = text
    text = correct_typos(text, vocab)
    slots = parse_slots(text, vocab)
    refs, ref_colour, ref_focus = _refs(text)

    def made(intent: str, act: acts.Act | None = None) -> Parse:
        return Parse(intent, slots, refs, ref_colour, ref_focus, text=text, act=act, new_thing=new_thing)

    new_thing = bool(_NEW_THING.match(text))

    if (by := picks.asked(raw) or picks.asked(text)) and not slots.category:  # of the products shown
        return Parse("pick", slots, refs, ref_colour, ref_focus, text=text, pick=by)
    fired = next((i for i, rx in _RULES if rx.search(raw) or rx.search(text)), None)
    if fired in _FIRST:
        return made(fired)
    act = acts.classify(raw, vocab.materials) or acts.classify(text, vocab.materials)
    if act is not None:
        if act.kind == "out_of_scope":
            return made("out_of_scope", act)
        if act.kind == "question" and fired != "compare" and not _asks_for_other(slots, act, text):
            return made("question", act)
        if act.kind in ("thanks", "bye", "smalltalk") and not (slots.category or slots.colour or refs):
            return made("thanks" if act.kind != "smalltalk" else "smalltalk", act)
        if act.kind == "complaint":
            return made(act.price or "complaint", act)
    if slots.accessory and slots.for_it:
        return made("accessory")
    if slots.accessory:
        return made("search")
    if fired is not None and not (fired == "smalltalk" and (slots.category or slots.colour)):
        return made(fired)
    if slots.exclude_material and text.startswith(("i ", "i'm")):
        return Parse("preference", slots, refs, ref_colour, ref_focus, text=text)
    if slots.size and not slots.category and not slots.terms:  # "size 7", "in size M": the shopper's size
        return Parse("preference", slots, refs, ref_colour, ref_focus, text=text)
    if slots.category:
        return made("search")
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
                slots.exclude_kind,
                slots.device,  # "for samsung galaxy j7" after "a phone case"
            )
        )
        or slots.clear
    ):
        # "kurtas for women" names a new thing (a word no filter took); "in black", "for women" refine
        intent = "search" if slots.terms and not _REFINE_CUE.match(text) and _SEARCH_START.match(text) else "refine"
        return made(intent)
    if exemplars is not None and encode_query is not None and text:
        intent, sim = exemplars.nearest(encode_query(text))
        if sim >= threshold:
            return Parse(intent, slots, refs, ref_colour, ref_focus, sim, "embedding", text)
    if slots.terms:
        return Parse("search", slots, refs, ref_colour, ref_focus, source="default", text=text, new_thing=new_thing)
    return Parse("help", slots, refs, ref_colour, ref_focus, 0.0, "default", text)


_REFINE_CUE = re.compile(r"^(?:in|for|under|over|below|above|between|only|just|not|no|with|without|make it|and|but)\b")
_SEARCH_START = re.compile(
    r"^(?:i |im |show|find|get|looking|search|need|want|do you have|any|some|a |an )|"
    # a plural noun first: "kurtas for women" (a word ending "ss" is no plural: "wireless ones", "stainless")
    r"^(?!is\b|was\b|does\b|has\b|this\b|yes\b|its\b)[a-z]+[a-rt-z]s\b"
)
_NEW_THING = re.compile(
    r"^(?:a |an |i (?:need|want)|show me|looking for|find me|"
    r"(?!is\b|was\b|does\b|has\b|this\b|yes\b|its\b|less\b|ones\b|thanks\b)[a-z]{2,}[a-rt-z]s\b)"
)
_FIRST = ("forget", "reset", "cart_remove", "cart_add", "cart_show", "why", "outfit", "similar")


_OTHER = re.compile(r"\b(?:available|come in|comes in|in (?:a |an )?\w+ colou?r|under|below|cheaper|over)\b|^in ")


def _asks_for_other(s: SlotChanges, act: acts.Act, text: str = "") -> bool:
    """'is it available in blue?', 'does it come in black?' ask for other products (a refinement), not about this
    one (the act may have read "come in" as its question and kept only "black" as the feature)."""
    asked = bool(s.colour or s.price_max or s.price_min or s.exclude_colour)
    return asked and bool(_OTHER.search(act.feature) or _OTHER.search(text))


def _looks_referential(text: str, refs: list[int], ref_colour: str | None) -> bool:
    return bool(refs or ref_colour) and bool(re.search(r"\b(?:one|show|tell|details|about|open|see)\b", text))
