"""The phrase table a refresh extends: the same as a table built from all the phrases at once, while sharing
the build's phrase objects; and a refresh's Suggester answers as one built from scratch."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.suggest.service import Autocomplete, load_autocomplete
from assistant.suggest.suggester import Suggester
from assistant.suggest.table import PhraseTable
from index.suggestions import Phrase, phrase_key


@pytest.fixture(scope="module")
def ac(tiny_index_dir, engine, embedder):
    return load_autocomplete(
        tiny_index_dir, engine.index, embedder.encode, engine.vocab, engine.mask, understand=engine.understand
    )


def same_table(a: PhraseTable, b: PhraseTable) -> None:
    assert a.texts == b.texts and a.kinds == b.kinds and a.plain == b.plain
    assert a.keys == b.keys and a.folded == b.folded and a.key_to_pid == b.key_to_pid
    assert a.wkeys == b.wkeys
    assert a.wpid.tolist() == b.wpid.tolist() and a.wpos.tolist() == b.wpos.tolist()
    assert a.word_freq == b.word_freq and a.corrector.words == b.corrector.words
    assert a.breadth == b.breadth and a.spread == b.spread


def test_an_extended_table_is_the_table_of_all_its_phrases(ac):
    phrases = list(ac.base_phrases)
    rng = np.random.default_rng(7)
    later = sorted(rng.choice(len(phrases), size=len(phrases) // 5, replace=False).tolist())
    base = [p for i, p in enumerate(phrases) if i not in set(later)]
    new = [phrases[i] for i in later]
    # words the base has (merged into its index) and words it has not (new corrector words, new breadth)
    new.append(Phrase("zebra print shirts", "query", 3, distinct=3))
    spread = {w: i % 7 for i, w in enumerate(sorted(ac.spread))}
    base_spread = {w: c for w, c in spread.items() if w < "m"}
    more_spread = {w: c for w, c in spread.items() if w >= "m"}
    small = PhraseTable(base, base_spread)
    grown = small.extended(new, more_spread)
    same_table(grown, PhraseTable(base + new, spread))
    assert all(k == phrase_key(t) for k, t in zip(grown.keys, grown.texts, strict=True))
    # the base's objects are shared, not remade
    n = len(base)
    assert all(grown.plain[i] is small.plain[i] and grown.keys[i] is small.keys[i] for i in range(0, n, 7))
    mine = {id(k) for k in small.wkeys}
    assert sum(id(k) in mine for k in grown.wkeys) >= len(small.wkeys)  # the word index holds the same strings
    # and the smaller table is left as it was
    same_table(small, PhraseTable(base, base_spread))
    assert small.extended([]).wkeys == small.wkeys


def test_a_refreshed_suggester_shares_the_build_phrases_and_answers_as_a_fresh_one(ac, embedder):
    mine = Autocomplete(ac.index, ac.base_phrases, ac.base_vectors, ac.vocab, ac.mask)
    popular = [("black casual shoes under 2000", 40.0), ("zebra shirts", 5.0), ("casual shoes", 30.0)]
    assert mine.refresh(popular, embedder.encode)
    s = mine.suggester
    n = len(mine.base_phrases)
    assert (
        len(s) > n and s.table.plain[0] is mine.base_table.plain[0] and s.texts[n - 1] is mine.base_table.texts[n - 1]
    )
    scratch = Suggester(list(s.phrases), s.vectors, s.top_rows, searches=dict(popular), weights=s.weights, spread=None)
    scratch.spread.update(s.spread)  # type spread as the refresh computed it
    for typed in ("black cas", "cas", "sh", "zeb", "shrt", "c"):
        got = [(x.text, round(x.score, 9)) for x in s.suggest(typed, k=8)]
        want = [(x.text, round(x.score, 9)) for x in scratch.suggest(typed, k=8)]
        assert got == want, typed
    # a second refresh extends the build's table again, not the last refresh's one
    assert mine.refresh([*popular, ("white sneakers", 9.0)], embedder.encode)
    assert mine.suggester.table is not s.table and mine.suggester.table.plain[0] is mine.base_table.plain[0]
    assert len([t for t in mine.suggester.texts if t == "black casual shoes under 2000"]) == 1
