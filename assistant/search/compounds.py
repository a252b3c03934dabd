"""How a shopper's typed words join or split as the shop's pages write them: a lone letter before a word ("t shirt"),
a compound the shop writes as two words ("handbags": "Hand Bags"), a model written with or without its space
("tab 3" / "tab3", "16gb" / "16 gb"). Pure functions over the catalog's vocabulary."""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

import numpy as np

from index.text import singular, stem

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
    """Adjacent words with a digit that pages write as one ("tab 3" -> "tab3", "mi 4i" -> "mi4i")."""
    out = []
    for a, b in itertools.pairwise(search_words):
        if a.isalnum() and b.isalnum() and any(c.isdigit() for c in a + b) and (j := stem(a + b)) in vocab.stated:
            out.append((stem(a), stem(b), j))
    return tuple(out)


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
