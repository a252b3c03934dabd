"""The chat NLU on the tiny catalog's vocabulary, with the real embedding model for the exemplar fallback.

Each row of PHRASINGS is a row of the README's "supported phrasings" table.
"""

from __future__ import annotations

import pytest

from assistant.chat.dialogue import Constraints, DialogueState, begin
from assistant.chat.execution import execute
from assistant.chat.matching import EngineSearch
from assistant.chat.nlu import IntentExemplars, NluVocab, parse_message


@pytest.fixture(scope="module")
def vocab(engine) -> NluVocab:
    return NluVocab.from_products(engine.products, engine.vocab, engine.qvocab)


@pytest.fixture(scope="module")
def exemplars(embedder) -> IntentExemplars:
    return IntentExemplars(embedder.encode)


# (message, intent, expected slot values, expected refs)
PHRASINGS = [
    (
        "I need a dress for a summer wedding",
        "search",
        {"category": "dress", "occasion": "wedding", "terms": ["summer"]},
        [],
    ),
    ("white shoes for men", "search", {"category": "shoe", "colour": "white", "gender": "men"}, []),
    # "party wear": clothes for a party, "wear" no word a page must state ("wear party sarees" were asked for)
    ("looking for a party wear dress", "search", {"category": "dress", "occasion": "party", "terms": []}, []),
    # "searching for", "shopping for": the asking ("searching" was corrected to "seating", "shopping" searched)
    ("i'm searching for a dress", "search", {"category": "dress", "terms": [], "device": None}, []),
    ("shopping for a dress", "search", {"category": "dress", "terms": []}, []),
    ("dresses then", "search", {"category": "dress", "terms": []}, []),  # when, not a word pages must say
    # who it is for, said as a possessive: no word pages must say ("nothing called girlfriend's here")
    ("a dress for my girlfriend's birthday", "search", {"category": "dress", "gender": "women", "terms": []}, []),
    (
        "casual shoes between 500 and 1500 for women",
        "search",
        {"category": "casual shoe", "price_min": 500, "price_max": 1500, "gender": "women", "occasion": "casual"},
        [],
    ),
    ("watches under rs 2,000", "search", {"category": "watch", "price_max": 2000}, []),
    ("rings from ₹500 to ₹3000", "search", {"category": "ring", "price_min": 500, "price_max": 3000}, []),
    ("something in blue", "refine", {"colour": "blue"}, []),
    ("in navy", "refine", {"colour": "blue"}, []),
    ("under 1000", "refine", {"price_max": 1000}, []),
    ("less than 2k", "refine", {"price_max": 2000}, []),
    ("for my son", "refine", {"gender": "boys"}, []),
    ("for my daughter", "refine", {"gender": "girls"}, []),
    ("not wrangler", "refine", {"exclude_brand": "Wrangler"}, []),
    ("no black", "refine", {"exclude_colour": "black"}, []),
    ("any colour", "refine", {"clear": ["colour"]}, []),
    ("cheaper", "cheaper", {}, []),
    ("too expensive", "cheaper", {}, []),
    ("more expensive ones", "pricier", {}, []),
    ("something else", "something_else", {}, []),
    ("show me the second one", "show", {}, [2]),
    ("the 3rd", "show", {}, [3]),
    ("number 4", "show", {}, [4]),
    ("the last one", "show", {}, [-1]),
    ("compare the first two", "compare", {}, [1, 2]),
    ("compare 1 and 3", "compare", {}, [1, 3]),
    ("what goes with it?", "outfit", {}, []),
    ("what shoes go with it", "outfit", {"category": "shoe"}, []),
    ("complete the look", "outfit", {}, []),
    ("more like this", "similar", {}, []),
    ("add it to my cart", "cart_add", {}, []),
    ("add the second one to my bag", "cart_add", {}, [2]),
    ("remove it from my cart", "cart_remove", {}, []),
    ("what's in my cart", "cart_show", {}, []),
    ("I'm a size M", "preference", {"size": "M"}, []),
    ("I don't like polyester", "preference", {"exclude_material": "polyester"}, []),
    ("why did you suggest that?", "why", {}, []),
    ("why am I seeing this", "why", {}, []),
    ("forget me", "forget", {}, []),
    ("start over", "reset", {}, []),
    ("help", "help", {}, []),
    ("hi", "smalltalk", {}, []),
    ("thanks!", "thanks", {}, []),
    ("thank you so much", "thanks", {}, []),
    ("hello there, how are you doing", "smalltalk", {}, []),
    # ordinary words are not brands; off-topic questions are not searches
    ("what's the weather like today?", "out_of_scope", {"brand": None}, []),
    ("which one is the best deal?", "compare", {"brand": None}, []),
    ("where is my order?", "out_of_scope", {}, []),
    ("when will it be delivered?", "out_of_scope", {}, []),
    ("can I return it if it doesn't fit", "out_of_scope", {}, []),
    # questions about a shown product
    ("is the first one waterproof?", "question", {}, [1]),
    ("what is its rating?", "question", {}, []),
    ("what is the second one made of?", "question", {}, [2]),
    ("how much is the third one?", "question", {}, [3]),
    ("is it available in blue?", "refine", {"colour": "blue"}, []),
    # complaints refine the same search; item-to-item similarity; accessories for the product talked about
    ("these are all too expensive", "cheaper", {}, []),
    ("too plain", "complaint", {}, []),
    ("more like the first one", "similar", {}, [1]),
    ("also a screen guard for it", "accessory", {"accessory": "screen guard", "for_it": True}, []),
    ("a charger for it", "accessory", {"accessory": "charger", "for_it": True}, []),
    ("a case for my moto g", "search", {"accessory": "case", "device": "moto g"}, []),
    # recipients
    ("a watch for my wife", "search", {"category": "watch", "gender": "women", "terms": []}, []),
    ("gift for my husband under 1000", "refine", {"gender": "men", "price_max": 1000}, []),
    # typos
    ("dres under 500", "search", {"category": "dress", "price_max": 500}, []),
    ("chaeper", "cheaper", {}, []),
    ("wachtes undr 1000", "search", {"category": "watch", "price_max": 1000}, []),
    ("in whte", "refine", {"colour": "white"}, []),
    ("whats the cheapest one", "cheaper", {}, []),  # "whats" was corrected to "hats", a new search
    ("do you sell watches", "search", {"category": "watch", "terms": []}, []),  # "sell" was "self", a word to say
    ("hello, i want a watch", "search", {"category": "watch", "terms": []}, []),  # "watches, none saying hello"
    ("my budget is 2000", "refine", {"price_max": 2000}, []),  # was "cheaper": below the median shown
    ("she is 12", "refine", {"gender": "girls"}, []),  # was the help text
    ("something for a newborn boy", "refine", {"gender": "baby"}, []),  # was boys' T-shirts and roller skates
]

# Paraphrases no rule spells out: the nearest intent exemplar decides.
EMBEDDING_PHRASINGS = [
    ("can you find ones that cost less", "cheaper"),
    ("how do you pick these?", "why"),
    ("please erase all my data", "forget"),
    ("which of the two is the better deal", "compare"),
    ("i'll buy that one", "cart_add"),
]


@pytest.mark.parametrize("message,intent,slots,refs", PHRASINGS, ids=[p[0] for p in PHRASINGS])
def test_rule_phrasings(vocab, exemplars, embedder, message, intent, slots, refs):
    p = parse_message(message, vocab, exemplars, embedder.encode_query)
    assert p.intent == intent, (p.intent, p.source)
    for k, v in slots.items():
        assert getattr(p.slots, k) == v, (k, getattr(p.slots, k))
    assert p.refs == refs


@pytest.mark.parametrize("message,intent", EMBEDDING_PHRASINGS, ids=[p[0] for p in EMBEDDING_PHRASINGS])
def test_embedding_fallback(vocab, exemplars, embedder, message, intent):
    p = parse_message(message, vocab, exemplars, embedder.encode_query)
    assert (p.intent, p.source) == (intent, "embedding")
    assert p.confidence >= 0.6


def test_without_the_model_unknown_text_is_not_guessed(vocab):
    assert parse_message("i'll buy that one", vocab).intent != "cart_add"


def test_no_product_names_in_the_vocabulary_come_from_code(vocab, engine):
    # category words are read from this catalog: every one names at least one of its products
    from assistant.chat.dialogue import category_matches

    for word in vocab.categories:
        assert any(category_matches(p, word) for p in engine.products), word


def test_dialogue_pure_steps_keep_every_constraint(engine, vocab):
    """begin/execute without a server: each turn's products meet the state's constraints."""
    st = DialogueState()
    search = EngineSearch(engine)
    for msg in ("shirts for men", "in white", "under 2000", "cheaper", "not wrangler", "something else"):
        plan = begin(st, parse_message(msg, vocab), engine.index.product)
        res = execute(st, plan, search, engine.index.product)
        c: Constraints = st.constraints
        kind = search.of_kind(c.category) if c.category else None  # search's reading of the kind, as the chat's
        rows = engine.index.id_to_row
        assert all(
            c.admits(i.product, of_kind=None if kind is None else kind[rows[i.product.id]]) for i in res.items
        ), msg
    assert st.constraints.category == "shirt" and st.constraints.gender == "men"


def test_plural_and_singular_of_catalog_nouns():
    from assistant.chat.vocab import plural, singular

    pairs = [
        ("dress", "dresses"),
        ("watch", "watches"),
        ("kurta", "kurtas"),
        ("shoe", "shoes"),
        ("accessory", "accessories"),
    ]
    for one, many in pairs:
        assert plural(one) == many and singular(many) == one
    assert plural("jeans") == "jeans" and singular("jeans") == "jeans"


def test_brand_words_that_are_ordinary_words_need_evidence(vocab):
    """A brand that is also an everyday word of the catalog (search's understanding learns which) counts only
    with evidence ("from X"); the chat reads it exactly as search does."""
    from assistant.chat.slot_changes import parse_slots
    from assistant.search.understand import understand

    amb = sorted(b for b in vocab.qvocab.ambiguous_brands if " " not in b and b.isalpha())
    assert amb, "the tiny catalog has brand names that are ordinary words"
    word = amb[0]
    assert parse_slots(f"tell me about {word} today", vocab).brand is None
    assert parse_slots(f"something from {word}", vocab).brand == vocab.brands[word]
    for text in ("what's the weather like today?", "which one is the best deal?", "leggings for women"):
        assert parse_slots(text, vocab).brand == understand(text, vocab.qvocab).brand


@pytest.mark.parametrize(
    "message",
    [
        "what would you suggest under 700",
        "any suggestions for my wife",
        "could you recommend some watches",
        "what do you recommend",
        "your recommendations for running shoes",
        "can you help me find a dress",
        "what have you got for men",
        "show them",
    ],
)
def test_verbs_of_asking_in_any_form_are_never_product_words(vocab, message):
    """The asking words of the shared vocabulary (and the advice verbs), by stem: "suggested", "recommendations"."""
    from assistant.chat.slot_changes import parse_slots
    from index.text import stem

    terms = parse_slots(message, vocab).terms
    asking = {stem(w) for w in ("suggest", "recommend", "help", "find", "got", "show", "them", "have")}
    assert not {stem(t) for t in terms} & asking, terms


def test_a_two_word_kind_of_the_catalog_is_one_category(vocab):
    """'formal shoes' is the catalog's own kind (a node of its tree, read as search reads a type), not any shoe
    with a 'formal' word."""
    from assistant.chat.slot_changes import parse_slots

    assert parse_slots("black formal shoes for office", vocab).category == "formal shoe"
    assert parse_slots("shoes for office", vocab).category == "shoe"


@pytest.mark.parametrize("message", ["coffee mug as a gift", "a coffee mug as a present, if you have one"])
def test_a_function_word_leaves_the_kind_whole(vocab, message):
    """'as', 'if' ask for nothing: the kind is the shop's "Coffee Mugs" (with "as" read as a word the mug must
    have, search read no type and the chat was left with "mug" and the word "coffee")."""
    from assistant.chat.slot_changes import parse_slots

    assert parse_slots(message, vocab).category == "coffee mug"


def test_the_chat_and_search_read_every_recipient_alike(engine):
    """One list of who a gift is for (assistant.search.asking): each relation word gives the chat's recipient and
    search's gender the same value ("toddler" was the chat's alone)."""
    from assistant.chat.slots import recipient
    from assistant.search.asking import PRONOUNS, RELATIONS
    from assistant.search.understand import understand

    for word, gender in RELATIONS.items():
        assert recipient(f"a gift for my {word}") == gender, word
        assert understand(f"shoes for my {word}", engine.qvocab).gender == gender, word
    for word, gender in PRONOUNS.items():  # pronouns only after "for"/"to", in the chat
        assert recipient(f"something for {word}") == gender, word


def test_a_word_the_shop_writes_is_never_corrected_into_another(vocab):
    """As search reads the shop's words: "something with a pattern" was "something with a platter"."""
    from assistant.chat.nlu import correct_typos

    assert correct_typos("something with a pattern", vocab) == "something with a pattern"
    assert correct_typos("wachtes undr 1000", vocab).startswith("watches")  # a typo is still corrected


def test_the_chat_corrects_spelling_as_search_does():
    """One corrector (index.corrector.Corrector) and search's rule for what a correction must go with: a letter swapped
    or changed is corrected as in search ("sarre", "tshrit" stayed misspelt), the commoner of two equally close
    words wins, and no correction pairs a word with others no product writes it with ("i want a gas stove" is no
    women's stole)."""
    from assistant.chat.nlu import correct_typos
    from index.catalog import Product
    from index.corrector import Corrector

    kinds = {
        "s": ("Kashmiri Silk Women's Stole", ["Clothing", "Stoles"]),
        "g": ("Prestige Gas Lighter", ["Kitchen", "Gas Lighters"]),
        "r": ("Vipul Printed Saree", ["Clothing", "Sarees"]),
        "t": ("Puma Boy's Tshirt", ["Clothing", "Tshirts"]),
    }
    ps = [Product(id=f"{k}{i}", title=f"{t} {i}", category=c) for k, (t, c) in kinds.items() for i in range(3)]
    v = NluVocab.from_products(ps)
    assert isinstance(v.corrector, Corrector)
    assert correct_typos("red sarre for wedding", v) == "red saree for wedding"
    assert correct_typos("tshrit for boys under 500", v) == "tshirt for boys under 500"
    assert correct_typos("silk stoel", v) == "silk stole"
    assert correct_typos("i want a gas stove", v) == "i want a gas stove"
