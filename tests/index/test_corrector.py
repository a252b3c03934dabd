"""The one typo corrector: whole and half-typed words, swaps as one edit, a kind's word first, no codes."""

from __future__ import annotations

from index.corrector import Corrector


def test_corrector_corrects_whole_words_and_half_typed_ones():
    c = Corrector(["jeans", "necklace", "sneakers", "adidas", "shoes"], {"jeans": 5})
    assert c.correct("jeens") == "jeans"
    assert c.correct("neckless") == "necklace"
    assert c.correct("jeans") is None  # known words are left alone
    assert "sneakers" in c.corrections("snek")
    assert c.completions("sne") == ["sneakers"]


def test_two_swapped_letters_are_one_edit():
    # "curtian" is one swap from "curtain" but two Levenshtein edits, as far as the more frequent "curtail"
    c = Corrector(["curtain", "curtail", "jeans"], {"curtail": 50, "curtain": 5})
    assert c.correct("curtian") == "curtain"
    assert c.correct("jaens") == "jeans"  # (five letters: one edit at most, and a swap is one)
    assert "curtain" in c.corrections("curtia")


def test_between_equally_close_words_the_one_naming_a_kind_of_product_wins():
    words = ["pillow", "pilot", "shirt", "shrih"]
    freq = {"pilot": 40, "pillow": 3, "shrih": 50, "shirt": 5}  # the brands are the more frequent words
    assert Corrector(words, freq).correct("pilow") == "pilot"  # without kinds: the more frequent word
    c = Corrector(words, freq, kinds=["Pillows", "Shirts"])  # the shop's shelves, as written
    assert c.correct("pilow") == "pillow"
    assert c.correct("shrit") == "shirt"
    assert c.correct("pilots") == "pilot"  # one edit beats two, kind or not: closeness comes first


def test_a_word_of_letters_is_never_corrected_into_a_code_with_digits():
    c = Corrector(["tracksuit01", "trackpants", "jeans"], {"tracksuit01": 9})
    assert c.correct("tracksuit") is None  # one edit from the code, but a typo adds no digits
    assert c.correct("tracksuit0l") == "tracksuit01"  # a typed code may still be one
