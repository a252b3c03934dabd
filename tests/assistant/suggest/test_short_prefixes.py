"""Short prefixes: a one-edit reading is offered only where the catalog makes it the better bet, and a word's
short-prefix bonus counts once, so one word does not fill every slot. Phrases, distinct products and product
types are given in the test (ranking ignores vectors)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.suggest.suggester import Suggester, Weights
from assistant.suggest.typos import same_length_edit, typo_odds
from index.suggestions import Phrase

Row = tuple[str, str, int]  # text, kind, distinct products


def suggester(rows: list[Row], types: dict[str, int], **weights) -> Suggester:
    phrases = [Phrase(t, kind, n, distinct=n) for t, kind, n in rows]
    empty = [np.zeros(0, np.int64)] * len(phrases)
    return Suggester(phrases, np.zeros((len(phrases), 4), np.float32), empty, weights=Weights(**weights), spread=types)


def texts(s: Suggester, q: str, k: int = 5) -> list[str]:
    return [x.text for x in s.suggest(q, k)]


# (big maker, its product types, rare title the typed letters really start, typed letters one letter off)
MAKERS = [
    ("kalvo", 12, "kamvu desk lamp", "kam"),
    ("zentro", 9, "zepita hair clip", "zep"),
    ("marveen", 15, "mavrik steel kettle", "mav"),
]


@pytest.mark.parametrize(("maker", "kinds", "rare", "typed"), MAKERS)
def test_a_maker_far_larger_than_what_the_letters_start_is_offered_first(maker, kinds, rare, typed):
    rows = [(maker, "brand", 600), (f"{maker} shoes", "query", 200), (rare, "product", 1)]
    s = suggester(rows, {maker: kinds, rare.split()[0]: 1})
    got = texts(s, typed)
    assert got[0] == maker and rare in got  # the rare title is still there, below
    assert texts(s, typed[:2])[0] == maker  # (two letters: an ordinary prefix match)
    assert rare not in texts(s, maker[:3])  # typed right: no reading the other way


def test_no_reading_when_the_typed_letters_start_something_substantial():
    # 400 vs 30 products is far less than the typo odds (~150): what was typed is what was meant
    assert typo_odds(Weights()) > 100
    rows = [("nikro", "brand", 400), ("nokra", "brand", 30)]
    s = suggester(rows, {"nikro": 12, "nokra": 6})
    assert texts(s, "nok") == ["nokra"]
    # far more products, but on fewer shelves than the completion spans: not the better bet either
    rows = [("kalvo", "brand", 600), ("kamvu", "brand", 1)]
    assert texts(suggester(rows, {"kalvo": 1, "kamvu": 2}), "kam") == ["kamvu"]


def test_readings_are_one_substituted_letter_of_a_word_that_starts_phrases():
    assert same_length_edit("add", "adidas") and same_length_edit("sne", "snow")
    assert not same_length_edit("sne", "sets")  # a dropped letter: two letters start too much to read
    assert not same_length_edit("add", "addiction") and not same_length_edit("add", "ad")
    rows = [("sets", "category", 5000), ("beauty and personal care", "category", 5000), ("sneakers", "category", 3)]
    rows.append(("addons", "brand", 2))
    s = suggester(rows, {"sets": 100, "and": 100, "sneakers": 2, "addons": 1})
    assert texts(s, "sne") == ["sneakers"]
    assert texts(s, "add") == ["addons"]  # "and" heads no phrase: not a word a search starts with
    assert s.evidence("and") == (0.0, 0.0, 0.0) and s.evidence("sets") == pytest.approx((5000.0, 100.0, 0.0))


def test_a_word_shoppers_search_far_more_is_offered_for_letters_one_off():
    # the catalog cannot tell: the typed letters' own word has more products on as many shelves
    rows = [("addiction", "brand", 27), ("addiction kurtas", "query", 9), ("adidas", "brand", 22)]
    rows.append(("adidas shoes", "query", 12))
    types = {"addiction": 6, "adidas": 6}
    phrases = [Phrase(t, kind, n, distinct=n) for t, kind, n in rows]

    def built(searches: dict[str, float]) -> Suggester:
        empty = [np.zeros(0, np.int64)] * len(phrases)
        return Suggester(phrases, np.zeros((len(phrases), 4), np.float32), empty, searches=searches, spread=types)

    assert "adidas" not in texts(built({}), "add")
    # the search log: shoppers look for adidas (in two phrases), nobody for addiction
    s = built({"adidas": 6, "adidas shoes": 4})
    assert s.evidence("adidas")[2] == 10.0 and s.evidence("addiction", heads=False)[2] == 0.0
    got = texts(s, "add")
    assert got[0] == "adidas" and "addiction" in got  # what was typed stays offered, below
    assert texts(s, "adi")[0] == "adidas"
    # a few searches are not enough against the typo odds (~7.4x, searches' own weight), nor a word searched
    # about as much as the letters' own
    assert typo_odds(Weights(), Weights().searches) == pytest.approx(np.exp(2.0))
    assert "adidas" not in texts(built({"adidas": 3}), "add")
    assert "adidas" not in texts(built({"adidas": 20, "addiction": 5}), "add")


def test_a_words_short_prefix_bonus_counts_once():
    blue = [f"blue {t}" for t in ("shirts", "jeans", "tops", "dresses", "skirts")]
    rows = [(t, "query", 60 - i) for i, t in enumerate(blue)] + [("bluetooth headphones", "category", 8)]
    makers = ("boat", "jbl", "sony", "zebronics", "mi", "philips", "intex", "iball", "lenovo", "skullcandy")
    rows += [(f"{m} bluetooth headset", "product", 1) for m in makers]  # a word many makers use
    types = {"blue": 90, "bluetooth": 10}
    assert texts(suggester(rows, types, repeat=0.0), "blu")[4] == "bluetooth headphones"  # after four blue ones
    assert texts(suggester(rows, types), "blu") == ["blue shirts", "bluetooth headphones", *blue[1:4]]
    assert texts(suggester(rows, types), "blue") == blue  # the word typed in full: all of its phrases


def test_a_makers_second_phrase_stays_above_a_rare_title():
    # the repeat costs no more than the bonus of the strongest word still without a slot ("reet": next to none)
    rows = [("reebok", "brand", 40), ("reebok t-shirts", "query", 20), ("reebok shoes", "query", 18)]
    rows.append(("reet rings", "product", 2))
    assert texts(suggester(rows, {"reebok": 9, "reet": 1}), "ree") == [r[0] for r in rows]


def test_several_words_under_one_prefix_take_turns_by_their_own_merit():
    # two words under "sho": each keeps its bonus once, then phrases compete on their products
    rows = [(f"shoes {t}", "query", 50 - i) for i, t in enumerate(("men", "women", "kids", "sports"))]
    rows += [(f"shorts {t}", "query", 40 - i) for i, t in enumerate(("men", "women", "kids"))]
    rows += [("showpiece", "category", 3)]
    got = texts(suggester(rows, {"shoes": 30, "shorts": 20, "showpiece": 2}), "sho", 4)
    assert got == ["shoes men", "shorts men", "shoes women", "shoes kids"]
    assert texts(suggester(rows, {"shoes": 30, "shorts": 20, "showpiece": 2}, repeat=0.0), "sho", 4)[1] == "shoes women"
