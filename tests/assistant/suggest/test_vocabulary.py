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


def ranked(rows, prefix: str, k: int, types: dict[str, int] | None = None, **weights) -> list[str]:
    phrases = [Phrase(t, kind, count, distinct=distinct) for t, kind, count, distinct in rows]
    args = (phrases, np.zeros((len(phrases), 4), np.float32), [np.zeros(0, np.int64)] * len(phrases))
    return texts(Suggester(*args, weights=Weights(**weights), spread=types).suggest(prefix, k=k))


def test_short_prefix_prefers_a_word_spanning_many_product_types():
    # one maker with more products on one shelf, another selling shoes, shirts, bags, deodorants...
    rows = [("adornia", "brand", 40, 40), ("adoreal", "brand", 20, 20)]
    types = {"adornia": 1, "adoreal": 9}
    assert ranked(rows, "ado", 1, types, spread=0.0) == ["adornia"]  # products alone
    assert ranked(rows, "ado", 1, types) == ["adoreal"]
    assert ranked(rows, "adorn", 1, types) == ["adornia"]  # once the letters say which, they decide
    assert ranked(rows, "ad", 1, types) == ["adornia"]  # 2 letters say too little to judge a word by


def test_variants_count_once_and_a_single_long_title_ranks_below_a_shared_phrase():
    rows = [("flip covers", "query", 12, 12), ("flip cover fuson j7", "query", 80, 1)]
    assert ranked(rows, "flip", 1, kind=(), distinct=False, single_title=0.0) == ["flip cover fuson j7"]
    assert ranked(rows, "flip", 1, kind=(), single_title=0.0) == ["flip covers"]  # 12 products beat 1 in 80 sizes
    rows = [("ring lights", "query", 3, 3), ("ring aveline diamond yellow gold", "query", 5, 1)]
    assert ranked(rows, "ring", 1, kind=(), distinct=False, single_title=0.0) == ["ring aveline diamond yellow gold"]
    assert ranked(rows, "ring", 1, kind=(), distinct=False) == ["ring lights"]  # one title's words: penalised


def test_one_completed_word_does_not_take_every_slot():
    blue = [f"blue {t}" for t in ["shirts", "jeans", "tops", "dresses", "skirts"]]
    rows = [(t, "query", 60 - i, 60 - i) for i, t in enumerate(blue)] + [("bluetooth headphones", "category", 8, 8)]
    assert "bluetooth headphones" not in ranked(rows, "blu", 5, per_word=0)
    assert ranked(rows, "blu", 5) == [*blue[:4], "bluetooth headphones"]
    assert ranked(rows[:5], "blu", 5) == blue  # no other word completes "blu": the cap leaves no slot empty
    assert ranked(rows, "blue", 5) == blue  # "blue" typed in full: its phrases are what the shopper asked for


def test_what_shoppers_picked_after_typing_leads_the_next_shopper_there():
    rows = [("addiction", "brand", 25, 25), ("addons", "brand", 4, 4), ("adidas", "brand", 22, 22)]
    phrases = [Phrase(t, kind, count, distinct=d) for t, kind, count, d in rows]
    s = Suggester(phrases, np.zeros((3, 4), np.float32), [np.zeros(0, np.int64)] * 3)
    assert "adidas" not in texts(s.suggest("add", k=3))  # "add" starts no word of it
    for _ in range(3):  # shoppers typing the common misspelling pick the maker they meant
        assert s.learn("adidas", typed="addi")
    got = s.suggest("add", k=3)
    assert texts(got)[0] == "adidas"
    assert "adidas" not in texts(s.suggest("addo", k=3))  # picks follow the letters typed, not any start
    assert s.suggest("ad", k=1)[0].text == "adidas"
    fresh = Suggester(phrases, np.zeros((3, 4), np.float32), [np.zeros(0, np.int64)] * 3)
    fresh.learn("adidas")  # a pick without the typed letters only counts as popularity
    assert texts(fresh.suggest("add", k=3))[0] == "addiction"
