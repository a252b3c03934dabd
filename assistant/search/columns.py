"""Columns of the catalog as arrays the engine masks and ranks with, and the timing of a search's steps."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from assistant.search.understand import RECIPIENT_ADMITS
from index.attributes import GENDER_ADMITS


def admits(gender: str) -> frozenset[str]:
    """Gender values a gender/recipient filter admits."""
    return GENDER_ADMITS.get(gender) or RECIPIENT_ADMITS.get(gender) or frozenset({gender})


def top_rows(scores: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """The n of rows (ascending) with the highest scores, ties in row order: rows[argsort(-scores[rows],
    stable)][:n], without sorting them all (a common word has thousands)."""
    s = scores[rows]
    if len(rows) > n > 0:
        keep = s >= -np.partition(-s, n - 1)[n - 1]  # at least the n-th highest score: every tie at the cut too
        rows, s = rows[keep], s[keep]
    return rows[np.argsort(-s, kind="stable")[:n]]


@dataclass(frozen=True)
class Lexical:
    """BM25 of every row for one query, with the rows it scored above zero (found once, then only masked by
    each retrieval's allowed rows instead of rescanning every row)."""

    scores: np.ndarray
    rows: np.ndarray

    @classmethod
    def of(cls, scores: np.ndarray) -> Lexical:
        return cls(scores, np.flatnonzero(scores > 0))


class Spans:
    """Wall time (ms) of each step of one search, for the per-stage breakdown (scripts/bench_search_stages.py);
    a step that runs twice (the dense search, when the rest are retrieved after too few of the type) adds up."""

    def __init__(self, t0: float):
        self.t0 = self._last = t0
        self.times: dict[str, float] = {}

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.times[name] = self.times.get(name, 0.0) + (now - self._last) * 1000
        self._last = now


class Codes:
    """A text column as integer codes into its distinct values: a mask by value is an integer comparison
    (or a test per distinct value) instead of one Python string comparison per product."""

    def __init__(self, column: np.ndarray):
        values, codes = np.unique(column, return_inverse=True)
        self.values: list[str] = values.tolist()
        self.codes = codes.reshape(-1)
        self._of = {v: i for i, v in enumerate(self.values)}

    def equals(self, value: str) -> np.ndarray:
        i = self._of.get(value)
        return self.codes == i if i is not None else np.zeros(len(self.codes), dtype=bool)

    def isin(self, values: Iterable[str]) -> np.ndarray:
        table = np.zeros(len(self.values), dtype=bool)
        table[[i for i in (self._of.get(v) for v in values) if i is not None]] = True
        return table[self.codes]

    def where(self, test: Callable[[str], bool]) -> np.ndarray:
        """Rows whose value passes test (called once per distinct value)."""
        return np.array([bool(test(v)) for v in self.values], dtype=bool)[self.codes]
