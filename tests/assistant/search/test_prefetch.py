"""Encoding the query ahead (SearchEngine.prefetch) changes no result and encodes the query once."""

from __future__ import annotations


def test_prefetch_then_search_equals_search_and_encodes_once(engine, monkeypatch):
    queries = ["red dress for women", "mens jeens", "shoes not sports", "watch under 1000"]
    plain = {q: [(h.product.id, round(h.score, 9)) for h in engine.search(q, k=10).hits] for q in queries}
    calls: list[list[str]] = []
    real = engine.embedder.encode

    def counting(texts, progress=None):
        calls.append(list(texts))
        return real(texts, progress)

    monkeypatch.setattr(engine.embedder, "encode", counting)
    monkeypatch.setattr(engine.embedder, "_cache", type(engine.embedder._cache)())  # every query new again
    for q in queries:
        engine.prefetch(q)
        assert [(h.product.id, round(h.score, 9)) for h in engine.search(q, k=10).hits] == plain[q]
    assert len(calls) == len(queries)  # each query's dense text once, whichever thread encoded it
    assert engine.embedder.encode_query(engine.understand("mens jeens").dense_text) is not None
    assert len(calls) == len(queries)  # and kept


def test_prefetch_of_a_lexical_search_encodes_nothing(engine, monkeypatch):
    calls: list[list[str]] = []
    monkeypatch.setattr(engine.embedder, "encode", lambda texts, progress=None: calls.append(list(texts)))
    engine.prefetch("a query never embedded", mode="lexical")
    engine.search("a query never embedded", k=5, mode="lexical")
    assert calls == []


def test_a_long_query_is_read_on_the_encoder_thread_and_still_encoded_once(engine, monkeypatch):
    calls: list[list[str]] = []
    real = engine.embedder.encode

    def counting(texts, progress=None):
        calls.append(list(texts))
        return real(texts, progress)

    monkeypatch.setattr(engine.embedder, "encode", counting)
    query = "red cotton dress for women with long sleeves and a printed pattern for a summer wedding party"
    assert len(query) > 64
    plain = [h.product.id for h in engine.search(query, k=10).hits]
    calls.clear()
    monkeypatch.setattr(engine.embedder, "_cache", type(engine.embedder._cache)())
    engine.prefetch(query)
    assert [h.product.id for h in engine.search(query, k=10).hits] == plain
    assert len(calls) == 1
