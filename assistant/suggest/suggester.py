"""Search-box autocomplete: prefix and word-start matching over sorted in-memory arrays, a rapidfuzz
typo fallback, and ranking by popularity, match quality and (with consent) the shopper's taste.

Pure: phrases, their build-time vectors and counts come in; no I/O and no model here (nothing is
embedded per keystroke). Every keystroke costs two bisects per typed word plus NumPy work over the
matching range, so the cost barely grows with the catalog.
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.suggest.diversity import diverse_order
from assistant.suggest.picks import Picks
from assistant.suggest.rows import Rows
from assistant.suggest.spans import _in_order, completed_word, highlight, query_words
from assistant.suggest.table import PhraseTable
from assistant.suggest.tails import with_tail
from assistant.suggest.typos import MAX_READINGS, likely_typos, typo_odds
from assistant.suggest.weights import Weights
from index.suggestions import Phrase, phrase_key

MIN_FUZZY_CHARS = 4  # typo tolerance only from this many typed characters (shorter is too ambiguous)
# Candidates ranked in full after the cheap popularity cut. Personal affinity can move a phrase by up to
# ~weights.personal points, so a shopper's ranking looks deeper than an anonymous one, where only the
# match bonuses (a few points) can reorder the cut.
SHORT_PREFIX = 3  # letters up to which the breadth of the matched word counts
SHORTLIST = 128
SHORTLIST_ANONYMOUS = 48
DEFAULT_WEIGHTS = Weights()


@dataclass
class Suggestion:
    text: str
    kind: str
    highlight: list[tuple[int, int]]  # [start, end) ranges of `text` that the typed words matched
    score: float = 0.0
    count: int = 0  # products it finds
    pid: int = -1  # phrase number in its Suggester (for its products)

    def as_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind, "highlight": [list(h) for h in self.highlight]}


class Suggester:
    """The phrases of one index version, with the arrays that match them. Swapped whole on reload."""

    def __init__(
        self,
        phrases: Sequence[Phrase] | PhraseTable,
        vectors: np.ndarray,
        top_rows: Sequence[np.ndarray],
        searches: dict[str, float] | None = None,
        weights: Weights = DEFAULT_WEIGHTS,
        spread: dict[str, int] | None = None,
    ):
        # the phrases' texts and word index: shared with the Suggesters of later refreshes (see table.py)
        t = phrases if isinstance(phrases, PhraseTable) else PhraseTable(phrases, spread)
        self.table = t
        self.phrases, self.texts, self.kinds, self.plain = t.phrases, t.texts, t.kinds, t.plain
        self.keys, self.folded, self.key_to_pid = t.keys, t.folded, t.key_to_pid
        self._wkeys, self._wpid, self._wpos = t.wkeys, t.wpid, t.wpos
        self.corrector, self.breadth, self.spread = t.corrector, t.breadth, t.spread
        # float16 as stored on disk: half the memory; only the shopper's cosines use them (error < 1e-3)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float16)
        self.top_rows = top_rows if isinstance(top_rows, Rows) else Rows.pack(top_rows)
        self.weights = weights
        self.odds = typo_odds(weights)
        self.search_odds = typo_odds(weights, weights.searches)
        n = len(self.phrases)
        self.count = np.fromiter((p.count for p in self.phrases), np.float64, count=n)
        found = self.count
        if weights.distinct:  # a title sold in 30 sizes is one thing to look at, not 30
            found = np.fromiter((p.distinct or p.count for p in self.phrases), np.float64, count=n)
        self.found = found.astype(np.float32)  # a phrase's evidence in the catalog (see typos.py)
        kind_prior = dict(weights.kind)
        self.prior = np.fromiter((kind_prior.get(k, 0.0) for k in self.kinds), np.float64, count=n)
        self.prior += weights.count * (np.log1p(found) - np.log1p(self.count))  # static keeps one formula
        if weights.single_title:
            lone = np.fromiter((p.distinct == 1 and len(p.text.split()) >= 3 for p in self.phrases), bool, n)
            self.prior += weights.single_title * lone
        self.searches = np.zeros(n, np.float64)
        for text, c in (searches or {}).items():
            pid = self.key_to_pid.get(phrase_key(text))
            if pid is not None:
                self.searches[pid] += c
        self.static = self.prior + weights.count * np.log1p(self.count) + weights.searches * np.log1p(self.searches)
        self.version = 0  # bumped by learn(): answers computed before are stale
        self.unlogged: dict[str, float] = {}  # learned counts no search log will report (anonymous accepts)
        self.picks = Picks()  # what was picked after typing what (a refresh's Suggester shares it)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.phrases)

    # -- matching ------------------------------------------------------------------------------------------

    def _range(self, prefix: str) -> tuple[int, int]:
        lo = bisect_left(self._wkeys, prefix)
        return lo, bisect_left(self._wkeys, prefix + "\uffff", lo)

    def _has_prefix(self, token: str) -> bool:
        lo, hi = self._range(token)
        return hi > lo

    def corrections(self, token: str, limit: int = 12) -> list[str]:
        """Vocabulary words whose start is within 1 (2 from 6 letters) edits of a typed word ("snek" ->
        "sneakers", "addidas" -> "adidas"); memoised by the corrector (the same misspelt starts recur)."""
        return self.corrector.corrections(token, limit)

    def evidence(self, word: str, heads: bool = True) -> tuple[float, float, float]:
        """What the shop offers under a word: (distinct products of the best phrase it heads, or with
        heads=False has anywhere; product types it spans; searches for the phrases it heads or has, from the
        search log and accepted suggestions); zeros when there is none ("and" heads nothing)."""
        lo = bisect_left(self._wkeys, word)
        hi = bisect_right(self._wkeys, word, lo)
        pids = self._wpid[lo:hi]
        if heads:
            pids = pids[self._wpos[lo:hi] == 0]
        if not len(pids):
            return 0.0, 0.0, 0.0
        searched = float(self.searches[np.unique(pids)].sum())
        return float(self.found[pids].max()), math.expm1(self.spread.get(word, 0.0)), searched

    def _token_hits(
        self, token: str, fuzzy: bool, readings: Sequence[str] | None = None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """(phrase ids, word ordinals) whose word starts with token (or with a correction of it, or is one of
        the given readings of it)."""
        if not fuzzy:
            lo, hi = self._range(token)
            return (self._wpid[lo:hi], self._wpos[lo:hi]) if hi > lo else None
        parts = [self._range(w) for w in (self.corrections(token) if readings is None else readings)]
        parts = [(lo, hi) for lo, hi in parts if hi > lo]
        whole = self.corrector.correct(token) if not parts and readings is None and len(token) >= 7 else None
        if whole:  # a fully typed misspelling further off than a start ("neckless" -> "necklace")
            parts = [self._range(whole)]
        if not parts:
            return None
        return (
            np.concatenate([self._wpid[lo:hi] for lo, hi in parts]),
            np.concatenate([self._wpos[lo:hi] for lo, hi in parts]),
        )

    def _match(
        self, tokens: list[str], fuzzy_at: set[int], readings: Sequence[str] | None = None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Phrases in which every typed word starts some word; and whether the first typed word starts
        the phrase. Tokens in fuzzy_at are matched through their corrections (or the readings) instead."""
        hits = []
        for i, t in enumerate(tokens):
            h = self._token_hits(t, i in fuzzy_at, readings)
            if h is None:
                return None
            hits.append(h)
        n = len(self.phrases)
        order = sorted(range(len(hits)), key=lambda i: len(hits[i][0]))
        # repeats (a phrase with two words starting alike) are left in: the ranking skips them
        cand = hits[order[0]][0]
        for i in order[1:]:
            mark = np.zeros(n, bool)
            mark[hits[i][0]] = True
            cand = cand[mark[cand]]
            if not len(cand):
                return None
        first = np.zeros(n, bool)
        first[hits[0][0][hits[0][1] == 0]] = True
        return cand, first[cand]

    # -- ranking -------------------------------------------------------------------------------------------

    def suggest(
        self, q: str, k: int = 8, profile: np.ndarray | None = None, recent: Sequence[str] = ()
    ) -> list[Suggestion]:
        """Up to k suggestions for what the shopper has typed so far (all of them find ≥1 product); a
        price or model typed after the words is kept on them (see tails.py)."""
        got = self._suggest(q, k, profile, recent)
        return got or with_tail(self._suggest, q, k, profile=profile, recent=recent)

    def _suggest(
        self, q: str, k: int = 8, profile: np.ndarray | None = None, recent: Sequence[str] = ()
    ) -> list[Suggestion]:
        tokens = query_words(q)
        if not tokens or not len(self.phrases):
            return []
        w = self.weights
        got = self._match(tokens, set())
        cands, firsts, fuzzy = [], [], []
        if got is not None:
            cands.append(got[0])
            firsts.append(got[1])
            fuzzy.append(np.zeros(len(got[0]), bool))
        have = len(got[0]) if got is not None else 0
        # too little for the exact prefixes: the long-enough words that start no word are taken as
        # misspelt; if every word starts some word, the last one (still being typed) is
        fuzzy_at = {i for i, t in enumerate(tokens) if len(t) >= MIN_FUZZY_CHARS and not self._has_prefix(t)}
        if not fuzzy_at and len(tokens[-1]) >= MIN_FUZZY_CHARS:
            fuzzy_at = {len(tokens) - 1}
        fz = self._match(tokens, fuzzy_at) if have < k and fuzzy_at else None
        if w.typo_readings and not (have < k and fuzzy_at) and len(tokens[-1]) == SHORT_PREFIX:
            # every word starts some phrase word, or too few letters for the typo fallback: one-edit readings
            # of the last word only where the catalog makes them the better bet ("add" -> adidas; typos.py)
            last = tokens[-1]
            strong = likely_typos(
                last,
                self.corrector.completions(last, MAX_READINGS),
                self.corrector.corrections(last, MAX_READINGS),
                self.evidence,
                lambda word: self.evidence(word, heads=False),
                self.odds,
                self.search_odds,
            )
            fz = self._match(tokens, {len(tokens) - 1}, strong) if strong else None
        if fz is not None:
            new = ~np.isin(fz[0], got[0]) if got is not None else np.ones(len(fz[0]), bool)
            cands.append(fz[0][new])
            firsts.append(fz[1][new])
            fuzzy.append(np.ones(int(new.sum()), bool))
        typed_key = " ".join(tokens)
        picked = self._picked(typed_key)
        if picked:  # shoppers who typed these letters picked these: offered even where no prefix matches
            extra = np.array(sorted(picked), np.int64)
            extra = extra[~np.isin(extra, np.concatenate(cands))] if cands else extra
            cands.append(extra)
            firsts.append(np.zeros(len(extra), bool))
            fuzzy.append(np.zeros(len(extra), bool))
        if not cands:
            return []
        cand = np.concatenate(cands)
        first = np.concatenate(firsts)
        fz_mask = np.concatenate(fuzzy)
        loose = fz_mask.copy()  # highlighted as a typo: matched through a correction, or only by a pick
        base = self.static[cand] + w.first_word * first + w.fuzzy * fz_mask
        if picked:
            base += w.picked * np.log1p(np.array([picked.get(p, 0.0) for p in cand.tolist()]))
            loose[len(cand) - len(cands[-1]) :] = True
        depth = SHORTLIST if profile is not None or recent else SHORTLIST_ANONYMOUS
        if len(cand) > depth:
            keep = np.argpartition(-base, depth - 1)[:depth]
            cand, base, fz_mask, loose = cand[keep], base[keep], fz_mask[keep], loose[keep]
        score = base.copy()
        short = len(tokens[-1]) <= SHORT_PREFIX
        done: list[str] = []  # per candidate: the phrase word the last typed word completes
        word_bonus = np.zeros(len(cand), np.float64)  # what the completed word itself earns (short prefixes)
        for j, pid in enumerate(cand.tolist()):
            if self.keys[pid] == typed_key:
                score[j] += w.exact + w.in_order
            elif _in_order(tokens, self.plain[pid]):
                score[j] += w.in_order
            key = self._completes(pid, tokens[-1], bool(loose[j]))
            done.append(key)
            if short:  # few letters: a word many makers and kinds of product use beats one shop's name
                word_bonus[j] = w.breadth * self.breadth.get(key, 0.0)
                if len(tokens[-1]) >= w.spread_from:
                    word_bonus[j] += w.spread * self.spread.get(key, 0.0)
        score += word_bonus + self._personal(cand, profile, recent)
        # twice k: the loop below skips plural twins of picked phrases
        order = diverse_order(score, cand, done, tokens[-1], w.repeat * word_bonus, 2 * k)
        out: list[Suggestion] = []
        later: list[int] = []  # beyond per_word completions of one word: only if nothing else fills k
        cap = w.per_word
        per: dict[str, int] = {}
        seen: set[str] = set()
        for j in order:
            pid = int(cand[j])
            folded = self.folded[pid]  # "shirt" after "shirts" adds nothing
            if folded in seen:
                continue
            seen.add(folded)
            if len(out) >= k:
                break
            if cap and done[j] != tokens[-1] and per.get(done[j], 0) >= cap:  # a typed word: no cap
                later.append(j)
                continue
            per[done[j]] = per.get(done[j], 0) + 1
            out.append(self._suggestion(pid, tokens, bool(loose[j]), float(score[j])))
        for j in later[: k - len(out)]:
            out.append(self._suggestion(int(cand[j]), tokens, bool(loose[j]), float(score[j])))
        return out

    def _picked(self, typed_key: str) -> dict[int, float]:
        """pid -> times picked after typing exactly these letters."""
        got = self.picks.get(typed_key) if self.picks else {}
        return {self.key_to_pid[k]: c for k, c in got.items() if k in self.key_to_pid}

    def _suggestion(self, pid: int, tokens: list[str], typo: bool, score: float) -> Suggestion:
        text, kind = self.texts[pid], self.kinds[pid]
        return Suggestion(text, kind, self.highlight(pid, tokens, typo), score, int(self.count[pid]), pid)

    def _completes(self, pid: int, token: str, typo: bool) -> str:
        """The phrase word the typed token completes (or, matched through a typo, is closest to)."""
        return completed_word(self.plain[pid], token, typo)

    def _personal(self, cand: np.ndarray, profile: np.ndarray | None, recent: Sequence[str]) -> np.ndarray:
        """Affinity of each candidate with the shopper: profile vector and recent searches (by their phrase
        vectors, so nothing is embedded here). Zero for a shopper with neither."""
        w = self.weights
        out = np.zeros(len(cand), np.float64)
        if profile is not None and len(cand):
            out += w.personal * (self.vectors[cand].astype(np.float32) @ np.asarray(profile, np.float32))
        recent_keys = [phrase_key(r) for r in recent if r and r.strip()]
        rpids = [self.key_to_pid[key] for key in recent_keys if key in self.key_to_pid]
        if rpids and len(cand):
            rv = self.vectors[rpids].astype(np.float32).mean(axis=0)
            norm = float(np.linalg.norm(rv))
            if norm > 0:
                out += w.recent_vec * (self.vectors[cand].astype(np.float32) @ (rv / norm))
        if recent_keys:
            for j, pid in enumerate(cand.tolist()):
                key = self.keys[pid]
                if any(key == r or key.startswith(r + " ") for r in recent_keys):
                    out[j] += w.recent_same
        return out

    def highlight(self, pid: int, tokens: list[str], fuzzy: bool = False) -> list[tuple[int, int]]:
        """[start, end) of the part of each phrase word that a typed word matched (its first letters)."""
        return highlight(self.texts[pid], tokens, fuzzy)

    # -- empty box, products, learning ---------------------------------------------------------------------

    def trending(self, n: int = 8) -> list[Suggestion]:
        """The most searched phrases; before any searches, the biggest categories and queries."""
        if not len(self.phrases):
            return []
        searched = np.flatnonzero(self.searches > 0)
        if len(searched):
            pids = searched[np.lexsort((searched, -self.searches[searched]))][:n].tolist()
        else:
            pids = []
        if len(pids) < n:
            general = [
                i
                for i in np.lexsort((np.arange(len(self.static)), -self.static)).tolist()
                if self.kinds[i] in ("category", "query") and i not in pids
            ]
            pids += general[: n - len(pids)]
        return [
            Suggestion(self.texts[p], self.kinds[p], [], float(self.static[p]), int(self.count[p]), p) for p in pids
        ]

    def product_rows(
        self,
        suggestions: Sequence[Suggestion],
        n: int = 3,
        profile: np.ndarray | None = None,
        product_vectors: np.ndarray | None = None,
    ) -> list[int]:
        """The best products of the best suggestions (their build-time top lists), re-ordered by the
        shopper's profile when there is one."""
        out: list[int] = []
        for s in suggestions:
            if s.pid < 0:
                continue
            rows = self.top_rows[s.pid]
            if profile is not None and product_vectors is not None and len(rows) > 1:
                sims = product_vectors[rows] @ np.asarray(profile, np.float32)
                rows = rows[np.argsort(-sims, kind="stable")]
            for r in rows.tolist():
                if r not in out:
                    out.append(r)
                if len(out) >= n:
                    return out
        return out

    def learn(self, text: str, weight: float = 1.0, logged: bool = False, typed: str | None = None) -> bool:
        """Count an accepted suggestion or an executed search now (no rebuild). logged: it is also in the
        search log, which a refresh re-reads (so it is not kept twice). typed: what the shopper had typed
        when picking it (see picks.py). False: not a known phrase."""
        key = phrase_key(text)
        pid = self.key_to_pid.get(key)
        if pid is None:
            return False
        with self._lock:
            typed_key = " ".join(query_words(typed or ""))
            if typed_key and typed_key != key:
                self.picks.add(typed_key, key, weight)
            if not logged:
                self.unlogged[key] = self.unlogged.get(key, 0.0) + weight
            self.searches[pid] += weight
            self.version += 1
            self.static[pid] = (
                self.prior[pid]
                + self.weights.count * math.log1p(self.count[pid])
                + self.weights.searches * math.log1p(self.searches[pid])
            )
        return True
