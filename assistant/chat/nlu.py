"""Chat message understanding: one message -> an intent, slot changes and references.

Pure: rules first (the slots a message names are read in slot_changes.py, prices, colours and genders through
assistant.search.query, so chat and search read a message the same way), then cosine similarity of the message
to intent exemplars for what the rules miss.
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
    _REF_COLOUR,
    _REF_FIRST_N,
    _REF_FOCUS,
    _REF_LAST,
    _REF_NUM,
    _REF_ORD,
    _REF_PAIR,
    _RULES,
    EXEMPLARS,
    NUMBER_WORDS,
    ORDINALS,
)
from assistant.chat.slot_changes import SlotChanges, parse_slots
from assistant.chat.vocab import NluVocab, singular
from assistant.search.compounds import split_compound
from assistant.search.query import QUERY_COLOURS
from assistant.search.spelling import written_apart
from index.text import FILLER_WORDS, STOPWORDS, normalise, parse_price, stem


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
            and not (vocab.qvocab and split_compound(core, vocab.qvocab))  # "handbags": the shop's "Hand Bags"
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
    kind: str | None = None,
) -> Parse:
    """Intent + slot changes for one message. Embedding fallback only when no rule fires. kind: the kind being
    talked about (the dialogue's category), which a message naming what it is for describes."""
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
    if slots.category and kind and slots.terms and not new_thing and _made_for(slots.category, kind):
        # "double bed" after bedsheets: the bed they are for, a bedsheet's size, not a search for beds
        slots.category = None  # (its words replace the ones said before: "single bed" after "double bed")
        return made("refine")
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


def _made_for(said: str, kind: str) -> bool:
    """The kind is a thing made for what was said, named after it ("bedsheet", "sofa cover", "laptop bag" after
    "bed", "sofa", "laptop"): a word said with it is the size or fit of the kind, not another kind."""
    return kind != said and kind.replace(" ", "").startswith(said.replace(" ", ""))


def _looks_referential(text: str, refs: list[int], ref_colour: str | None) -> bool:
    return bool(refs or ref_colour) and bool(re.search(r"\b(?:one|show|tell|details|about|open|see)\b", text))
