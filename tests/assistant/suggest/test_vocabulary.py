"""Autocomplete on the one vocabulary: whole-word misspellings, price and model tails, short prefixes ranked
by how widely a word is used. Phrases are built in the test (no model needed: ranking ignores vectors)."""

from __future__ import annotations

import numpy as np

from assistant.suggest.suggester import Suggester, Weights
from assistant.suggest.tails import split_tail
from index.suggestions import Phrase


def suggester(texts_counts: list[tuple[str, str, int]]) -> Suggester:
    phrases = [Phrase(t, kind, count) for t, kind, count in texts_counts]
    return Suggester(phrases, np.zeros((len(phrases), 4), np.float32), [np.zeros(0, np.int64)] * len(phrases))


def texts(items) -> list[str]:
    return [s.text for s in items]


def test_fully_typed_misspelling_suggests_its_correction():
    s = suggester([("necklaces", "category", 30), ("neck pillows", "category", 4), ("shoes", "category", 9)])
    assert texts(s.suggest("neckless", k=3)) == ["necklaces"]  # 3 edits from "necklace": past the start scan


def test_price_tail_keeps_completions():
    s = suggester([("sarees", "category", 50), ("saree falls", "category", 3), ("shoes", "category", 40)])
    got = s.suggest("saree under 500", k=5)
    assert texts(got)[0] == "sarees under 500"
    first = got[0]
    assert (first.text[first.highlight[-1][0] : first.highlight[-1][1]]) == "under 500"
    assert texts(s.suggest("saree under 2k", k=1)) == ["sarees under 2000"]


def test_model_tail_follows_the_word_it_completes():
    s = suggester([("samsung galaxy", "query", 30), ("galaxy s5 cover", "query", 4), ("shoes", "category", 9)])
    assert texts(s.suggest("galaxy j7", k=5)) == ["samsung galaxy j7"]


def test_split_tail():
    assert split_tail("saree under 500") == ("saree", "under 500", False)
    assert split_tail("galaxy j7") == ("galaxy", "j7", True)
    assert split_tail("red dress") is None


def test_short_prefix_prefers_a_word_many_makers_use_over_one_shops_name():
    # "bluestone" is one maker's name with more products; five makers sell "bluetooth" things
    rows = [("bluestone", "brand", 30), ("bluetooth headsets", "category", 15)]
    rows += [(f"{m} bluetooth headset", "product", 1) for m in ("boat", "jbl", "sony", "zebronics", "mi")]
    phrases = [Phrase(t, kind, count) for t, kind, count in rows]
    args = (phrases, np.zeros((len(phrases), 4), np.float32), [np.zeros(0, np.int64)] * len(phrases))
    assert texts(Suggester(*args, weights=Weights(breadth=0.0)).suggest("blu", k=1)) == ["bluestone"]
    assert texts(Suggester(*args).suggest("blu", k=1)) == ["bluetooth headsets"]
    assert texts(Suggester(*args).suggest("bluet", k=1)) == ["bluetooth headsets"]
    assert texts(Suggester(*args).suggest("blues", k=1)) == ["bluestone"]
