"""What a search says when the catalog lacks what the query names: the `notice` checks over the whole catalog."""

from __future__ import annotations

from collections.abc import Container

import numpy as np

from assistant.search.query import Filters
from assistant.search.ranking import Postings, all_forms, describe
from assistant.search.understand import QUERY_WORDS, Understanding
from index.text import stem, tokenize


def not_found(
    u: Understanding,
    f: Filters,
    allowed: np.ndarray,
    typed: np.ndarray | None,
    known: Container[str],
    lex_post: Postings,
) -> str | None:
    """What the query names that no product (within the hard filters) has, said with what is shown instead:
    words no product mentions ("ps5"); without a detected type, words no product has together ("iphone 12
    pro max"); with a type and a hard filter, the type with the other words ("diamond ring under 500").
    `known` is the lexical index's vocabulary (stems), `lex_post` its postings."""
    said = [w for w in tokenize(u.search_text) if w not in QUERY_WORDS]
    either = {t for a, b, j in u.joined for t in (a, b)} | {w for w, *_ in u.split}  # a model written either way
    unknown = [w for w in said if stem(w) not in known and stem(w) not in either]
    if unknown:
        return f"No product mentions {' '.join(unknown)!r}; showing the closest in meaning instead."
    stems = tuple(dict.fromkeys([*(stem(w) for w in said), *u.prefix_terms[:1]]))  # the likeliest completion
    said += u.text.split()[-1:] if u.prefix_terms else []  # as typed
    if not said:
        return None
    if typed is None:
        if len(stems) > 1 and not (all_forms(lex_post, stems, u.joined, u.split) & allowed).any():
            return f"Nothing here has all of {' '.join(said)!r}; showing products that match part of it."
        return None
    other = tuple(t for t in stems if t not in u.type_terms)
    has_other = all_forms(lex_post, other, u.joined, u.split) if other and not f.is_empty() else None
    if has_other is not None and not (has_other & typed & allowed).any():
        words = " ".join(w for w in said if stem(w) in other)
        return f"No {u.product_type} with {words!r} {describe(None, f)}; showing the closest products instead."
    return None
