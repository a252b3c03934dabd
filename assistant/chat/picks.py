""" "Which one is the cheapest?": a question about the products just shown, answered by picking one of them (pure).
The cheapest, the dearest or the best rated of what was shown becomes the product talked about, so "add it to my
cart" next adds that one. Said as a question about the shown list, not "show me cheaper ones" (a new search)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.catalog import Product

_WHICH = r"\bwhich(?: one| of (?:these|them|those|the \w+))?(?: is|'s| are|s)? (?:the )?"
_CRITERIA = {
    "cheapest": r"cheapest|least expensive|lowest priced|most affordable|lowest price",
    "dearest": r"most expensive|dearest|priciest|costliest|highest priced",
    "best rated": r"best rated|highest rated|top rated|most popular|best reviewed",
}
_ASKED = [(name, re.compile(_WHICH + rf"(?:{alts})\b")) for name, alts in _CRITERIA.items()]


def asked(text: str) -> str | None:
    """The criterion a question picks by ("which one is the cheapest": "cheapest"), None when it asks no such thing."""
    return next((name for name, rx in _ASKED if rx.search(text)), None)


def best(criterion: str, shown: Sequence[Product | None]) -> int | None:
    """The position in shown of the product the criterion picks (the first of equals), None when none has the
    figure it is picked by (no price, no rating)."""
    key = {"cheapest": lambda p: p.price, "dearest": lambda p: -p.price if p.price is not None else None}.get(
        criterion, lambda p: -p.rating if p.rating is not None else None
    )
    scored = [(k, i) for i, p in enumerate(shown) if p is not None and (k := key(p)) is not None]
    return min(scored)[1] if scored else None


def lead(criterion: str, position: int, of: int) -> str:
    """What the reply says before the product: "The cheapest of the 6 I showed is #2: "."""
    return f"The {criterion} of the {of} I showed is #{position}: "
