"""The one typo corrector: known words within a few edits of a typed word (autocomplete, search and chat)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from index.text import stem


def max_edits(word: str) -> int:
    """Edits a typed word may be away from what was meant: 1 up to 5 letters, 2 up to 7, then 3 (two swapped
    neighbouring letters are one edit, as in Damerau's count: "shrit" is one edit from "shirt")."""
    return 1 if len(word) <= 5 else 2 if len(word) <= 7 else 3


class Corrector:
    """Known words within a few edits of a typed word, by their start (so a half-typed word corrects too).

    Words are bucketed by first letter (first-letter typos are rare and the bucket keeps a scan small);
    the distinct starts of each length are scanned, not every word. Answers are memoised per instance.
    """

    def __init__(
        self,
        vocabulary: Iterable[str],
        frequency: dict[str, float] | None = None,
        kinds: Iterable[str] = (),
    ):
        self.words = sorted({w for w in vocabulary if w})
        self.frequency = frequency or {}
        self.total = sum(self.frequency.values())  # every word written, counted with its frequency
        # stems of the words naming the shop's kinds of product: between misspellings equally close, the one
        # naming a kind is what a shopper typing a product word meant ("pilow": a pillow, not a Pilot pen)
        self.kinds = frozenset(stem(k.lower()) for k in kinds)
        by_letter: dict[str, list[str]] = {}
        for w in self.words:
            by_letter.setdefault(w[0], []).append(w)
        self._by_letter = by_letter
        self.corrections = lru_cache(maxsize=8192)(self._corrections)  # per instance: it dies with it
        self._starts = lru_cache(maxsize=512)(self._starts_of)

    def __contains__(self, word: str) -> bool:
        i = bisect_left(self.words, word)
        return i < len(self.words) and self.words[i] == word

    def has_prefix(self, prefix: str) -> bool:
        i = bisect_left(self.words, prefix)
        return i < len(self.words) and self.words[i].startswith(prefix)

    def completions(self, prefix: str, limit: int = 5) -> list[str]:
        """Known words starting with prefix, the most frequent first."""
        lo = bisect_left(self.words, prefix)
        hi = bisect_left(self.words, prefix + "\uffff", lo)
        found = self.words[lo:hi]
        return sorted(found, key=lambda w: (-self.frequency.get(w, 0.0), len(w), w))[:limit]

    def _starts_of(self, letter: str, n: int) -> tuple[list[str], list[list[str]]]:
        groups: dict[str, list[str]] = {}
        for w in self._by_letter.get(letter, ()):
            groups.setdefault(w[:n], []).append(w)
        return list(groups), list(groups.values())

    def _corrections(self, token: str, limit: int = 12, max_d: int = 0) -> list[str]:
        """Words whose start is within max_d edits (default 1, 2 from 6 letters) of token ("snek" ->
        "sneakers"), closest first."""
        if not token or token[0] not in self._by_letter:
            return []
        max_d = max_d or (1 if len(token) <= 5 else 2)
        best: dict[str, int] = {}
        for n in range(len(token) - 1, len(token) + 2):
            starts, owners = self._starts(token[0], n)
            for _, d, i in process.extract(token, starts, scorer=OSA.distance, score_cutoff=max_d, limit=None):
                for w in owners[i]:
                    if d < best.get(w, 99):
                        best[w] = d
        return sorted(best, key=lambda w: (best[w], -self.frequency.get(w, 0.0), w))[:limit]

    def near(self, word: str, max_d: int = 1) -> list[str]:
        """Other known whole words within max_d edits of a word, the most frequent first."""
        cands = [w for w in self.corrections(word, 40, max_d) if w != word and OSA.distance(word, w) <= max_d]
        return sorted(cands, key=lambda w: (-self.frequency.get(w, 0.0), w))

    def correct(self, word: str) -> str | None:
        """The known whole word a fully typed misspelling meant ("jeens" -> "jeans"), or None. A word of letters
        is never corrected into a code with digits ("tracksuit" is not "tracksuit01")."""
        if len(word) < 4 or word.isdigit() or word in self:
            return None
        max_d = max_edits(word)
        letters = word.isalpha()
        cands = [
            (OSA.distance(word, w), stem(w) not in self.kinds, -self.frequency.get(w, 0.0), w)
            for w in self.corrections(word, 40, max_d)
            if abs(len(w) - len(word)) <= max_d and (w.isalpha() or not letters)
        ]
        cands = [c for c in cands if c[0] <= max_d]
        return min(cands)[3] if cands else None
