"""Whether a product is of the kind the shopper asked for is read in the chat as REST search reads a query's type
(SearchEngine.of_kind): "Saree Falls", a "saree pin" brooch and a "Bunny Sarees" blouse material are not sarees; a
belt on the shop's mixed "Bags, Wallets & Belts" shelf, whose deeper "Belts" shelf says what it is, is not a
wallet; T-shirts are what "t-shirts" asks for, not "shirts". Where the shop has no type the word names, the
chat's own check of the category path stays. A small shop written here, real model, real index, the dialogue
run in process as the session runs it, and once over the live websocket."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from assistant.chat import replies
from assistant.chat.dialogue import begin
from assistant.chat.execution import execute
from assistant.chat.matching import EngineSearch
from assistant.chat.nlu import parse_message
from assistant.chat.state import DialogueState, TurnResult
from assistant.chat.vocab import NluVocab
from assistant.search.engine import SearchEngine
from index.build import build_index
from index.catalog import Mapping
from index.store import load_index
from tests.assistant.chat_client import open_chat, say
from tests.assistant.search.shop import shop_engine

ETHNIC = ["Clothing", "Women's Clothing", "Ethnic Wear"]
BWB = "Bags, Wallets & Belts"


def _p(pid: str, title: str, cat: list[str], gender: str, price: float = 999, **extra) -> dict:
    return {"id": pid, "title": title, "category": cat, "price": price, "gender": gender, **extra}


SHOP = [
    # sarees, and things named after sarees that are not sarees
    _p("net-1", "Rani Self Design Bollywood Net Saree", [*ETHNIC, "Sarees"], "women", attributes={"Fabric": "Net"}),
    *[_p(f"geo-{i}", f"Jaya{i} Floral Print Party Saree", [*ETHNIC, "Sarees"], "women", 1099 + i) for i in range(3)],
    # the shop's "Sarees" are often titled "Sari" (9 of the 10 titles ending so): one the shop types only "Ethnic
    # Wear" is a saree by its title, though no node of its category path says "saree"
    *[_p(f"sari-{i}", f"Kashvi{i} Printed Georgette Sari", [*ETHNIC, "Sarees"], "women", 1299 + i) for i in range(9)],
    _p("eth-sari", "Sourbh Synthetic Georgette Sari", ETHNIC, "women", 650, product_type="Ethnic Wear"),
    # lehenga sets, titled as the set they are; a lehenga the shop types "Lehengas" on its "Lehenga Cholis" shelf;
    # lehenga choli fabric, which is no lehenga
    *[
        _p(
            f"lc-{i}",
            f"Khodal{i} Embroidered Women's Lehenga, Choli and Dupatta Set",
            [*ETHNIC, "Lehenga Cholis"],
            "women",
            1899 + i,
            product_type="Lehenga Cholis",
        )
        for i in range(3)
    ],
    _p(
        "lc-3",
        "Bazar Self Design Women's Lehenga Choli",
        [*ETHNIC, "Lehenga Cholis"],
        "women",
        1799,
        product_type="Lehenga Cholis",
    ),
    _p(
        "lehenga-1",
        "Ambika Embroidered Lehenga, Choli and Dupatta Set",
        [*ETHNIC, "Lehenga Cholis"],
        "women",
        2499,
        product_type="Lehengas",
    ),
    _p(
        "lcm-1",
        "Indcrown Net Embroidered Semi-stitched Lehenga Choli Material",
        [*ETHNIC, "Fabric"],
        "women",
        899,
        product_type="Lehenga Choli Material",
    ),
    # boxes, and gloves on the shop's "Boxing" shelf: search reads both words by the stem "box"
    *[
        _p(f"box-{i}", f"Zari{i} Wooden Jewellery Box", ["Jewellery", "Jewellery Boxes", "Boxes"], "women", 299 + i)
        for i in range(2)
    ],
    _p("glove-1", "Hitman Strike Punching Boxing Gloves", ["Sports", "Boxing", "Boxing Gloves"], "men", 1499),
    # mice and the pads they run on
    *[
        _p(f"mouse-{i}", f"Logi{i} B100 Wired Optical Mouse", ["Computers", "Laptop Accessories", "Mouse"], None, 349)
        for i in range(2)
    ],
    *[
        _p(f"pad-{i}", f"Quantum{i} QHM Mouse Pad", ["Computers", "Laptop Accessories", "Mouse Pads"], None, 99)
        for i in range(2)
    ],
    *[
        _p(f"fall-{i}", f"Finesse NUTL44{i} Dupian Saree Falls", [*ETHNIC, "Saree Falls"], "women", 300 + i)
        for i in range(3)
    ],
    _p("pin-1", "Anahi Saree Pin Brooch", ["Jewellery", "Accessories", "Brooches", "Anahi Saree Pin Brooch"], "women"),
    _p(
        "blm-1",
        "Bunny Sarees Jacquard Self Design Blouse Material",
        [*ETHNIC, "Fabric"],
        "women",
        brand="Bunny Sarees",
        product_type="Blouse Material",
    ),
    # the shop's mixed shelf: belts, wallets and clutches, each on a deeper shelf that says which it is
    *[
        _p(
            f"belt-{i}",
            f"Vermello{i} Men Casual Brown Genuine Leather Belt",
            [BWB, "Belts", f"Vermello{i} Belts"],
            "men",
            795 + i,
            attributes={"Material": "Leather"},
        )
        for i in range(3)
    ],
    *[
        _p(
            f"wal-{i}",
            f"Urban{i} Men Brown Genuine Leather Wallet",
            [BWB, "Wallets & Clutches", "Wallets", f"Urban{i} Wallets"],
            "men",
            499 + i,
            attributes={"Material": "Leather"},
        )
        for i in range(2)
    ],
    _p("clu-1", "Linzina Party Black Clutch", [BWB, "Wallets & Clutches", "Clutches"], "women", 599),
    # shirts and T-shirts for men; leggings on a shelf that names two kinds
    *[
        _p(f"shirt-{i}", f"Sprint{i} Men's Checkered Casual Shirt", ["Clothing", "Men's Clothing", "Shirts"], "men")
        for i in range(3)
    ],
    *[
        _p(
            f"tee-{i}",
            f"Nucode{i} Printed Men's Round Neck T-Shirt",
            ["Clothing", "Men's Clothing", "T-Shirts", f"Nucode{i} T-Shirts"],
            "men",
            399 + i,
        )
        for i in range(3)
    ],
    *[
        _p(
            f"leg-{i}",
            f"Kjaggs{i} Women's Leggings",
            ["Clothing", "Women's Clothing", "Western Wear", "Leggings & Jeggings"],
            "women",
            249 + i,
        )
        for i in range(2)
    ],
    # the spec lines that teach the shop its materials (net, cotton, georgette, leather: thrice or more)
    *[
        _p(f"top-{m}-{i}", f"Ira{i} {m} Top", [*ETHNIC[:2], "Western Wear", "Tops"], "women", attributes={"Fabric": m})
        for m in ("Net", "Cotton", "Georgette")
        for i in range(3)
    ],
]
BY_ID = {p["id"]: p for p in SHOP}
for _i in range(3):  # the georgette sarees say so on their spec line
    BY_ID[f"geo-{_i}"]["attributes"] = {"Fabric": "Georgette"}


SAREES = {"net-1", "geo-0", "geo-1", "geo-2", "eth-sari", *(f"sari-{i}" for i in range(9))}
LEHENGAS = {"lc-0", "lc-1", "lc-2", "lc-3", "lehenga-1"}


def a_saree(pid: str) -> bool:
    """The shopper's reading: the title calls it a saree (or sari) as the thing it is, not falls, a pin or fabric."""
    title = BY_ID[pid]["title"].lower()
    return re.search(r"\b(?:saree|sari)$", title) is not None


@pytest.fixture(scope="module")
def shop_dir(tmp_path_factory, embedder) -> Path:
    d = tmp_path_factory.mktemp("chat-kinds")
    catalog = d / "shop.jsonl"
    catalog.write_text("".join(json.dumps(p) + "\n" for p in SHOP), encoding="utf-8")
    build_index(catalog, d / "index", embedder, Mapping())
    return d


@pytest.fixture(scope="module")
def shop(shop_dir, embedder) -> tuple[SearchEngine, NluVocab]:
    engine = SearchEngine(load_index(shop_dir / "index", embedder.name, embedder.dim), embedder)
    return engine, NluVocab.from_products(engine.products, engine.vocab, engine.qvocab)


def chat_shop(directory: Path, embedder, products: list[dict]) -> tuple[SearchEngine, NluVocab]:
    """A small shop's engine, built with the real model into a real index, and the chat's vocabulary of it."""
    engine = shop_engine(directory, embedder, products)
    return engine, NluVocab.from_products(engine.products, engine.vocab, engine.qvocab)


def talk(shop, *messages: str) -> list[tuple[TurnResult, str]]:
    """The dialogue as the session runs it: the engine's search (EngineSearch) and the shop's materials."""
    engine, vocab = shop
    st = DialogueState()
    out = []
    for m in messages:
        plan = begin(st, parse_message(m, vocab, kind=st.constraints.category), engine.index.product)
        res = execute(st, plan, EngineSearch(engine), engine.index.product, materials=vocab.materials)
        said = replies.ack(plan, st.constraints, vocab.kind_names), replies.reply_text(res, plan, vocab.kind_names)
        out.append((res, " ".join(said)))
    return out


def shown(res: TurnResult) -> list[str]:
    return [i.product.id for i in res.items]


def test_search_reads_which_products_are_of_a_kind(shop):
    engine, _ = shop
    ids = lambda mask: {engine.products[r].id for r in mask.nonzero()[0]}
    sarees = engine.of_kind("saree")
    assert sarees is not None and ids(sarees) == SAREES
    wallets = engine.of_kind("wallets")
    assert wallets is not None and ids(wallets) == {"wal-0", "wal-1"}  # not the belts, not the clutch
    assert engine.of_kind("tablet") is None  # a word naming no type of this shop: the chat keeps its own check


def test_things_named_after_sarees_are_not_sarees(shop):
    [(res, _)] = talk(shop, "sarees")
    assert shown(res) and all(a_saree(pid) for pid in shown(res)), [i.product.title for i in res.items]
    assert set(shown(res)) <= SAREES and len(shown(res)) == 6  # a page of sarees, nothing else


def test_net_sarees_is_the_one_net_saree_not_falls_said_to_be_sarees_of_unsaid_material(shop):
    [(res, text)] = talk(shop, "net sarees")
    # the georgette sarees are known not to be net; falls, a pin and a blouse fabric are not sarees at all
    assert shown(res) == ["net-1"], [i.product.title for i in res.items]
    assert "I found 1 net saree:" in text and "do not say what they are made of" not in text, text


def test_a_belt_on_the_mixed_bags_wallets_and_belts_shelf_is_not_a_wallet(shop):
    [(res, text)] = talk(shop, "leather wallet for men")
    titles = [i.product.title for i in res.items]
    assert titles and all(t.endswith("Wallet") for t in titles), titles  # the wallets, no belt
    assert set(shown(res)) == {"wal-0", "wal-1"}
    assert "2 leather wallets for men" in text, text


def test_shirts_are_shirts_and_t_shirts_what_t_shirts_asks_for(shop):
    [(shirts, _)] = talk(shop, "shirts for men")
    assert set(shown(shirts)) == {"shirt-0", "shirt-1", "shirt-2"}, [i.product.title for i in shirts.items]
    [(tees, _)] = talk(shop, "t-shirts for men")
    assert set(shown(tees)) == {"tee-0", "tee-1", "tee-2"}, [i.product.title for i in tees.items]
    # a shelf naming two kinds ("Leggings & Jeggings"): leggings are still found, by search's reading or the
    # chat's own check
    [(legs, _)] = talk(shop, "leggings")
    assert set(shown(legs)) == {"leg-0", "leg-1"}


def test_over_the_live_chat_the_session_asks_search_what_a_wallet_is(make_server, shop_dir):
    """The same over the websocket: the session's search carries search's reading of a kind to the dialogue."""
    srv = make_server(
        index_dir=shop_dir / "index", catalog=shop_dir / "shop.jsonl", mapping=None, rate_sessions="", rate_chat=""
    )

    async def script():
        ws, _ = await open_chat(srv.ws_url)
        t = await say(ws, "leather wallet for men")
        assert {c["id"] for c in t.items} == {"wal-0", "wal-1"}, [c["title"] for c in t.items]
        await ws.close()
        ws, _ = await open_chat(srv.ws_url)  # a new conversation: the last one holds "for men"
        t = await say(ws, "sarees")
        assert t.items and all(a_saree(c["id"]) for c in t.items), [c["title"] for c in t.items]
        await ws.close()

    asyncio.run(script())


def a_lehenga(pid: str) -> bool:
    """The shopper's reading: a lehenga, alone or as the lehenga, choli (and dupatta) of a set; fabric to have one
    stitched is not one."""
    title = BY_ID[pid]["title"].lower()
    return re.search(r"\blehenga\b", title) is not None and not title.endswith("material")


def test_a_lehenga_choli_set_is_a_lehenga_to_search_and_to_the_chat(shop):
    """The shop titles its "Lehenga Cholis" as sets ("Lehenga, Choli and Dupatta Set"): each is a lehenga, not only
    the one product it types "Lehengas"; the fabric for one is not."""
    engine, _ = shop
    assert {pid for pid in BY_ID if a_lehenga(pid)} == LEHENGAS  # the shopper's reading of this shop
    lehengas = engine.of_kind("lehenga")
    assert lehengas is not None and {engine.products[r].id for r in lehengas.nonzero()[0]} == LEHENGAS
    [(res, _)] = talk(shop, "lehenga")
    assert set(shown(res)) == LEHENGAS, [i.product.title for i in res.items]
    # REST search reads it the same way: the five rank first, in its type tier
    hits = engine.search("lehenga", k=5).hits
    assert {h.product.id for h in hits} == LEHENGAS, [h.product.title for h in hits]


def test_falls_pads_and_pins_stay_what_their_titles_name(shop):
    """Their titles never list the first word apart ("Saree Falls", not "Saree, Falls"): no set."""
    engine, _ = shop
    mice = engine.of_kind("mouse")
    assert mice is not None and {engine.products[r].id for r in mice.nonzero()[0]} == {"mouse-0", "mouse-1"}
    [(res, _)] = talk(shop, "mouse")
    assert set(shown(res)) == {"mouse-0", "mouse-1"}, [i.product.title for i in res.items]
    [(res, _)] = talk(shop, "sarees under 999")
    assert not ({"fall-0", "fall-1", "fall-2", "pin-1"} & set(shown(res))), [i.product.title for i in res.items]


def test_a_word_is_not_its_stem_boxing_is_no_box(shop):
    """Search reads "boxing" by its stem, "box"; the chat keeps a one-word kind to the products whose category path
    names the word, or whose title does: boxing gloves, not jewellery boxes."""
    [(res, text)] = talk(shop, "boxing")
    assert shown(res) == ["glove-1"], (text, [i.product.title for i in res.items])


def test_a_saree_typed_by_its_title_is_shown_though_its_category_path_never_says_saree(shop):
    """The one saree under 700 is typed "Ethnic Wear" and titled "... Sari": search reads it as a saree, and the
    chat's search keeps to the kind's rows rather than to a word of the category path."""
    [(res, text)] = talk(shop, "sarees under 700")
    assert shown(res) == ["eth-sari"], (text, [i.product.title for i in res.items])


def test_what_sarees_go_with_a_top_are_sarees_not_a_saree_pin(make_server, shop_dir):
    """The outfit path reads a kind as the rest of the chat does: the look of a top holds the "Anahi Saree Pin
    Brooch", whose category path has a node named after it, and it is no saree; "what sarees go with it?" shows
    sarees (a look's items of the kind, else a search for the kind), as "sarees" does."""
    srv = make_server(
        index_dir=shop_dir / "index", catalog=shop_dir / "shop.jsonl", mapping=None, rate_sessions="", rate_chat=""
    )

    async def script():
        ws, _ = await open_chat(srv.ws_url)
        t = await say(ws, "tops for women")
        assert t.items, t.text
        await say(ws, "show me the first one")
        t = await say(ws, "what sarees go with it?")
        assert t.items and all(a_saree(c["id"]) for c in t.items), (t.text, [c["title"] for c in t.items])
        await ws.close()

    asyncio.run(script())


MICE = [
    {"id": "mo-1", "title": "Zebion Wireless Optical Mouse", "category": ["Computers", "Accessories", "Mouse"]},
    {"id": "mo-2", "title": "Lapcare Wired Optical Mouse", "category": ["Computers", "Accessories", "Mouse"]},
    # a soft toy whose title ends in the word, on the toys' shelves; and a mouse the shop shelves nowhere
    {"id": "toy", "title": "Ekku Mickey Mouse", "category": ["Toys & School Supplies", "Soft Toys"]},
    {"id": "loose", "title": "Quantum Wireless Mouse", "category": []},
    *[
        {"id": f"t-{i}", "title": f"Ekku Teddy Bear {i}", "category": ["Toys & School Supplies", "Soft Toys"]}
        for i in range(2)
    ],
]


def test_a_title_naming_the_kind_counts_only_where_the_kind_is_shelved(tmp_path, embedder):
    catalog = tmp_path / "shop.jsonl"
    catalog.write_text("".join(json.dumps(p) + "\n" for p in MICE), encoding="utf-8")
    build_index(catalog, tmp_path / "index", embedder, Mapping())
    engine = SearchEngine(load_index(tmp_path / "index", embedder.name, embedder.dim), embedder)
    rows = EngineSearch(engine).of_kind("mouse")
    assert rows is not None
    kind = {engine.products[r].id for r in map(int, rows.nonzero()[0])}
    assert kind == {"mo-1", "mo-2", "loose"}  # "Ekku Mickey Mouse" on the toys' shelves is no computer mouse
