"""Where typed words sit in a suggestion: word spans, prefix ends, in-order checks and merged highlight spans."""

from __future__ import annotations

import re

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
