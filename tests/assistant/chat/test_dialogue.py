"""Turn planning (assistant/chat/dialogue.py): a complaint's words go into the search in the order the complaint
gives them, so the reply that names them reads the same in every run (it used to follow a set's order, which
changes with the interpreter's string hashing)."""

from __future__ import annotations

from assistant.chat.acts import Act
from assistant.chat.dialogue import begin
from assistant.chat.nlu import Parse
from assistant.chat.replies import describe
from assistant.chat.slot_changes import SlotChanges
from assistant.chat.state import Constraints, DialogueState


def test_a_complaints_words_keep_their_order():
    words = ["printed", "embroidered", "designer", "bright", "floral", "woven"]  # six: a set scrambles them
    st = DialogueState(constraints=Constraints(category="kurta", terms=["cotton"]), shown=["a", "b"])
    begin(st, Parse("complaint", SlotChanges(), act=Act("complaint", "plain", terms=list(words))), lambda _: None)
    assert st.constraints.terms == ["cotton", *words]
    assert describe(st.constraints).startswith("cotton printed embroidered kurtas")
    assert st.constraints.exclude_ids == ["a", "b"]  # without what was shown


def test_a_complaint_word_already_asked_moves_to_the_complaints_place():
    st = DialogueState(constraints=Constraints(category="dress", terms=["printed", "long"]))
    begin(
        st,
        Parse("complaint", SlotChanges(), act=Act("complaint", "plain", terms=["printed", "embroidered"])),
        lambda _: None,
    )
    assert st.constraints.terms == ["long", "printed", "embroidered"]
