"""Which spelling corrections a query keeps, read against the shop's words (pure over a `QueryVocab`): a correction
into a word the shop seldom writes is a coincidence (RARE_IN), so is one into a word no product writes with the
query's other words (written_apart: "gas stove" is no "gas stole"), and a word the shop writes seldom and never with
the others may be a typo of a common one that it does (strays: "blak shoes"). Used by search's understanding and by
the chat's corrector alike."""

from __future__ import annotations

from collections.abc import Iterable

from assistant.search.asking import NEGATORS, NOT_TYPE_WORDS
from assistant.search.vocab import QueryVocab
from index.text import UNITS, stem

# A correction lands only on a word written at least once in this many of the shop's words (9 times in the bundled
# 20k's 350,889): "potter" is not the 8 times written "poster", "frying" not "flying" (7), while "headfone" is still
# "headphone" (10); a small shop has no such rare words. Placed between those, read on the benchmark's queries.
RARE_IN = 40_000
# A known word is read as a typo of a word one edit away written this many times as often, when only that one goes with
# the query's other words ("blak shoes": "Blak" once, "black" on hundreds of pages)
STRAY_RATIO = 50
STRAY_RARE = 10  # ... and only a word written at most this many times is read so

# the asking, who it is for, units, negators: no words the others go with ("saree without border" is no "boxer")
_NOT_CONTENT = NOT_TYPE_WORDS | UNITS.keys() | NEGATORS


def alone(fixed: list[str], swaps: dict[int, str], vocab: QueryVocab) -> list[int]:
    """The corrections into a word no product writes with the query's other words as typed (written_apart): another
    correction is no evidence ("prety earings")."""
    return [i for i in swaps if written_apart(fixed[i], [w for j, w in enumerate(fixed) if j not in swaps], vocab)]


def written_apart(word: str, others: Iterable[str], vocab: QueryVocab) -> bool:
    """No product writes the word with the other words the shop knows, while some product writes those together: a
    correction into it is a coincidence of spelling, not what was meant ("gas stove" is no "gas stole", the women's
    scarf). The asking and who it is for ("i want a", "for my wife") are no words of the others."""
    known = {stem(w) for w in others if w.isalpha() and w not in _NOT_CONTENT}
    known &= vocab.rows.keys()
    return bool(known) and bool(vocab.together(known)) and not vocab.together(known | {stem(word)})


def strays(fixed: list[str], swaps: dict[int, str], vocab: QueryVocab) -> list[tuple[int, str]]:
    """Known words that are typos of common ones: a word the shop writes seldom and never with the query's other
    words, one edit from a word written at least STRAY_RATIO times as often that it does write with them ("blak
    shoes": "Blak" is written once, "black" with shoes on hundreds of pages). (position, the common word) each."""
    freq, out = vocab.corrector.frequency, []
    content = {j: stem(w) for j, w in enumerate(fixed) if w.isalpha() and w not in _NOT_CONTENT}
    content = {j: t for j, t in content.items() if t in vocab.rows}
    # only a word the shop writes seldom can be such a typo: most queries have none, and read no postings here
    rare = [i for i in content if len(fixed[i]) >= 4 and i not in swaps and freq.get(fixed[i], 0.0) <= STRAY_RARE]
    if not rare or len(content) < 2 or vocab.together(set(content.values())):
        return []  # nothing else said, or the words go together: every word is as meant
    for i in rare:
        w = fixed[i]
        others = {u for j, u in content.items() if j != i}
        if w in NOT_TYPE_WORDS or not vocab.together(others):
            continue
        floor = STRAY_RATIO * max(freq.get(w, 0.0), 1.0)
        for c in vocab.corrector.near(w):
            if c.isalpha() and freq.get(c, 0.0) >= floor and vocab.together(others | {stem(c)}):
                out.append((i, c))
                break
    return out
