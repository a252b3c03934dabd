"""What a product page states, word by word, and the ways a page says it lacks something ("Non Padded",
"Sleeveless", "Solid"): read by the stated-words tiers and by negations."""

from __future__ import annotations

import re

from index.catalog import Product
from index.text import normalise, readings, singular, terms

_NON = re.compile(r"\bnon[\s-]+(?=[a-z])")


def negated_terms(text: str) -> set[str]:
    """Stems a text states only as negated: "Non Padded" states nonpad, not pad (so excluding padded keeps it)."""
    low = normalise(text)
    if "non" not in low:
        return set()
    joined = _NON.sub("non", low)
    return set(terms(low)) - set(terms(joined))


def page_terms(p: Product) -> set[str]:
    """Stems of what a product's page states: title, description and every specification value, with "non X"
    also read as one word ("Non Padded" -> nonpad)."""
    text = normalise(" ".join([p.title, p.description, *p.attributes.values()]))
    out = set(terms(text))
    return out | set(terms(_NON.sub("non", text))) if "non" in text else out


# English words for the absence of a pattern (not this catalog's names): "without print" is solid or plain.
_PLAIN = ("solid", "plain")
_OPPOSITES: dict[str, tuple[str, ...]] = dict.fromkeys(("print", "printed", "pattern", "patterned", "design"), _PLAIN)


def lacking_forms(word: str) -> tuple[str, ...]:
    """How a page says it lacks what a negated word names: "non padded", "sleeveless" (for "without sleeves"),
    "solid" (for "without print")."""
    one = singular(word)
    forms = ("non" + word, "non" + one, one + "less", *_OPPOSITES.get(word, ()), *_OPPOSITES.get(one, ()))
    return tuple(dict.fromkeys(t for f in forms for t in readings(f)))
