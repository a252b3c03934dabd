"""What shoppers picked after typing what: each accepted suggestion counts for every start of the text the
shopper had typed ("addi" then "adidas": "a", "ad", "add" and "addi" now lead to adidas), so the next shopper
who types those letters is offered it, even where the letters are a misspelling no prefix rule would follow.
Bounded in memory; carried over when the Suggester is rebuilt from the search log."""

from __future__ import annotations

MAX_TYPED_CHARS = 40  # starts longer than this are not kept: by then the words themselves match
MAX_STARTS = 100_000  # distinct typed starts kept (new ones are ignored beyond it)


class Picks:
    """typed start -> phrase key -> how often it was picked after typing that start."""

    def __init__(self, counts: dict[str, dict[str, float]] | None = None):
        self.counts: dict[str, dict[str, float]] = {s: dict(c) for s, c in (counts or {}).items()}

    def add(self, typed_key: str, phrase_key: str, weight: float = 1.0) -> None:
        for n in range(1, min(len(typed_key), MAX_TYPED_CHARS) + 1):
            start = typed_key[:n].rstrip()
            if start != typed_key[:n]:
                continue  # "red " is "red"
            got = self.counts.get(start)
            if got is None:
                if len(self.counts) >= MAX_STARTS:
                    continue
                got = self.counts[start] = {}
            got[phrase_key] = got.get(phrase_key, 0.0) + weight

    def get(self, typed_key: str) -> dict[str, float]:
        return self.counts.get(typed_key, {})

    def __bool__(self) -> bool:
        return bool(self.counts)
