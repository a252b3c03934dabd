"""Carrying out a turn (assistant/chat/execution.py): the suggestion chips under a reply."""

from __future__ import annotations

from assistant.chat.execution import chips_for
from assistant.chat.state import DialogueState, ShownItem
from index.catalog import Product


def test_the_colour_chip_on_a_tie_is_the_first_shown():
    colours = ["teal", "maroon", "olive", "beige", "navy", "mustard"]  # each once: a tie a set would break at random
    items = [ShownItem(Product(id=c, title=f"{c} top", price=500.0, colour=c), []) for c in colours]
    assert f"In {colours[0]}" in chips_for(DialogueState(), items, "search")
