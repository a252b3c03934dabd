"""How a shopper's typed words join or split as the shop's pages write them: a lone letter before a word ("t shirt"),
a compound the shop writes as two words ("handbags": "Hand Bags"), a model written with or without its space
("tab 3" / "tab3", "16gb" / "16 gb"). Pure functions over the catalog's vocabulary."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz.distance import OSA

from assistant.search.asking import NOT_TYPE_WORDS
from index.text import STOPWORDS, singular, stem

if TYPE_CHECKING:
    from assistant.search.vocab import QueryVocab


def join_letters(ws: list[str]) -> list[str]:
    """A lone letter before a word is a compound ("t shirt" -> "tshirt"), as the vocabulary reads it."""
    out: list[str] = []
    i = 0
    while i < len(ws):
        w = ws[i]
        if len(w) == 1 and w.isalpha() and w not in ("a", "i") and i + 1 < len(ws) and ws[i + 1].isalpha():
            out.append(w + ws[i + 1])
            i += 2
            continue
        out.append(w)
        i += 1
    return out


def join_words(ws: list[str], vocab: QueryVocab) -> list[str]:
    """Two words the shop's pages write as one, and apart (both on one product) at most a tenth as often: "rain
    coat" is its "Raincoat", "back pack" its "Backpack" (not "wrist watch": the shop writes "Wrist Watches")."""
    out: list[str] = []
    i = 0
    while i < len(ws):
        a, b = ws[i], ws[i + 1] if i + 1 < len(ws) else ""
        ab = a + b
        if (
            len(a) > 2 < len(b)
            and ab.isalpha()
            and a not in NOT_TYPE_WORDS
            and b not in NOT_TYPE_WORDS
            and (n := vocab.corrector.frequency.get(ab, 0)) >= 2
            and vocab.together({stem(a), stem(b)}) * 10 < n  # seldom written apart, if ever
        ):
            out.append(ab)
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def split_compound(w: str, vocab: QueryVocab) -> list[str] | None:
    """A word the shop writes as two ("handbags": "Hand Bags", "tracksuit": "Track Suit") when the catalog does
    not know it whole: the split into two known words that the most products have together (two at least)."""
    known = vocab.corrector
    if len(w) < 6 or w in known or singular(w) in known:
        return None
    best, most = None, 1
    for i in range(3, len(w) - 2):
        a, b = w[:i], w[i:]
        if a not in known or b not in known:
            continue
        ra, rb = vocab.rows.get(stem(a)), vocab.rows.get(stem(b))
        if ra is not None and rb is not None and (n := np.intersect1d(ra, rb, assume_unique=True).size) > most:
            best, most = [a, b], n
    return best


def join_digits(search_words: list[str], vocab: QueryVocab) -> tuple[tuple[str, str, str], ...]:
    """Adjacent words with a digit that pages write as one ("tab 3" -> "tab3", "mi 4i" -> "mi4i"), and two words
    the shop writes as the first one's initial and the second ("tea light" -> "T-Light", read "tlight")."""
    out = []
    for a, b in itertools.pairwise(search_words):
        if a.isalnum() and b.isalnum() and any(c.isdigit() for c in a + b) and (j := stem(a + b)) in vocab.stated:
            out.append((stem(a), stem(b), j))
        elif _initial_compound(a, b, vocab):
            out.append((stem(a), stem(b), stem(a[0] + b)))
    return tuple(out)


def _initial_compound(a: str, b: str, vocab: QueryVocab) -> bool:
    """The shop writes "a b" as a's initial, a hyphen and b ("tea light": "T-Light"), on more of its products than
    write both words and on INITIAL_MIN at least (a unit's letter, "5 L Backpack", joins no such word)."""
    if len(a) < 3 or len(b) < 3 or not (a.isalpha() and b.isalpha()) or a in STOPWORDS or b in STOPWORDS:
        return False
    if stem(a[0] + b) not in vocab.initials:
        return False
    joined = vocab.rows.get(stem(a[0] + b))
    if joined is None or len(joined) < INITIAL_MIN:
        return False
    ra, rb = vocab.rows.get(stem(a)), vocab.rows.get(stem(b))
    both = np.intersect1d(ra, rb, assume_unique=True).size if ra is not None and rb is not None else 0
    return len(joined) > both


INITIAL_MIN = 5


LETTERS_DIGITS = re.compile(r"^(?:([a-z]+)([0-9]+)|([0-9]+)([a-z]+))$")


def split_digits(search_words: list[str], vocab: QueryVocab) -> tuple[tuple[str, str, str], ...]:
    """Words of letters then digits (or digits then letters) that titles also write apart ("16gb" -> "16 gb",
    "tab3" -> "tab 3")."""
    out = []
    for w in search_words:
        m = LETTERS_DIGITS.match(w)
        if m is None:
            continue
        a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if f"{(sa := stem(a))} {(sb := stem(b))}" in vocab.split_words:
            out.append((stem(w), sa, sb))
    return tuple(out)


def misspelt_pair(w: str, c: str | None, vocab: QueryVocab) -> list[str] | None:
    """A misspelling of two words the shop writes apart in titles or shelves ("hanbag": "Hand Bags"; "handbgs"), when
    closer to them than to the word the corrector found (see below): the two words; else None."""
    if w in vocab.corrector or (j := vocab.joined.correct(w)) is None:
        return None
    if c is None and OSA.distance(w, j) > 1:  # nothing else near: only a slip of one letter ("zenfone" stays)
        return None
    if c is not None:
        # (as close as its singular: "handbeg" is one letter from "handbag", two from the "Hand Bags" written)
        d = min(OSA.distance(w, j), OSA.distance(w, j[:-1]) if j.endswith("s") else 99)
        dc = OSA.distance(w, c)
        # against a word naming a kind of product ("neckless": necklaces, not the shop's "Neck Rests"), only a pair
        # one edit away and closer; against another word ("Hanna", a maker), a pair as close
        if (d > 1 or d >= dc) if stem(c) in vocab.corrector.kinds else d > dc:
            return None
    return split_compound(j, vocab)


def model_name(run: list[str], is_kind: Callable[[str], bool]) -> bool:
    """Words after "for" that name a model: a word of letters first, then a number among them ("redmi note 3",
    "moto g4"), none of them a kind of product (a "kurta for 3-4 years" asks for no device)."""
    return (
        len(run) >= 2
        and run[0].isalpha()
        and run[0] not in NOT_TYPE_WORDS
        and any(c.isdigit() for w in run[1:] for c in w)
        and not any(is_kind(w) for w in run if w.isalpha())
    )
