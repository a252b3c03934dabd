"""Which kind of product a query's words name (the type step of assistant.search.understand), pure over the shop's
`QueryVocab`.

The kind is read where English puts the head noun, at the end of the noun phrase ("wooden wall clock"), and, when
the words after it only describe it, where shoppers often put it, first ("wall clock wooden", "lipstick red
matte", "bedsheet double bed cotton"): a word after the kind is a description when the shop knows the word and it
names no kind of its own (or names one the query's other words rule out). A kind is dropped when none of its
products has the query's other words while other products have them all ("tempered glass" is not a drinking
glass), unless those words are the maker's name ("sony headphones")."""

from __future__ import annotations

from collections.abc import Container, Sequence

from assistant.search.asking import CUES, NOT_TYPE_WORDS, OF_WHAT_PRECEDES
from assistant.search.compounds import model_name
from assistant.search.vocab import QueryVocab, type_key
from index.text import STOPWORDS, plural, stem

_OF_WHAT_PRECEDES = frozenset(stem(w) for w in OF_WHAT_PRECEDES)
_WEAR = (stem("wear"),)


def word_type(w: str, vocab: QueryVocab) -> tuple[str, ...]:
    """The type key one word names, as written or as its plural ("bra" -> "bras", which the stemmer keeps)."""
    for form in (w, plural(w)):
        key = type_key(form)
        if len(key) == 1 and (key in vocab.types or key[0] in vocab.heads):
            return key
    return ()


def noun_segment(ws: Sequence[str]) -> list[str]:
    """The query's noun phrase: its words before the first cue word ("for", "with", "under"...), without numbers
    and words that never name a type."""
    seg: list[str] = []
    for w in ws:
        if w in CUES and seg:
            break
        if w not in NOT_TYPE_WORDS and not w.isdigit():
            seg.append(w)
    return seg


def type_ending(seg: Sequence[str], vocab: QueryVocab) -> tuple[str | None, tuple[str, ...]]:
    """The type the words end in: their last two or three words as a whole type name ("back cover"), else the last
    word as one or as the head noun of one ("shoes")."""
    for n in (3, 2):
        if len(seg) >= n:
            key = type_key(" ".join(seg[-n:]))
            if len(key) > 1 and key in vocab.types:
                return vocab.types[key], key
    for w in seg[-1:]:
        key = word_type(w, vocab)
        if key in vocab.types:
            return vocab.types[key], key
        if key:
            return w, key
    return None, ()


def maker_named(stems: set[str], vocab: QueryVocab) -> str | None:
    """The brand the words are the whole name of ("sony"), else None: not a brand whose name is an everyday word of
    the catalog ("like"), unless other makers' titles name it as a device they make things for ("for Sony Xperia"):
    then it is a maker's name to the shopper too."""
    nb = vocab.brand_terms.get(frozenset(stems))
    if nb is None or (nb in vocab.ambiguous_brands and not stems <= vocab.device_words):
        return None
    return vocab.brands[nb]


def read_type(
    noun: Sequence[str], other: set[str], material: str | None, vocab: QueryVocab, completions: Sequence[str] = ()
) -> tuple[str | None, tuple[str, ...], str | None]:
    """(the type's display name, its key, the maker the other words name) of the query's noun words; other: the
    stems of the query's other words the shop knows (what the type's products should have); completions: those
    of a last word still being typed, the first naming a kind read as the type when the words name none."""
    seg, other = noun_segment(noun), other - {material}
    ruled_out: set[str] = set()  # kinds named later in the phrase that the other words rule out ("double bed")
    for end in range(len(seg), 0, -1):
        if end < len(seg) and not _describes(seg[end], material, ruled_out, vocab):
            break  # a word after this point names a kind of its own: the phrase is not "<kind> <description>"
        ptype, key = type_ending(seg[:end], vocab)
        if not key or (end < len(seg) and not _kind_word(seg[end - 1], vocab)):
            continue  # (read first, the kind is named as the shop names it: "electric scooter" is no "Electricals")
        if key == _WEAR and end > 1:
            ruled_out.add(key[0])  # "night wear": clothes for what the words before name, not any "... Wear"
            continue
        verdict = _has_the_words(key, list(noun), other, vocab)
        if verdict is True:
            return ptype, key, None
        if verdict:  # the other words name the maker: "sony headphones"
            return ptype, key, verdict
        ruled_out.add(key[-1])
    head = next((c for c in completions if word_type(c, vocab)), None)
    if head is not None and (verdict := _has_the_words(key := word_type(head, vocab), list(noun), other, vocab)):
        return head, key, verdict if isinstance(verdict, str) else None
    return None, (), None


def _kind_word(w: str, vocab: QueryVocab) -> bool:
    """The word is a kind as the shop's type names write their last word ("lipstick": "Lipsticks"), not a word
    that only shares its stem ("electric": "Electricals")."""
    return any(x in vocab.type_words.frequency for x in (w, plural(w)))


def _describes(w: str, material: str | None, ruled_out: set[str], vocab: QueryVocab) -> bool:
    """A word after a kind that only describes it: the material, a kind the other words ruled out ("bedsheet double
    bed") unless it is a thing the shop's titles name products by (QueryVocab.things: "body lotion" asks for a
    lotion, not for the shop's "Body" shelf of makeup, though its one "Aftershave Lotion" does not say "body"), or
    a word the shop writes that names no kind ("matte", "wooden", "double", the device of "charger samsung")."""
    t = stem(w)
    if t == material:
        return True
    if t in ruled_out:  # unless titles name products by it beyond its kind (the shop's one "Aftershave Lotion")
        return t in _OF_WHAT_PRECEDES or t not in vocab.things  # (a set is of what precedes it: "necklace set")
    return t in vocab.rows and not word_type(w, vocab)


def _has_the_words(key: tuple[str, ...], noun: list[str], other: set[str], vocab: QueryVocab) -> bool | str:
    """True when the type may be what was asked: some product of it has the query's other words, or no product has
    them all but where the shop shelves the kind (QueryVocab.elsewhere); the maker's name when those words name
    one; False otherwise. The word right before the type's name
    is tried alone first: "face wash" is not the shop's "Baby Body Wash" shelf when face washes are typed
    otherwise; so is the word right after it: "face wash for oily skin" is not the makeup shelf "Face"."""
    other = {t for t in other - set(key) if t in vocab.rows}
    heads = [i for i, w in enumerate(noun) if stem(w) == key[-1]]
    before = {stem(noun[heads[-1] - 1])} & other if heads and heads[-1] > 0 else set()
    after = {stem(noun[heads[-1] + 1])} & other if heads and heads[-1] + 1 < len(noun) else set()
    for near in (before, after):  # ... and so is the word right after it: "face wash for oily skin"
        if near and vocab.together(near, key) == 0 and vocab.elsewhere(near, key):
            other = near
            break
    if other and vocab.together(other, key) == 0 and (key[-1] in _OF_WHAT_PRECEDES or vocab.elsewhere(other, key)):
        # (a set, a pack, wear is of what the other words name: "knife set for kitchen" is no kitchen linen set)
        return maker_named(other, vocab) or False
    return True


def device_said(ws: Sequence[str], keep: Sequence[bool], key: tuple[str, ...], vocab: QueryVocab) -> list[str]:
    """The device the kind is for, said with no "for": right after the kind (device_after) or before it
    (device_before)."""
    return device_after(ws, keep, key[-1], vocab) or device_before(ws, keep, key, vocab)


def device_after(ws: Sequence[str], keep: Sequence[bool], head: str, vocab: QueryVocab) -> list[str]:
    """The words right after the kind's head word when they start with a device products are made for ("cover
    iphone 6": made for iphone 6, as "cover for iphone 6"), up to a stop word; none otherwise."""
    at = [i for i, w in enumerate(ws) if keep[i] and stem(w) == head]
    if not at or at[-1] + 1 >= len(ws) or stem(ws[at[-1] + 1]) not in vocab.device_words:
        return []
    run = []
    for i in range(at[-1] + 1, len(ws)):
        if not keep[i] or ws[i] in STOPWORDS:
            break
        run.append(ws[i])
    return run


def device_before(ws: Sequence[str], keep: Sequence[bool], key: tuple[str, ...], vocab: QueryVocab) -> list[str]:
    """The words before the kind's name when they name a model of a device ("iphone 6 cover", "oneplus 3 back cover":
    made for it, as "cover for iphone 6"): the run of words right before the kind, up to its last word with a
    digit, a word of letters first, naming no kind, and starting with a device products are made for or a word
    that is no maker of the shop's ("redmi"); none otherwise ("nike air zoom 90 shoes" is a shoe's own model,
    "samsung charger" names no model)."""
    at = [i for i, w in enumerate(ws) if keep[i] and stem(w) == key[-1]]
    start = at[-1] - len(key) + 1 if at else 0
    run: list[str] = []
    for i in range(start - 1, -1, -1):
        if not keep[i] or ws[i] in STOPWORDS or ws[i] in CUES:
            break
        run.insert(0, ws[i])
    digits = [j for j, w in enumerate(run) if any(c.isdigit() for c in w)]
    run = run[: digits[-1] + 1] if digits else []
    if not model_name(run, lambda w: bool(word_type(w, vocab))):
        return []
    first = stem(run[0])
    return run if first in vocab.device_words or frozenset((first,)) not in vocab.brand_terms else []


def colour_is_thing(i: int, ws: Sequence[str], keep: Sequence[bool], vocab: QueryVocab) -> bool:
    """The colour word ws[i] is the thing asked for ("cream for dry skin", "cream"): the shop names products by it
    (QueryVocab.things) or its types end in it ("Shaving Creams"), it ends the noun phrase (nothing or a cue such
    as "for" follows) and no word before it names a kind ("kurti cream" is a cream kurti; "face cream" is still
    read so: the shop's "Face" shelf)."""
    if stem(ws[i]) not in vocab.things and not word_type(ws[i], vocab):
        return False
    if i + 1 < len(ws) and ws[i + 1] not in CUES:
        return False
    return not any(keep[k] and word_type(ws[k], vocab) for k in range(i))


def phrase_thing(ws: Sequence[str], keep: Sequence[bool], unit_at: Container[int], vocab: QueryVocab) -> str:
    """The stem of the noun a query's phrase ends in, before any cue ("earphones", "dolls for girls"), when pages
    state it; "" when the phrase ends in a word of the asking, a number or a unit ("birthday gift for a boy",
    "5 litre"), or in something products are made for ("car", "ipad", "swift dzire": what a shop sells for it
    is as much what was asked as the thing itself)."""
    end = next((i for i, w in enumerate(ws) if w in CUES and i), len(ws)) - 1
    if end < 0 or not keep[end] or end in unit_at or not ws[end].isalpha() or ws[end] in NOT_TYPE_WORDS:
        return ""
    t = stem(ws[end])
    return t if t in vocab.stated and t not in vocab.compat_words else ""
