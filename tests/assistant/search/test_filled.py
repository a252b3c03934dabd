"""A typed query searches the rest of the shop only when the rest may show on the page (`filled`): the page is the
same either way, on the tiny catalog and a small shop, with and without a reranker, variants grouped or not."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.search import engine as engine_module
from assistant.search.ranking import Tiers, filled
from tests.assistant.search.shop import shop_engine

TOP = 2 / 61


def tiers_of(n: int, *parts: tuple[str, list[int], float]) -> Tiers:
    t = Tiers()
    for name, rows, w in parts:
        m = np.zeros(n, dtype=bool)
        m[rows] = True
        t.add(name, m, w)
    return t


def test_the_candidates_fill_the_page_when_no_other_row_can_reach_them():
    rows, others = np.array([0, 1, 2]), np.array([False, False, False, True, True])
    typed = tiers_of(5, ("type", [0, 1, 2], 1.0))
    assert filled(rows, typed, others, 3, TOP) and not filled(rows, typed, others, 4, TOP)
    # another row made for the device asked (0.5) and stating every word (0.1) still stays below the type (1.0)
    reach = tiers_of(5, ("type", [0, 1, 2], 1.0), ("compatible", [3], 0.5), ("stated", [3], 0.1))
    assert filled(rows, reach, others, 3, TOP)
    # ... but not when the type's rows are made for another device (1.0 - 0.75 = 0.25 < 0.5)
    away = tiers_of(5, ("type", [0, 1, 2], 1.0), ("other_device", [1, 2], -0.75), ("compatible", [3], 0.5))
    assert filled(rows, away, others, 1, TOP) and not filled(rows, away, others, 2, TOP)


def test_variants_count_once_and_a_rescaled_page_needs_levels_apart():
    rows, others = np.array([0, 1, 2]), np.array([False, False, False, True])
    typed = tiers_of(4, ("type", [0, 1, 2], 1.0))
    groups = np.array([7, 7, 8, 9])  # rows 0 and 1 are variants of one product
    assert filled(rows, typed, others, 2, TOP, groups) and not filled(rows, typed, others, 3, TOP, groups)
    # a reranker rescales the fused scores over every candidate: levels closer than TOP could swap
    close = tiers_of(4, ("type", [0, 1, 2], 1.0), ("gender", [0], 0.125), ("stated", [1], 0.1))
    assert filled(rows, close, others, 3, TOP) and not filled(rows, close, others, 3, TOP, rescaled=True)


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder):
    return shop_engine(tmp_path_factory.mktemp("filled"), embedder)


QUERIES = ("red dress", "dress", "back cover for samsung galaxy j7", "women dress under 1000", "cover", "shirt")


@pytest.mark.parametrize("which", ["engine", "shop"])
def test_the_page_is_the_same_as_with_the_rest_searched(which, engine, shop, monkeypatch):
    eng = engine if which == "engine" else shop
    queries = QUERIES + tuple(p.title.split()[-1].lower() for p in eng.products[:40])

    def rerank(rows, scores):  # a reranker adding a little per product: the page's scale is rescaled
        return scores + (rows % 7) * 0.001, [[] for _ in rows]

    options = [{"k": 10, "distinct": True}, {"k": 20, "distinct": False}, {"k": 5, "distinct": True, "rerank": rerank}]
    skipped = []  # the searches that did not search the rest: the test is about them

    def counted(*a, **kw):
        skipped.append(filled(*a, **kw))
        return skipped[-1]

    monkeypatch.setattr(engine_module, "filled", counted)
    got = {(q, i): [h.product.id for h in eng.search(q, **o).hits] for q in queries for i, o in enumerate(options)}
    assert sum(skipped) >= 5, skipped
    monkeypatch.setattr(engine_module, "filled", lambda *a, **kw: False)  # the rest always searched
    want = {(q, i): [h.product.id for h in eng.search(q, **o).hits] for q in queries for i, o in enumerate(options)}
    assert got == want
