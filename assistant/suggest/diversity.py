"""Room for more than one word under a short prefix ("blu": bluetooth beside the blue things).

Under few typed letters a completed word earns a bonus for being one shoppers search by (its breadth and
the product types it spans, suggester.py). That bonus says the *word* is likely; it was counted again for
every phrase completing it, so four "blue …" phrases each carried it and pushed "bluetooth" to fifth. Here
a further "blue …" loses that bonus, down to the bonus of the strongest word not offered yet: it then meets
"bluetooth" on what the phrases themselves have (products, searches, match), while a maker's second phrase
still stays above a rare title whose word earns next to nothing ("ree": reebok t-shirts before reet rings).
"""

from __future__ import annotations

import numpy as np


def diverse_order(
    score: np.ndarray, tie: np.ndarray, words: list[str], typed: str, repeat_cost: np.ndarray, n: int
) -> list[int]:
    """Candidate indices, best first: the first n picked greedily, a candidate whose word an earlier pick
    completes losing its repeat_cost, but no more than the largest repeat_cost among the words not picked
    yet (the typed word itself is exempt); the rest by score (ties: tie ascending)."""
    order = np.lexsort((tie, -score)).tolist()
    if n <= 0 or not repeat_cost.any():
        return order
    bonus: dict[str, float] = {}  # the bonus each word's phrases carry
    for j in order:
        bonus.setdefault(words[j], float(repeat_cost[j]))
    out: list[int] = []
    left = order
    seen: set[str] = set()
    while left and len(out) < n:
        others = sorted((b for w, b in bonus.items() if w not in seen), reverse=True)[:2]
        best, best_val = 0, -np.inf
        for pos, j in enumerate(left):  # left is in score order: no later one can beat best_val
            if score[j] <= best_val:
                break
            val = float(score[j])
            if words[j] in seen and words[j] != typed and others:
                # what it may lose: its word's edge, down to the strongest word still without a slot
                val -= min(float(repeat_cost[j]), others[0])
            if val > best_val:
                best, best_val = pos, val
        j = left.pop(best)
        out.append(j)
        seen.add(words[j])
    return out + left
