"""Query understanding: what a shopper's words mean in this catalog, as one pure step.

`understand(text, vocab) -> Understanding` is used by REST search, autocomplete's product hits and the chat.
The `QueryVocab` it reads is learned once from the loaded catalog (product types and category nodes,
brands and which of them are also everyday words, words that follow "for" in titles, materials, every
word with its frequency for the typo corrector); only English relation words ("wife", "dad") are listed
by hand. What it finds:

- product type: the longest run of query words naming a catalog type or category node (stemmed, so
  singular/plural and "t-shirt"/"tshirt" agree; "bra" also as "bras", which the stemmer keeps apart), else
  the head noun of one; dropped when none of the type's products has the query's other words while other
  products have them all ("tempered glass" is not a drinking glass); with none, the noun it ends in (`thing`);
- the word still being typed (no space after it): its completions, those the catalog has together with the
  query's other words first ("laptop ba" -> bag, "gold ba" -> bangles), the first of them read as typed;
- recipient/gender, colour, material, price bounds and price words ("cheap"), negations ("not/without/no/
  except X"); "gift"/"present" say what a query is for, never a type;
- brand only with evidence ("by X"/"from X", a brand that makes the detected type, or a brand that is
  not also an everyday word); "for <device>" is a compatibility target, never a brand filter;
- a spelling-corrected form, and whether the last word is still being typed (`prefix`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.search.asking import (
    CHILD_PRONOUNS,
    MAKER_CUES,
    NEGATORS,
    NOT_TYPE_WORDS,
    PURPOSE_WORDS,
    QUERY_WORDS,
    RECIPIENT_ADMITS,
    RECIPIENT_PAIRS,
    RECIPIENTS,
    SEEKING,
    age_gender,
    ages,
    interest,
    sizes,
    sold_as,
)
from assistant.search.compounds import (
    join_digits,
    join_letters,
    join_words,
    misspelt_pair,
    model_name,
    split_compound,
    split_digits,
)
from assistant.search.product_types import type_heads, type_names
from assistant.search.query import QUERY_COLOURS
from assistant.search.query_type import colour_is_thing, device_said, phrase_thing, read_type, word_type
from assistant.search.spelling import RARE_IN, alone, strays
from assistant.search.statements import lacking_forms
from assistant.search.vocab import QueryVocab, type_key
from index.text import (
    ARTICLES,
    DEAR_WORDS,
    FILLER_WORDS,
    PRICE_WORDS,
    STOPWORDS,
    UNITS,
    normalise,
    parse_price,
    readings,
    stem,
    terms,
    tokenize,
)

_OTHER_THAN = re.compile(r"\bother than\b")
_WHOSE = frozenset({"my", "his", "our", "their", "your", "the", "a", "an"})  # before the device a product is for

__all__ = [
    "PURPOSE_WORDS",
    "QUERY_WORDS",
    "RECIPIENTS",
    "RECIPIENT_ADMITS",
    "RECIPIENT_PAIRS",
    "QueryVocab",
    "Understanding",
    "type_heads",
    "type_key",
    "type_names",
    "understand",
]


@dataclass(frozen=True)
class Understanding:
    """What a query asks for. `search_text` is what retrieval reads (corrected, without filter phrases)."""

    text: str
    search_text: str  # what the lexical side reads: without filter, preference and negation words
    dense_text: str  # what is embedded: the corrected query without its negations
    corrected: str | None = None  # the query with misspellings fixed, when any was
    product_type: str | None = None  # the catalog's name for it ("Dresses")
    type_terms: tuple[str, ...] = ()  # stems a product's type/category must contain
    type_is_head: bool = False  # the type is a word several of the shop's types end in ("machine"), not one type
    gender: str | None = None  # a key of GENDER_ADMITS or RECIPIENT_ADMITS
    recipient: str | None = None  # the word that set it ("wife")
    interest: tuple[str, ...] = ()  # what the person likes ("my wife loves cooking"): the thing looked for
    colour: str | None = None
    material: str | None = None  # stem
    price_min: float | None = None
    price_max: float | None = None
    brand: str | None = None  # a brand filter: the query names the maker
    compatible_with: str | None = None  # "samsung galaxy j7": what the product is for
    compat_terms: tuple[str, ...] = ()
    compat_kind: bool = False  # the device is a kind of thing the shop sells ("for phone"), no model
    excluded: tuple[str, ...] = ()  # words after a negator
    exclude_terms: tuple[str, ...] = ()
    prefix: bool = False  # the last word is still being typed
    prefix_terms: tuple[str, ...] = ()  # stems of its likeliest completions
    cheap: bool = False  # a price word ("cheap", "budget"): the lower-priced first
    dear: bool = False  # a price word for the dearer end ("expensive", "luxury"): the higher-priced first
    stated_terms: tuple[str, ...] = ()  # stems beyond the type a page should state ("full", "sleev" of a shirt)
    joined: tuple[tuple[str, str, str], ...] = ()  # (a, b, ab): "tab 3" is also written "tab3"
    split: tuple[tuple[str, str, str], ...] = ()  # (ab, a, b): "16gb" is also written "16 gb"
    lacking_terms: tuple[str, ...] = ()  # how a page says it lacks a negated word: "nonpad", "sleeveless"
    phrases: tuple[str, ...] = ()  # adjacent stems as a title would say them ("jewelleri box")
    materials_said: bool = False  # some product of the type says what it is made of (QueryVocab.material_heads)
    thing: str = ""  # no type read: the stem of the noun the phrase ends in ("earphones"), when pages state it

    def as_dict(self) -> dict:
        """The understood parts, for a response."""
        out = {
            "product_type": self.product_type,
            "gender": self.gender,
            "colour": self.colour,
            "material": self.material,
            "price_min": self.price_min,
            "price_max": self.price_max,
            "brand": self.brand,
            "compatible_with": self.compatible_with,
            "excluded": list(self.excluded) or None,
            "price_level": "low" if self.cheap else "high" if self.dear else None,
        }
        return {k: v for k, v in out.items() if v is not None}


def understand(text: str, vocab: QueryVocab, correct: bool = True) -> Understanding:
    """Read a query against the catalog's vocabulary (pure; ~tens of microseconds). correct=False: words are
    taken as typed ("search instead for ...")."""
    prefix = bool(text) and not text[-1].isspace()
    return _understand(text.strip(), prefix, vocab, correct)


@lru_cache(maxsize=4096)
def _understand(text: str, prefix: bool, vocab: QueryVocab, correct: bool = True) -> Understanding:
    norm = _OTHER_THAN.sub("except", normalise(text).replace("&", " and "))  # "saree other than silk"
    lo, hi, rest = parse_price(norm)
    ws = list(re.findall(r"[a-z0-9][a-z0-9'\-]*", rest))
    ws = join_letters([w[:-2] if w.endswith("'s") else w.rstrip("'") for w in ws])
    ws = join_words(ws, vocab)  # "rain coat": the shop's "Raincoat"
    # the last word is still being typed when it starts some known word without being one ("red dre")
    last_typed = bool(prefix and ws and ws[-1].isalpha() and len(ws[-1]) > 1 and ws[-1] not in NOT_TYPE_WORDS)
    last_typed = last_typed and not (len(ws) > 1 and ws[-1] in UNITS and ws[-2].isdigit())  # "9 watt": a unit
    last_typed = last_typed and _still_typed(ws[-1], vocab)
    # spelling: every whole word the catalog does not know, except the one still being typed
    fixed, corrected = [], False
    swaps: dict[int, str] = {}  # position in fixed -> the word typed there, for each word corrected into another
    for i, w in enumerate(ws):
        c = None
        if (
            correct
            and not (i and w in UNITS and ws[i - 1].isdigit())  # a unit after a number ("5 litre")
            and w.isalpha()
            and w not in NOT_TYPE_WORDS
            and w not in NEGATORS
            and not (last_typed and i == len(ws) - 1)
        ):
            parts = split_compound(w, vocab)
            if parts is not None:  # "handbags": the shop writes "Hand Bags"
                fixed += parts
                corrected = True
                continue
            # a word the shop's pages write is a word of the language, not a misspelt product word ("place")
            c = None if stem(w) in vocab.page_words else vocab.corrector.correct(w)
            if (parts := misspelt_pair(w, c, vocab)) is not None:  # "hanbag": the shop's "Hand Bag", not "Hanna"
                fixed += parts
                corrected = True
                continue
            if (
                c is not None
                and stem(c) != stem(w)
                and vocab.corrector.frequency.get(c, 0) * RARE_IN < vocab.corrector.total
            ):
                c = None  # a word the shop seldom writes is a coincidence, not what was meant ("potter": no poster)
        if c is not None and stem(c) != stem(w):
            swaps[len(fixed)] = w
        fixed.append(c or w)
    # "gas stove" is no "gas stole", a word the shop never writes with "gas"
    for i in alone(fixed[: len(fixed) - last_typed], swaps, vocab):
        fixed[i] = swaps.pop(i)
    if correct:  # "blak shoes": "Blak", written once, is no word the shop writes with "shoes"; "black" is
        for i, c in strays(fixed[: len(fixed) - last_typed], swaps, vocab):
            swaps[i], fixed[i] = fixed[i], c
    corrected |= bool(swaps)  # ("rompers" read as the shop's "romper": nothing to show)
    # a unit after a number is read as the shop writes the unit ("5 litre": "5 L"); shown and embedded as typed
    said_ws = fixed
    unit_at = {i: UNITS[w] for i, w in enumerate(fixed) if i and w in UNITS and fixed[i - 1].isdigit()}
    ws = [vocab.unit_forms.get(unit_at[i], w) if i in unit_at else w for i, w in enumerate(fixed)]
    keep = [True] * len(ws)
    for i, w in enumerate(ws[:-1]):  # "shopping for a saree": the asking ("shopping bag" stays a word to match)
        keep[i] = keep[i] and not (w in SEEKING and ws[i + 1] == "for")
    # negations: the word after a negator (two when they name a type together) is excluded
    excluded: list[str] = []
    negated: set[int] = set()
    for i, w in enumerate(ws[:-1]):
        if w not in NEGATORS:
            continue
        k = i + 1 + (ws[i + 1] in ARTICLES and i + 2 < len(ws))  # "not a sports shoe": what follows the article
        if ws[k].isalpha() and ws[k] not in STOPWORDS:
            n = 2 if k + 1 < len(ws) and type_key(" ".join(ws[k : k + 2])) in vocab.types else 1
            excluded.append(" ".join(ws[k : k + n]))
            for j in range(i, k + n):
                keep[j] = False
                negated.add(j)
    # a child's age ("5 year old") says who it is for: never a word to match, nor a device after "for"
    aged = ages(ws, RECIPIENTS)
    for start, end, _ in aged:
        for j in range(start, end):
            keep[j] = False
    for start, end in [*sold_as(ws), *sizes(ws)]:  # "boys tshirt pack of 3": how many, not a pack; "size 9"
        for j in range(start, end):
            keep[j] = False
    likes = interest(ws)  # "... for my sister who likes jewellery": the asking, then what to look for
    for j in range(*likes or (0, 0)):
        keep[j] = False
    # recipient / gender
    gender = recipient = None
    for i, w in enumerate(ws):
        if not keep[i]:
            continue
        pair = RECIPIENT_PAIRS.get((w, ws[i + 1])) if i + 1 < len(ws) else None
        if pair:
            gender, recipient = pair, f"{w} {ws[i + 1]}"
            keep[i] = keep[i + 1] = False
            break
        if w in RECIPIENTS:
            gender, recipient = RECIPIENTS[w], w
            keep[i] = False
            break
    if aged:
        start, end, years = aged[0]
        by_age = age_gender(years, gender or CHILD_PRONOUNS.get(ws[start]))
        if by_age != gender:
            gender, recipient = by_age, " ".join([*ws[start:end], *([recipient] if recipient else [])])
    # colour and material: preferences
    colour = material = None
    said_colour = -1  # the colour word stays in what the lexical side reads: a page stating it ranks first
    for i, w in enumerate(ws):
        if keep[i] and colour is None and w in QUERY_COLOURS and not colour_is_thing(i, ws, keep, vocab):
            colour, keep[i], said_colour = QUERY_COLOURS[w], False, i
        elif keep[i] and material is None and stem(w) in vocab.materials:
            material = stem(w)
    # compatibility: "for <device/model>" with words the catalog's titles use after "for"
    compat: list[str] = []
    for i, w in enumerate(ws[:-1]):
        if w == "for" and keep[i + 1] and not (i and ws[i - 1] in SEEKING):  # "looking for": the asking
            start = i + 1 + (ws[i + 1] in _WHOSE and i + 2 < len(ws))  # "for my galaxy j7": the phone is the device
            j = start
            while j < len(ws) and keep[j] and ws[j] not in STOPWORDS and ws[j] not in NEGATORS:
                j += 1
            run = ws[start:j]
            kind_before = any(keep[k] and ws[k] not in NOT_TYPE_WORDS and word_type(ws[k], vocab) for k in range(i))
            if start > i + 1 and len(run) == 1 and stem(run[0]) in vocab.type_rows and not kind_before:
                break  # "something for the kitchen", "looking for a jacket": the kind asked, not what it is for
            # a device the titles write after "for", or a model named with its number ("for redmi note 3"): a
            # shop without it must say so, not show covers for another "note"
            if run and (stem(run[0]) in vocab.compat_words or model_name(run, lambda w: bool(word_type(w, vocab)))):
                compat = run
            break
    # the word being typed: its completions, those seen with the other words first ("laptop ba" -> bag)
    done: list[str] = []
    if last_typed and keep[-1]:
        ctx = [stem(w) for i, w in enumerate(ws[:-1]) if keep[i] and w not in NOT_TYPE_WORDS and not w.isdigit()]
        done = _completions(ws[-1], ctx, vocab)
    full = [*ws[:-1], done[0]] if done else ws
    live = [w for i, w in enumerate(full) if keep[i]]
    # (a quantity's unit is not the noun the phrase ends in: "pressure cooker 5 litre" asks for a pressure cooker)
    noun = [w for i, w in enumerate(full) if keep[i] and i not in unit_at and w not in compat]
    other = {stem(w) for w in live if w not in NOT_TYPE_WORDS and w not in compat and not w.isdigit()}
    ptype, tkey, maker = read_type(noun, other, material, vocab, done if done and len(ws[-1]) >= 2 else ())
    if likes and not tkey:  # the phrase names no kind: the one the person likes ("who likes watches")
        liked = [w for i, w in enumerate(full) if i >= likes[1] and keep[i] and i not in unit_at and w not in compat]
        ptype, tkey, maker = read_type(liked, other, material, vocab)
    if tkey and not compat:  # "cover iphone 6", "charger samsung": the device said right after the kind, no "for"
        compat = device_said(ws, keep, tkey, vocab)  # ... or a model before it: "iphone 6 cover"
        maker = None if compat and maker and set(terms(maker)) <= set(terms(" ".join(compat))) else maker
    brand = maker or _brand(ws, keep, compat, tkey, vocab)
    search_words = [w for i, w in enumerate(ws) if (keep[i] or i == said_colour) and not (done and i == len(ws) - 1)]
    if any(w not in FILLER_WORDS for w in search_words):  # the asking is no word to match ("my": "My Addiction")
        search_words = [w for w in search_words if w not in FILLER_WORDS]
    dense_words = [w for i, w in enumerate([*said_ws[:-1], done[0]] if done else said_ws) if i not in negated]
    if tkey or likes:  # of a kind or interest asked, any is a gift: the words find the maker "Gift Island" by name
        search_words = [w for w in search_words if w not in PURPOSE_WORDS]
        dense_words = [w for w in dense_words if w not in PURPOSE_WORDS] or dense_words
    if likes and not tkey:  # "a present for dad who is into cooking": cooking things, not anything "dad" says
        search_words = [w for w in search_words if w in said_ws[likes[1] :]] or search_words
        dense_words = said_ws[likes[1] :]
    prefix_terms = tuple(dict.fromkeys(stem(w) for w in done))
    stems = [t for w in tokenize(" ".join(excluded)) for t in readings(w)]  # "padding" excludes "padded" too
    return Understanding(
        text=text,
        search_text=" ".join(search_words),
        dense_text=" ".join(dense_words),
        corrected=" ".join(said_ws) if corrected else None,
        product_type=ptype,
        type_terms=tkey,
        type_is_head=bool(tkey) and tkey not in vocab.types,
        gender=gender,
        recipient=recipient,
        interest=tuple(ws[likes[1] :]) if likes else (),
        colour=colour,
        material=material,
        price_min=lo,
        price_max=hi,
        brand=brand,
        compatible_with=" ".join(compat) or None,
        compat_terms=tuple(terms(" ".join(compat))),
        compat_kind=len(compat) == 1 and stem(compat[0]) in vocab.head_rows,
        excluded=tuple(excluded),
        exclude_terms=tuple(dict.fromkeys(stems)),
        prefix=bool(last_typed),
        prefix_terms=prefix_terms,
        cheap=any(w in PRICE_WORDS for w in ws),
        dear=not any(w in PRICE_WORDS for w in ws) and any(w in DEAR_WORDS for w in ws),
        stated_terms=_stated(search_words, tkey, vocab),
        joined=join_digits(search_words, vocab),
        split=split_digits(search_words, vocab),
        phrases=tuple(f"{a} {b}" for a, b in itertools.pairwise(terms(" ".join(search_words)))),
        lacking_terms=tuple(t for w in excluded for t in lacking_forms(w.split()[-1]) if t in vocab.stated),
        materials_said=bool(tkey) and tkey[-1] in vocab.material_heads,
        thing="" if tkey else phrase_thing(full, keep, unit_at, vocab),
    )


def _stated(search_words: list[str], tkey: tuple[str, ...], vocab: QueryVocab) -> tuple[str, ...]:
    """The query's words beyond its type that some page states: a page stating all of them is the closer
    match ("full sleeve shirt": a shirt whose page says full sleeve)."""
    out = [t for w in search_words if w not in QUERY_WORDS and (t := stem(w)) not in tkey and t in vocab.stated]
    return tuple(dict.fromkeys(out))


def _completable(w: str, words: list[str]) -> list[str]:
    """What a typed start may become: a start of letters, only words of letters ("tracksuit" is not being typed
    towards a model code "tracksuit01")."""
    return [c for c in words if c.isalpha()] if w.isalpha() else words


def _still_typed(w: str, vocab: QueryVocab) -> bool:
    """The last word, with no space after it, is still being typed: it starts a known word and is not itself
    a type or a word the catalog uses as often as a quarter as its commonest completion ("clo", "dre")."""
    longer = [c for c in _completable(w, vocab.corrector.completions(w, 6)) if c != w]
    if not longer:
        return False
    if w not in vocab.corrector:
        return True
    if word_type(w, vocab):
        return False
    f = vocab.corrector.frequency
    return f.get(w, 0.0) * 4 < f.get(longer[0], 0.0)


def _completions(w: str, ctx: list[str], vocab: QueryVocab, limit: int = 3) -> list[str]:
    """Known words the typed start can become, those found together with the query's other words first, then
    the commonest; with other words none of them is seen with, the commonest alone."""
    cands = _completable(w, vocab.corrector.completions(w, 12))
    if w in vocab.corrector and w not in cands:
        cands.insert(0, w)
    if not ctx:
        return cands[:limit]
    seen = [(vocab.together([*ctx, stem(c)]), -i, c) for i, c in enumerate(cands)]
    good = [c for n, _, c in sorted(seen, reverse=True) if n > 0]
    return good[:limit] or cands[:limit]


def _brand(ws: list[str], keep: list[bool], compat: list[str], tkey: tuple[str, ...], vocab: QueryVocab) -> str | None:
    """A brand filter only when the query names the maker of the product (see the module docstring)."""
    live = [(i, w) for i, w in enumerate(ws) if keep[i] and w not in compat]
    for n in (3, 2, 1):
        for j in range(len(live) - n + 1):
            nb = " ".join(w for _, w in live[j : j + n])
            if nb not in vocab.brands:
                continue
            i = live[j][0]
            cue = i > 0 and ws[i - 1] in MAKER_CUES
            makes_type = not tkey or set(tkey) <= vocab.brand_types.get(nb, frozenset())
            if cue:
                return vocab.brands[nb]
            if makes_type and (nb not in vocab.ambiguous_brands or (n > 1 and tkey)):
                # "asus fonepad 7": the maker of the device the products are for, not of the products
                others = {stem(w) for x, (_, w) in enumerate(live) if not j <= x < j + n and w not in STOPWORDS}
                others = {t for t in others - set(tkey) if t in vocab.rows}
                return None if vocab.names_device(nb, others) else vocab.brands[nb]
    return None
