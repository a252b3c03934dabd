"""Autocomplete on the tiny catalog: phrases built with the index, prefix/word-start/typo matching,
highlights, no zero-product suggestions, personal ranking with real embeddings, learning."""

from __future__ import annotations

import re

import numpy as np
import pytest

from assistant.suggest.service import load_autocomplete
from assistant.suggest.suggester import Suggester, query_words
from index.lexical import normalise
from index.store import current_version
from index.suggestions import PHRASES_FILE, VECTORS_FILE, PhraseMatcher, read_suggestions


@pytest.fixture(scope="module")
def ac(tiny_index_dir, engine, embedder):
    return load_autocomplete(
        tiny_index_dir, engine.index, embedder.encode, engine.vocab, engine.mask, understand=engine.understand
    )


@pytest.fixture
def fresh(ac):
    """A private Suggester over the same phrases, for tests that teach it something."""
    s = ac.suggester
    return Suggester(s.phrases, s.vectors, s.top_rows)


def texts(items) -> list[str]:
    return [s.text for s in items]


def folded(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", normalise(s))


def test_build_writes_phrases_with_the_version(tiny_index_dir, tiny_products, embedder):
    vdir = tiny_index_dir / current_version(tiny_index_dir)
    assert (vdir / PHRASES_FILE).exists() and (vdir / VECTORS_FILE).exists()
    phrases, vectors = read_suggestions(vdir)
    assert vectors.shape == (len(phrases), embedder.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert {p.kind for p in phrases} == {"query", "category", "brand", "product"}
    keys = [folded(p.text) + p.text.count(" ") * " " for p in phrases]
    assert len(keys) == len(set(keys)), "phrases are de-duplicated"
    matcher = PhraseMatcher(tiny_products)
    ids = {p.id for p in tiny_products}
    for p in phrases:
        assert p.count == len(matcher.rows(p.text)) >= 1
        assert p.top and set(p.top) <= ids and len(p.top) == min(p.count, 10)
    # the phrase vector is the model's embedding of the phrase text (embedded once, at build time)
    assert np.allclose(vectors[5], embedder.encode([phrases[5].text])[0], atol=5e-4)  # stored float16


def test_whole_phrase_prefix(ac):
    s = ac.suggester
    for pid in range(0, len(s), 37):
        text = s.texts[pid]
        got = s.suggest(text, k=8)
        assert got and got[0].text == text, f"typing all of {text!r} offers it first"
        for n in (1, 3):
            prefix = text[:n]
            for item in s.suggest(prefix, k=8):
                assert any(w.startswith(folded(prefix)) for w in query_words(item.text)) or folded(prefix) in folded(
                    item.text
                )


def test_word_start_and_multi_word_prefixes(ac):
    s = ac.suggester
    got = texts(s.suggest("cas sho", k=8))
    assert got and all(re.search(r"\bcas", t) and re.search(r"\bsho", t) for t in got)
    assert "men's casual shoes" in got
    # a later word's start finds phrases where that word is not first
    got = texts(s.suggest("shoe", k=8))
    assert any(not t.startswith("shoe") for t in got)
    assert all(re.search(r"\bshoe", t) for t in got)
    # case, accents and extra spaces are ignored
    assert texts(s.suggest("  CÁSUAL    Shoes ", k=8)) == texts(s.suggest("casual shoes", k=8))
    # the phrase the shopper typed in full comes first
    assert texts(s.suggest("casual shoes", k=3))[0] == "casual shoes"


def test_typos_from_four_characters(ac):
    s = ac.suggester
    brands = [t for t, k in zip(s.texts, s.kinds, strict=False) if k == "brand" and re.fullmatch(r"[a-z]{6,}", t)]
    assert len(brands) >= 10
    tried = found = 0
    for b in brands[:30]:
        typo = b[:3] + b[4:]  # one letter dropped inside the word
        lo, hi = s._range(typo)
        if hi > lo:
            continue  # the typo happens to start another word: not a typo case
        tried += 1
        found += b in texts(s.suggest(typo, k=8))
    assert tried >= 15 and found >= 0.8 * tried, "a brand with a dropped letter is still suggested"
    got = s.suggest("wrangelr", k=5)  # transposition
    assert "wrangler" in texts(got)
    assert "casual shoes" in texts(s.suggest("casaul sh", k=8))
    assert s.suggest("wra", k=8) and s.suggest("xqz", k=8) == []  # short prefixes are not fuzzed


def test_no_suggestion_finds_zero_products(ac, engine):
    s = ac.suggester
    for prefix in [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["sh", "me", "wo", "cas", "snek", "ring"]:
        for item in s.suggest(prefix, k=8):
            assert item.count >= 1
            assert len(ac.matcher.rows(item.text)) >= 1
            assert engine.search(item.text, k=3, mode="lexical").hits, item.text


def test_highlight_ranges(ac):
    s = ac.suggester
    for q in ["sh", "men's cas", "mens cas", "t-sh", "tsh", "cas sho", "wrangelr", "  Wo  "]:
        tokens = query_words(q)
        for item in s.suggest(q, k=8):
            assert item.highlight, (q, item.text)
            last = -1
            for start, end in item.highlight:
                assert 0 <= start < end <= len(item.text) and start > last
                last = end
                part = folded(item.text[start:end])
                if q.strip() != "wrangelr":  # exact: the highlighted letters are what was typed
                    assert any(
                        part == t or t.startswith(part) or part.startswith(t) for t in [*tokens, "".join(tokens)]
                    )
    item = s.suggest("men's cas", k=8)[0]
    assert [item.text[a:b] for a, b in item.highlight] == ["men's", "cas"]


def _profile(engine, pred) -> np.ndarray:
    rows = [i for i, p in enumerate(engine.products) if pred(p)]
    assert len(rows) >= 5
    v = engine.index.vectors[rows].mean(axis=0)
    return v / np.linalg.norm(v)


def affinity(s: Suggester, shown: list[str], profile: np.ndarray) -> float:
    """Cosine of the shown phrases to a profile, weighted by position (as a shopper reads the list)."""
    pids = [s.key_to_pid[" ".join(query_words(t))] for t in shown]
    return float(sum((s.vectors[p] @ profile) / np.log2(i + 2) for i, p in enumerate(pids)))


def test_personal_ranking_follows_the_profile(ac, engine):
    s = ac.suggester
    women = _profile(engine, lambda p: p.gender == "women" and "Footwear" in p.category_path)
    men = _profile(engine, lambda p: p.gender == "men" and "Shirts" in (p.product_type or ""))
    changed = 0
    for prefix in ["s", "sh", "c", "ca", "f", "w", "b", "t"]:
        anon, for_w, for_m = (texts(s.suggest(prefix, k=8, profile=pv)) for pv in (None, women, men))
        assert texts(s.suggest(prefix, k=8, profile=None)) == anon  # no profile: the anonymous order
        if for_w != for_m:
            changed += 1
            # each shopper's list (rank-weighted) sits closer to their own taste than the other's list does
            assert affinity(s, for_w, women) > affinity(s, for_m, women)
            assert affinity(s, for_m, men) > affinity(s, for_w, men)
    assert changed >= 4


def test_recent_searches_lift_related_phrases(ac):
    s = ac.suggester
    anon = texts(s.suggest("c", k=8))
    mine = texts(s.suggest("c", k=8, recent=["casual shoes"]))
    assert mine != anon and mine[0] == "casual shoes"


def test_learning_moves_an_accepted_suggestion_up(fresh):
    before = texts(fresh.suggest("sh", k=8))
    target = before[-1]
    for _ in range(30):
        assert fresh.learn(target)
    after = texts(fresh.suggest("sh", k=8))
    assert after.index(target) < before.index(target)
    assert not fresh.learn("no such phrase at all")


def test_search_log_refresh_adds_queries_that_find_products(ac, embedder):
    from assistant.suggest.service import Autocomplete

    mine = Autocomplete(ac.index, ac.base_phrases, ac.base_vectors, ac.vocab, ac.mask)
    assert not any(t == "black casual shoes under 2000" for t in texts(mine.suggester.suggest("black cas", k=20)))
    popular = [("black casual shoes under 2000", 40.0), ("qqq zzz nothing", 50.0), ("casual shoes", 30.0)]
    assert mine.refresh(popular, embedder.encode)
    assert mine._masks == {}  # the filter masks a refresh needed are not kept (server memory)
    s = mine.suggester
    assert "black casual shoes under 2000" in texts(s.suggest("black cas", k=8))
    assert s.suggest("qqq", k=8) == []  # a logged query that finds nothing is not offered
    # logged counts feed popularity: the heavily searched phrase now leads its prefix
    assert texts(s.suggest("c", k=8))[0] == "casual shoes"
    rows = mine.rows_for("black casual shoes under 2000")
    assert len(rows) and all(engine_p.price <= 2000 for engine_p in (ac.index.products[r] for r in rows))
    assert texts(s.trending(2)) == ["black casual shoes under 2000", "casual shoes"]
    assert not mine.refresh(popular, embedder.encode)  # unchanged log: nothing rebuilt


def test_verified_phrases_keep_no_filter_masks(ac):
    """The build's phrases are checked with one product mask per distinct filter; keeping those for the
    index's life cost ~136 MB at 20k products, so only a few are cached and none survive the load."""
    from assistant.suggest.service import MASK_CACHE

    assert len(ac.base_phrases) > 100 and ac.mask is not None
    assert len(ac._masks) == 0
    try:
        for i in range(MASK_CACHE + 5):  # distinct price filters: the cache stays bounded
            ac.rows_for(f"shirt under {100 + i}")
        assert len(ac._masks) == MASK_CACHE
    finally:
        ac._masks.clear()


def test_an_index_without_phrases_gets_them_at_load_and_keeps_them(copy_index, engine, embedder, ac):
    d = copy_index()
    vdir = d / current_version(d)
    (vdir / PHRASES_FILE).unlink()
    (vdir / VECTORS_FILE).unlink()
    rebuilt = load_autocomplete(
        d, engine.index, embedder.encode, engine.vocab, engine.mask, understand=engine.understand
    )
    assert (vdir / PHRASES_FILE).exists() and (vdir / VECTORS_FILE).exists()
    assert rebuilt.suggester.texts == ac.suggester.texts
    assert texts(rebuilt.suggester.suggest("cas sh", k=8)) == texts(ac.suggester.suggest("cas sh", k=8))


def test_weights_learned_from_the_catalog(ac, tiny_products):
    from index.lexical import lexical_text
    from index.text import terms

    product_terms = [set(terms(lexical_text(p))) for p in tiny_products]
    kinds = [normalise(p.product_type or (p.category[-1] if p.category else "")) for p in tiny_products]
    words = sorted(ac.spread)
    assert len(words) > 100
    for word in words[:: max(1, len(words) // 40)]:
        (t,) = terms(word) or ("",)
        if not t:
            continue
        want = {kinds[i] for i, ts in enumerate(product_terms) if t in ts}
        assert ac.spread[word] == len(want), word
    for ph in ac.suggester.phrases[::25]:
        rows = ac.rows_for(ph.text)
        assert ph.distinct == len({normalise(tiny_products[r].title) for r in rows.tolist()}) <= ph.count
