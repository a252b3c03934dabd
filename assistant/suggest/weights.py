"""How autocomplete's ranking signals add up (log-popularity units); a weight of 0 (or False) turns one off."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Weights:
    """How the ranking signals add up (log-popularity units)."""

    count: float = 0.6  # log1p(products the phrase finds)
    searches: float = 1.5  # log1p(decayed searches for it + accepted suggestions)
    first_word: float = 2.0  # the typed text starts the phrase
    in_order: float = 0.5  # typed words match consecutive phrase words in order
    exact: float = 1.5  # the shopper typed the whole phrase
    picked: float = 2.0  # log1p(times shoppers picked the phrase after typing these very letters)
    fuzzy: float = -1.5  # matched only through the typo fallback
    breadth: float = 0.5  # log1p(distinct phrase leaders using the matched word), for short prefixes
    personal: float = 4.0  # cosine(phrase, shopper profile vector)
    recent_vec: float = 2.0  # cosine(phrase, shopper's recent searches)
    recent_same: float = 1.0  # the phrase is (an extension of) one of the shopper's recent searches
    kind: tuple[tuple[str, float], ...] = (("category", 0.6), ("brand", 0.3), ("query", 0.4), ("product", -0.6))
    # What shoppers look for over rare titles (learned from the catalog; 0 / False turns each off):
    spread: float = 0.8  # log1p(product types the completed word spans), for short prefixes
    spread_from: int = 3  # typed letters of the last word from which spread counts (up to SHORT_PREFIX)
    single_title: float = -1.0  # a phrase of 3+ words that only one product's title has
    distinct: bool = True  # count distinct products (variants once), not rows
    per_word: int = 4  # at most this many suggestions complete the last word alike while others exist
    typo_readings: bool = True  # one-edit readings of a short last word where the catalog favours them (typos.py)
    repeat: float = 1.0  # share of a word's short-prefix bonus its 2nd, 3rd... completion does not get (diversity.py)
