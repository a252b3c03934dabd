"""A kind of several words is the shop's kind as search reads it, not its first word nor any thing its last word
names: "saree falls" are the shop's Saree Falls, "mobile holders" its Mobile Holders, not a card holder; a word of
the shop's type names is no typo ("hair care" is not "chair care"). And the outfit path's anchor check on its own:
"what X go with it?" asks the look for X only when the anchor is no X as search reads it. The small shop of
test_kinds with mobile and card holders, real model, real index, the dialogue run in process as the session
runs it (with the session's look)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.chat import replies
from assistant.chat.dialogue import begin
from assistant.chat.execution import execute
from assistant.chat.matching import EngineSearch
from assistant.chat.nlu import parse_message
from assistant.chat.session import look_items
from assistant.chat.slot_changes import parse_slots
from assistant.chat.state import DialogueState, TurnResult, category_matches
from assistant.chat.vocab import NluVocab
from assistant.looks.outfits import default_rules
from assistant.search.engine import SearchEngine
from index.build import build_index
from index.catalog import Mapping, Product
from index.store import load_index
from tests.assistant.chat.test_kinds import BY_ID, SAREES, SHOP, _p, a_saree

HOLDERS = ["Mobiles & Accessories", "Mobile Accessories", "Mobile Holders"]
SHOP2 = [
    *SHOP,
    *[_p(f"mh-{i}", f"Smart{i} Power Car Mount Holder", HOLDERS, None, 299 + i) for i in range(2)],
    _p("ch-1", "Chevron 6 Card Holder", ["Accessories", "Card Holders"], None, 179),
]
FALLS = {"fall-0", "fall-1", "fall-2"}


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> tuple[SearchEngine, NluVocab]:
    d: Path = tmp_path_factory.mktemp("chat-kind-phrases")
    (d / "shop.jsonl").write_text("".join(json.dumps(p) + "\n" for p in SHOP2), encoding="utf-8")
    build_index(d / "shop.jsonl", d / "index", embedder, Mapping())
    engine = SearchEngine(load_index(d / "index", embedder.name, embedder.dim), embedder)
    return engine, NluVocab.from_products(engine.products, engine.vocab, engine.qvocab)


def talk(shop, message: str, state: DialogueState | None = None) -> tuple[TurnResult, str]:
    """One turn as the session runs it: the engine's search, the shop's materials and the session's look."""
    engine, vocab = shop
    st = state or DialogueState()
    search = EngineSearch(engine)
    plan = begin(st, parse_message(message, vocab), engine.index.product)
    look = lambda anchor, want: look_items(engine, search, anchor, want, default_rules())
    res = execute(st, plan, search, engine.index.product, look, materials=vocab.materials)
    return (
        res,
        f"{replies.ack(plan, st.constraints, vocab.kind_names)} {replies.reply_text(res, plan, vocab.kind_names)}",
    )


def shown(res: TurnResult) -> set[str]:
    return {i.product.id for i in res.items}


def test_saree_falls_are_the_shops_saree_falls_not_sarees_with_the_word_falls(shop):
    """The shop types them "Saree Falls"; "fall" alone is a season to the chat, so its own reading took "saree" as
    the kind and "falls" as a word, and showed sarees."""
    engine, _ = shop
    falls = engine.of_kind("saree falls")
    assert falls is not None and {engine.products[r].id for r in falls.nonzero()[0]} == FALLS
    res, text = talk(shop, "saree falls")
    assert shown(res) == FALLS, (text, [i.product.title for i in res.items])
    assert "3 saree falls" in text, text
    res, text = talk(shop, "i need saree falls under 301")
    assert shown(res) == {"fall-0", "fall-1"}, (text, [i.product.title for i in res.items])


def test_mouse_pads_are_pads_and_mice_are_mice(shop):
    res, _ = talk(shop, "mouse pads")
    assert shown(res) == {"pad-0", "pad-1"}, [i.product.title for i in res.items]
    res, _ = talk(shop, "a mouse")
    assert shown(res) == {"mouse-0", "mouse-1"}, [i.product.title for i in res.items]


def test_mobile_holders_are_the_shops_kind_not_any_holder(shop):
    """The word "holder" is also an accessory word (a holder for a device): for the shop's kind of two words, said
    with no device, the kind is what is asked, and a card holder is none."""
    res, text = talk(shop, "mobile holders")
    assert shown(res) == {"mh-0", "mh-1"}, (text, [i.product.title for i in res.items])
    assert "mobile holders" in text, text


def test_a_word_of_the_shops_type_names_is_no_typo():
    """The typo corrector turned "hair" into "chair" (a word of another type) and "holders" into "folders": a word
    the shop names a type with is left as said."""
    ps = [
        *[Product(id=f"hc{i}", title=f"Vega{i} Hair Serum", category=["Beauty", "Hair Care"]) for i in range(3)],
        *[Product(id=f"c{i}", title=f"Nilkamal{i} Plastic Chair", category=["Furniture", "Chairs"]) for i in range(3)],
        *[Product(id=f"f{i}", title=f"Solo{i} Ring Folder", category=["Stationery", "Folders"]) for i in range(3)],
        *[Product(id=f"m{i}", title=f"Kmh{i} Car Holder", category=["Mobiles", "Mobile Holders"]) for i in range(3)],
    ]
    v = NluVocab.from_products(ps)
    assert parse_message("hair care", v).text == "hair care"
    p = parse_message("mobile holders", v)
    assert p.text == "mobile holders" and p.slots.category == "mobile holder", (p.text, p.slots)
    assert parse_message("chaiirs", v).text == "chairs"  # a typo is still corrected


def _focused(pid: str) -> DialogueState:
    st = DialogueState()
    st.shown, st.focus = [pid], pid
    return st


def test_the_outfit_anchor_check_reads_the_anchor_as_search_does(shop):
    """Asked "what sarees go with it?" for the "Anahi Saree Pin Brooch", whose category path has a node named after
    it: the pin is no saree, so sarees are asked for. Read by the path, the pin would be a saree and the plain look
    would show (its look here holds a clutch and no saree)."""
    engine, _ = shop
    pin = engine.index.product("pin-1")
    assert pin is not None and category_matches(pin, "saree")  # the case where the path's reading differs
    plain = look_items(engine, EngineSearch(engine), pin, None, default_rules())
    assert plain and not {p.id for _, p, _ in plain} & SAREES  # the plain look holds no saree
    res, text = talk(shop, "what sarees go with it?", _focused("pin-1"))
    assert res.items and all(a_saree(pid) for pid in shown(res)), (text, [i.product.title for i in res.items])


def test_the_outfit_anchor_check_asks_the_plain_look_for_an_anchor_of_the_kind(shop):
    """Asked "what belts go with it?" for a belt: the anchor is one, so the look of other kinds is shown (wallets), not
    more belts (what asking the look for belts would show)."""
    engine, _ = shop
    belt = engine.index.product("belt-0")
    assert belt is not None
    wanted = look_items(engine, EngineSearch(engine), belt, "belt", default_rules())
    assert wanted and all("Belt" in p.title for _, p, _ in wanted)  # asking for belts would show belts
    res, text = talk(shop, "what belts go with it?", _focused("belt-0"))
    assert res.items and not any("Belt" in BY_ID[pid]["title"] for pid in shown(res)), text
    assert shown(res) <= {"wal-0", "wal-1"}, [i.product.title for i in res.items]


def test_a_kind_written_as_one_word_is_the_shops_kind_of_two():
    """The shop writes "Hand Bags"; a shopper writes "handbags": search reads it as the shop's type, and so does the
    chat, without the word left over as a term."""
    ps = [
        Product(id=f"hb{i}", title=f"Lavie{i} Women's Hand Bag", category=["Bags", "Hand Bags"], gender="women")
        for i in range(4)
    ]
    s = parse_slots("handbags", NluVocab.from_products(ps))
    assert s.category == "hand bag" and s.terms == [], s


def test_a_kind_written_as_one_word_is_no_typo_of_another():
    """ "show me handbags" was corrected to "handles": a shop selling cabinet handles showed knobs (the corrector
    knew no "handbags"; search reads it as the shop's "Hand Bags")."""
    ps = [
        *[
            Product(id=f"hb{i}", title=f"Lavie{i} Women's Hand Bag", category=["Bags", "Hand Bags"], gender="women")
            for i in range(4)
        ],
        *[Product(id=f"hd{i}", title=f"Brass{i} Cabinet Handles", category=["Home", "Handles"]) for i in range(4)],
    ]
    p = parse_message("show me handbags", NluVocab.from_products(ps))
    assert p.slots.category == "hand bag" and p.slots.terms == [], p.slots
