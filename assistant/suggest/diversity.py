"""Room for more than one word under a short prefix ("blu": bluetooth beside the blue things).

Under few typed letters a completed word earns a bonus for being one shoppers search by (its breadth and
the product types it spans, suggester.py). That bonus says the *word* is likely; it was counted again for
every phrase completing it, so four "blue …" phrases each carried it and pushed "bluetooth" to fifth. Here
only the first completion of a word keeps it: a further "blue …" competes on what the phrase itself has
(its products, searches, match), like a phrase of another word does.
"""

from __future__ import annotations

import numpy as np


def diverse_order(
    score: np.ndarray, tie: np.ndarray, words: list[str], typed: str, repeat_cost: np.ndarray, n: int
) -> list[int]:
    """Candidate indices, best first: the first n picked greedily, a candidate whose word an earlier pick
    completes losing repeat_cost (the typed word itself is exempt); the rest by score (ties: tie ascending)."""
    order = np.lexsort((tie, -score)).tolist()
    if n <= 0 or not repeat_cost.any():
        return order
    out: list[int] = []
    left = order
    seen: set[str] = set()
    while left and len(out) < n:
        best, best_val = 0, -np.inf
        for pos, j in enumerate(left):  # left is in score order: no later one can beat best_val
            if score[j] <= best_val:
                break
            val = score[j] - (repeat_cost[j] if words[j] in seen and words[j] != typed else 0.0)
            if val > best_val:
                best, best_val = pos, val
        j = left.pop(best)
        out.append(j)
        seen.add(words[j])
    return out + left
