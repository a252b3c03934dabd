"""Which one-edit readings of a short typed word to offer beside its exact completions (expected value).

Three typed letters start many words, and a shopper who typed "add" may have meant "adi…" (adidas) just as
one who typed "addidas" did. Offering every word one edit away buries what the letters really start ("nik"
is nike, not "nic…"), so a reading is offered only where it is the better bet: a typo happens with some small
probability p, so the reading "w" is worth more than the typed letters' own best completion only when the
catalog's evidence for w (distinct products of its best phrase) is more than 1/p times theirs. 1/p is the
ranking's own fuzzy penalty turned back into a ratio: a reading that passes also outranks on its score.

What shoppers look for counts the same way: the shop's search log (and accepted suggestions) is evidence too.
The catalog alone cannot tell that "add" means adidas (on the 20k demo catalog adidas has 22 products and
addiction 27); a log in which shoppers search adidas and not addiction can. A reading is also offered when the
searches under it exceed the completions' searches by the same twice-paid penalty, in the searches weight's
units (exp(2 x 1.5 / 1.5) ≈ 7.4 times, plus one: a word nobody searched needs about seven searches).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from assistant.suggest.weights import Weights

MAX_READINGS = 64  # words one edit from the typed start, closest and most used first


def typo_odds(w: Weights, unit: float | None = None) -> float:
    """How many times the distinct products (or, with unit=w.searches, the searches) of the exact completions
    a one-edit reading needs.

    The ranking's fuzzy penalty, turned back into a ratio of products (exp(1.5/0.6) ≈ 12), is what a reading
    pays to be ranked at all; to be offered *beside* completions the shopper's letters really start, it pays
    it twice (≈ 150): the one typo must also be more likely than the letters being right. Measured on the
    20k catalog, one payment let big shelves one letter away displace what was typed ("jea" -> jewellery
    before jeans, "lev" -> living)."""
    unit = w.count if unit is None else unit
    if w.fuzzy >= 0 or unit <= 0:
        return math.inf if unit is not None and unit <= 0 else 1.0
    return math.exp(-2 * w.fuzzy / unit)


def likely_typos(
    token: str,
    completions: Sequence[str],
    readings: Sequence[str],
    evidence: Callable[[str], tuple[float, float, float]],
    completed: Callable[[str], tuple[float, float, float]],
    odds: float,
    search_odds: float = math.inf,
) -> list[str]:
    """The readings (words one edit from token that head phrases: `evidence`) the shop makes the better bet
    than every completion of token (wherever it stands in its phrases: `completed`): in the catalog, more than
    odds x their distinct products and more kinds of product than any of them; or in what shoppers search,
    more than search_odds x (1 + their searches)."""
    got = [completed(w) for w in completions]
    products = max((e[0] for e in got), default=0.0)
    kinds = max((e[1] for e in got), default=0.0)
    searched = max((e[2] for e in got), default=0.0)
    out = []
    for w in readings:
        if same_length_edit(token, w):
            n, k, s = evidence(w)
            if (n > odds * products and k > kinds) or 1.0 + s > search_odds * (1.0 + searched):
                out.append(w)
    return out


def same_length_edit(token: str, word: str) -> bool:
    """word starts with token after one substituted letter ("add" -> "adi…").

    A dropped or added letter is not read: two or four letters start far more words than three do, so such
    readings would mostly be chance ("sne" -> "se…" would offer sets)."""
    start = word[: len(token)]
    return len(start) == len(token) and sum(a != b for a, b in zip(token, start, strict=True)) == 1
