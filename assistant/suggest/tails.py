"""What the phrase index cannot hold: a price ("saree under 500") or a model ("galaxy j7") typed after the
words a phrase matches. The words are completed as usual and the tail is kept on each suggestion. Also the
breadth of a word (how many different phrase leaders use it), which tells a shopper's word ("bluetooth",
used by many makers) from one shop's name ("bluestone"). Pure functions over the Suggester's arrays."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from index.text import expand_numbers

_PRICE_TAIL = re.compile(
    r"\s+((?:under|below|less than|upto|up to|within|over|above|between|from|for)\s+"
    r"(?:rs\.?\s*|₹\s*|\$\s*)?\d[\d,.]*k?(?:\s*(?:-|to|and)\s*(?:rs\.?\s*|₹\s*)?\d[\d,.]*k?)?)\s*$"
)
_MODEL = re.compile(r"^(?=.*\d)[a-z0-9\-]{1,12}$")


def split_tail(q: str) -> tuple[str, str, bool] | None:
    """(words, tail, is_model) of a query ending in a price phrase or model tokens; None when it does not."""
    low = " ".join(q.lower().split())
    m = _PRICE_TAIL.search(low)
    if m and low[: m.start()].strip():
        return low[: m.start()].strip(), expand_numbers(m.group(1)), False
    ws = low.split()
    n = 0
    while n < len(ws) - 1 and _MODEL.match(ws[len(ws) - 1 - n]):
        n += 1
    if n:
        return " ".join(ws[: len(ws) - n]), " ".join(ws[len(ws) - n :]), True
    return None


def word_breadth(plain: Sequence[Sequence[str]]) -> dict[str, float]:
    """log1p(distinct first words of the phrases that use a word elsewhere than first)."""
    leaders: dict[str, set[str]] = {}
    for ws in plain:
        for w in ws[1:]:
            leaders.setdefault(w, set()).add(ws[0])
    return {w: math.log1p(len(s)) for w, s in leaders.items()}


def with_tail(suggest: Callable[..., list], q: str, k: int, **kw) -> list:
    """Suggestions for the words before a price or model tail, each with the tail kept ("sarees under 500").
    A model tail only follows a phrase ending in the word it completes ("samsung galaxy" + "j7")."""
    got = split_tail(q)
    if got is None:
        return []
    head, tail, is_model = got
    out = []
    last = head.split()[-1] if head.split() else ""
    for s in suggest(head, k * 2 if is_model else k, **kw):
        if is_model and not s.text.split()[-1].startswith(last):
            continue
        start = len(s.text) + 1
        s.text = f"{s.text} {tail}"
        s.highlight = [*s.highlight, (start, len(s.text))]
        out.append(s)
        if len(out) >= k:
            break
    return out
