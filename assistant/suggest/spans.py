"""Where typed words sit in a suggestion: word spans, prefix ends, in-order checks, the word a typed word
completes and the highlighted spans."""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from index.suggestions import display_form

_WORD_RE = re.compile(r"[a-z0-9][a-z0-9'’]*")
_APOS = re.compile(r"['’]")


def word_spans(display: str) -> list[tuple[str, int, int]]:
    """(key, start, end) of every word of a display text. The key drops apostrophes ("men's" -> "mens");
    hyphenated words also get their joined key ("t-shirts" -> "t", "shirts" and "tshirts")."""
    spans = [(_APOS.sub("", m.group()), m.start(), m.end()) for m in _WORD_RE.finditer(display)]
    joined = []
    i = 0
    while i < len(spans) - 1:
        j = i
        while j < len(spans) - 1 and display[spans[j][2] : spans[j + 1][1]] == "-":
            j += 1
        if j > i:
            joined.append(("".join(s[0] for s in spans[i : j + 1]), spans[i][1], spans[j][2]))
        i = j + 1
    return spans + joined


def query_words(q: str) -> list[str]:
    """The typed words, keyed as phrase words are (hyphenated pairs not joined: each part matches)."""
    return [_APOS.sub("", m.group()) for m in _WORD_RE.finditer(display_form(q))]


def prefix_end(display: str, start: int, end: int, n: int) -> int:
    """Where the first n letters/digits of the word display[start:end] end (apostrophes and hyphens skipped)."""
    seen = 0
    for i in range(start, end):
        if display[i].isalnum():
            seen += 1
            if seen == n:
                return i + 1
    return end


def _in_order(tokens: list[str], keys: list[str]) -> bool:
    """The typed words start consecutive phrase words, in order ("run sh" in "men's running shoes")."""
    # called for every shortlisted phrase on every keystroke: plain loops, no generator per start
    if not tokens:
        return True
    first, n = tokens[0], len(tokens)
    for s in range(len(keys) - n + 1):
        if keys[s].startswith(first):
            for i in range(1, n):
                if not keys[s + i].startswith(tokens[i]):
                    break
            else:
                return True
    return False


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def close(token: str, key: str) -> bool:
    """A typed word is within 1 edit (2 from 6 letters) of a phrase word's start of about its length."""
    max_d = 1 if len(token) <= 5 else 2
    return any(
        Levenshtein.distance(token, key[:n], score_cutoff=max_d) <= max_d
        for n in (len(token) - 1, len(token), len(token) + 1)
    )


def completed_word(plain: list[str], token: str, typo: bool) -> str:
    """The phrase word (of its word keys) the typed token completes (or, matched through a typo, is closest to)."""
    key = next((x for x in plain if x.startswith(token)), "")
    if not key and typo:
        key = next((x for x in plain if close(token, x)), "")
    return key


def highlight(text: str, tokens: list[str], fuzzy: bool = False) -> list[tuple[int, int]]:
    """[start, end) of the part of each word of a phrase that a typed word matched (its first letters)."""
    # spans are recomputed for the few suggestions shown rather than kept for every phrase (memory)
    words = sorted(word_spans(text), key=lambda x: (x[1], x[1] - x[2]))  # left to right, longest first
    used: set[int] = set()
    spans: list[tuple[int, int]] = []
    for t in tokens:
        hit = None
        for key, s, e in words:
            if s in used or not (key.startswith(t) or (fuzzy and close(t, key))):
                continue
            hit = (s, prefix_end(text, s, e, min(len(t), len(key))))
            used.add(s)
            break
        if hit:
            spans.append(hit)
    return _merge(sorted(spans))
