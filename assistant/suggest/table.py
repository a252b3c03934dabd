"""The phrases of one index version as autocomplete matches them: texts, word keys and a sorted word index.

Built once per index version and shared: a refresh from the search log extends it with the log's few new
phrases (`extended`) instead of rebuilding it, so the tens of thousands of small strings, lists and dict
entries of the build's phrases are made once. Rebuilding them every refresh left the replaced ones' memory
as half-used small-object arenas the process could not give back (measured: +13 MB RSS at 20k products).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from heapq import merge

import numpy as np

from assistant.suggest.spans import _WORD_RE, word_spans
from assistant.suggest.tails import word_breadth
from index.corrector import Corrector
from index.suggestions import Phrase
from index.text import stem


class PhraseTable:
    """Per phrase (by phrase id): its text, kind, word keys in order (`plain`), whole key and plural-blind
    key; `key_to_pid`; every word key (hyphen-joined ones too) sorted with its phrase and word ordinal;
    the typo corrector over those words; the breadth and type spread (log1p) of each word."""

    phrases: list[Phrase]
    texts: list[str]
    kinds: list[str]
    plain: list[list[str]]
    keys: list[str]
    folded: list[str]
    key_to_pid: dict[str, int]
    wkeys: list[str]
    wpid: np.ndarray
    wpos: np.ndarray
    word_freq: dict[str, float]
    corrector: Corrector
    breadth: dict[str, float]
    spread: dict[str, float]

    def __init__(self, phrases: Sequence[Phrase], spread: dict[str, int] | None = None):
        self.phrases = list(phrases)
        self.texts, self.kinds, self.plain, self.keys, self.folded = [], [], [], [], []
        entries = self._add(self.phrases, 0)
        entries.sort()
        self.wkeys = [e[0] for e in entries]
        self.wpid = np.array([e[1] for e in entries], np.int64)
        self.wpos = np.array([e[2] for e in entries], np.int32)
        self.key_to_pid = {k: i for i, k in enumerate(self.keys)}
        # phrase words ranked by how many phrases use them: a typo corrects towards the commoner word
        self.word_freq = {}
        for k in self.wkeys:
            self.word_freq[k] = self.word_freq.get(k, 0.0) + 1.0
        self.corrector = Corrector(self.word_freq, self.word_freq)  # the one typo corrector (index/corrector.py)
        self.breadth = word_breadth(self.plain)
        self.spread = {w: math.log1p(n) for w, n in (spread or {}).items()}

    def __len__(self) -> int:
        return len(self.phrases)

    def _add(self, phrases: Iterable[Phrase], first_pid: int) -> list[tuple[str, int, int]]:
        """Append the phrases' per-phrase entries; their word index entries (key, phrase id, word ordinal)."""
        entries: list[tuple[str, int, int]] = []
        for pid, ph in enumerate(phrases, first_pid):
            text = ph.text
            spans = word_spans(text)
            n_plain = len(_WORD_RE.findall(text))
            ordinal = {s[1]: i for i, s in enumerate(spans[:n_plain])}
            plain = [k for k, _, _ in spans[:n_plain]]
            self.texts.append(text)
            self.kinds.append(ph.kind)
            self.plain.append(plain)
            self.keys.append(" ".join(plain))  # == phrase_key(text)
            self.folded.append(" ".join(stem(w) for w in plain))  # plural-blind
            # a hyphen-joined key has its first part's ordinal
            entries.extend((k, pid, ordinal[s]) for k, s, _ in spans)
        return entries

    def extended(self, phrases: Sequence[Phrase], spread: dict[str, int] | None = None) -> PhraseTable:
        """This table plus more phrases (numbered after this table's), sharing this table's objects: only the
        new phrases' entries are made, and the sorted word index is merged, not re-sorted."""
        out = PhraseTable.__new__(PhraseTable)
        n = len(self.phrases)
        out.phrases = self.phrases + list(phrases)
        out.texts, out.kinds, out.plain = list(self.texts), list(self.kinds), list(self.plain)
        out.keys, out.folded = list(self.keys), list(self.folded)
        entries = sorted(out._add(phrases, n))
        # equal keys: this table's entries first (lower phrase ids), as a full sort would order them
        at = [bisect_right(self.wkeys, k) for k, _, _ in entries]
        out.wkeys = list(merge(self.wkeys, [e[0] for e in entries]))
        out.wpid = np.insert(self.wpid, at, [e[1] for e in entries]) if entries else self.wpid
        out.wpos = np.insert(self.wpos, at, [e[2] for e in entries]) if entries else self.wpos
        out.key_to_pid = dict(self.key_to_pid)
        for pid in range(n, len(out.keys)):
            out.key_to_pid[out.keys[pid]] = pid
        out.word_freq = dict(self.word_freq)
        for k, _, _ in entries:
            out.word_freq[k] = out.word_freq.get(k, 0.0) + 1.0
        out.corrector = Corrector(out.word_freq, out.word_freq) if entries else self.corrector
        # only the words the new phrases use after their first word can change breadth
        out.breadth = dict(self.breadth)
        for w in {w for ws in out.plain[n:] for w in ws[1:]}:
            out.breadth[w] = math.log1p(len(out._leaders(w)))
        out.spread = dict(self.spread)
        out.spread.update((w, math.log1p(c)) for w, c in (spread or {}).items())
        return out

    def _leaders(self, word: str) -> set[str]:
        """First words of the phrases that use word elsewhere than first (see tails.word_breadth)."""
        lo = bisect_left(self.wkeys, word)
        hi = bisect_right(self.wkeys, word, lo)
        pids = self.wpid[lo:hi][self.wpos[lo:hi] > 0].tolist()
        return {self.plain[p][0] for p in pids if word in self.plain[p][1:]}
