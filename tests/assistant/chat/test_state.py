"""The chat's constraints admit a product as search's filters do (assistant.chat.state.Constraints.admits)."""

from __future__ import annotations

from assistant.chat.state import Constraints
from index.catalog import Product

BABY_GIRLS = ["Baby Care", "Infant Wear", "Baby Girls' Clothes"]


def test_a_baby_admits_a_baby_girls_dress_as_search_does():
    dress = Product(id="b", title="Toddla Baby Girl's Gathered Dress", category=BABY_GIRLS, gender="girls")
    older = Product(id="g", title="Bells Girl's A-line Dress", category=["Clothing", "Girls Wear"], gender="girls")
    assert Constraints(gender="baby").admits(dress, frozenset())
    assert not Constraints(gender="baby").admits(older, frozenset())
    assert Constraints(gender="girls").admits(dress, frozenset())
