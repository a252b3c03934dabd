"""A material the page names is known (issue 14, "known mismatches never"): a saree whose title says cotton is never
shown for "silk saree", one that names no material still is (after those known to be silk), and a shop whose
sarees are all of other materials shows them with a notice. The material words are learned from the catalog's
specifications: qualifiers ("Genuine Leather") and colours ("gold") are none. A small shop written into
tmp_path (real model, real index), and the pure reading of products."""

from __future__ import annotations

import pytest

from assistant.search.engine import SearchEngine
from assistant.search.materials import blended, learn_materials, material_words, named_materials, title_materials
from assistant.search.query import QUERY_COLOURS, Filters
from index.catalog import Product
from tests.assistant.search.shop import ids, shop_engine

SAREE = ["Clothing", "Women's Clothing", "Sarees"]
TOPS = ["Clothing", "Women's Clothing", "Tops"]
WALLET = ["Bags, Wallets & Belts", "Wallets"]


def _p(pid: str, title: str, category: list[str], price: float = 999, **kw) -> dict:
    return {"id": pid, "title": title, "category": category, "price": price, **kw}


SHOP = [
    # sarees whose title names silk: plain silk, "Art Silk" (silk to a shopper who asks for it), a cotton-silk blend
    _p("sr-silk", "Silka Woven Kanjivaram Silk Saree", SAREE),
    _p("sr-art", "Tana Printed Art Silk Saree", SAREE),
    _p("sr-blend", "Meera Striped Cotton Silk Saree", SAREE),
    # sarees whose page names another material: the title, or the specification alone
    _p("sr-cotton", "Mahek Striped Cotton Saree", SAREE),
    _p("sr-geo", "Kora Printed Georgette Saree", SAREE),
    _p("sr-spec", "Leela Printed Saree", SAREE, attributes={"Fabric": "Cotton"}),
    # sarees whose material is unknown: a brand naming a material is no material, nor is a plain title
    _p("sr-brand-silk", "Annapurna Silks Printed Saree", SAREE, brand="Annapurna Silks"),
    _p("sr-brand-cotton", "Cotton Fab Printed Saree", SAREE, brand="Cotton Fab"),
    _p("sr-plain", "Rani Printed Saree", SAREE),
    # tops whose specifications teach the vocabulary; crepe ones, of a material no saree is made of
    *[_p(f"top-silk-{i}", f"Vera Solid Women's Top {i}", TOPS, attributes={"Fabric": "Silk"}) for i in range(3)],
    *[_p(f"top-cot-{i}", f"Ira Printed Women's Top {i}", TOPS, attributes={"Fabric": "Cotton"}) for i in range(2)],
    *[_p(f"top-geo-{i}", f"Uma Solid Women's Top {i}", TOPS, attributes={"Fabric": "Georgette"}) for i in range(3)],
    *[_p(f"top-crepe-{i}", f"Nia Crepe Women's Top {i}", TOPS, attributes={"Fabric": "Crepe"}) for i in range(3)],
    # wallets: "Genuine" qualifies leather, it names no material; "Fabric" names the line, not a material
    *[_p(f"w-{i}", f"Hide Men's Wallet {i}", WALLET, attributes={"Material": "Genuine Leather"}) for i in range(3)],
    *[_p(f"w-fab-{i}", f"Canto Men's Wallet {i}", WALLET, attributes={"Material": "Fabric"}) for i in range(3)],
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("materials"), embedder, SHOP)


def test_the_vocabulary_keeps_materials_not_qualifiers_field_names_or_colours(shop):
    mats = shop.qvocab.materials
    assert {"silk", "cotton", "georgett", "crepe", "leather"} <= mats
    assert "genuin" not in mats  # only ever written before another material: it qualifies one
    assert "fabric" not in mats  # the name of the specification line
    ps = [Product(id=str(i), title="Ring", attributes={"Material": m}) for i, m in enumerate(["Gold"] * 3)]
    assert learn_materials(ps, QUERY_COLOURS) == frozenset()  # a colour word is read as a colour


@pytest.mark.parametrize(
    ("title", "brand", "named"),
    [
        ("Mahek Striped Cotton Sari", None, {"cotton"}),
        ("Meera Cotton Silk Saree", None, {"cotton", "silk"}),  # a blend names both
        ("Tana Printed Art Silk Saree", None, {"silk"}),
        ("Annapurna Silks Printed Saree", "Annapurna Silks", set()),  # the brand is no material
        ("Cotton Fab Printed Saree", "Cotton Fab", set()),
        ("Rani Gold Plated Necklace", None, set()),  # gold is a colour, not a material word here
    ],
)
def test_the_materials_a_title_names(title, brand, named):
    mats = frozenset({"cotton", "silk", "leather"})
    assert title_materials(Product(id="x", title=title, brand=brand), mats) == named


def test_a_specification_alone_makes_the_material_known():
    known, named = named_materials(Product(id="x", title="Leela Saree", attributes={"Fabric": "Cotton"}), {"silk"})
    assert known and "cotton" in named
    assert named_materials(Product(id="y", title="Rani Saree"), {"silk"}) == (False, frozenset())


def test_a_title_naming_another_material_is_never_shown_unknown_after_known(shop):
    res = shop.search("silk saree", k=6)  # 3 silk sarees and 3 of unknown material fill the page
    got = ids(res)
    assert res.preferences.get("material") == "silk" and res.notice is None
    for pid in ("sr-cotton", "sr-geo", "sr-spec"):  # the page says cotton or georgette: a known mismatch
        assert pid not in got
    known = [got.index(p) for p in ("sr-silk", "sr-art", "sr-blend")]
    unknown = [got.index(p) for p in ("sr-brand-silk", "sr-brand-cotton", "sr-plain")]
    assert max(known) < min(unknown)  # known silk sarees first, sarees of unknown material next


def test_a_blend_answers_each_of_its_materials(shop):
    got = ids(shop.search("cotton saree", k=6))
    assert {"sr-cotton", "sr-blend", "sr-spec"} <= set(got[:3])  # cotton, cotton silk, a Fabric line of Cotton
    assert "sr-silk" not in got and "sr-art" not in got and "sr-geo" not in got
    assert "sr-brand-cotton" in got[3:]  # the "Cotton Fab" brand is no cotton: unknown, shown after


def test_the_types_other_materials_follow_its_few_matches_and_unknowns_before_any_other_type(shop):
    res = shop.search("silk saree", k=30)  # 6 silk or unknown sarees cannot fill 30
    got = ids(res)
    fits = {"sr-silk", "sr-art", "sr-blend", "sr-brand-silk", "sr-brand-cotton", "sr-plain"}
    assert set(got[:6]) == fits
    assert set(got[6:9]) == {"sr-cotton", "sr-geo", "sr-spec"}  # the sarees of other materials, next
    assert all(not p.startswith("sr-") for p in got[9:])  # then other types (silk tops) after every saree
    notice = (res.notice or "").lower()
    assert "only 3 sarees in silk and 3 that do not say" in notice and "other sarees after" in notice


def test_no_saree_of_the_material_relaxes_it_within_the_type_and_says_so(shop):
    res = shop.search("crepe saree", k=30)
    got = ids(res)
    sarees = [p for p in got if p.startswith("sr-")]
    assert len(sarees) == 9 and got[:9] == sarees  # every saree, though each names another material, first
    assert res.notice and "crepe" in res.notice.lower() and "saree" in res.notice.lower()


def test_a_material_nothing_the_filters_admit_has_is_relaxed_and_said(shop):
    res = shop.search("crepe", k=30, filters=Filters(category="Sarees"))  # crepe tops exist; no saree is crepe
    got = ids(res)
    assert got and all(p.startswith("sr-") for p in got) and "sr-cotton" in got  # the rest shown, not emptied
    assert res.notice and "nothing in crepe" in res.notice.lower()


def test_variants_of_one_title_apart_by_the_material_their_page_names(tmp_path, embedder):
    # one title, two variants: one whose Fabric line says Silk, one that states nothing
    shop = shop_engine(
        tmp_path,
        embedder,
        [
            *SHOP,
            _p("var-silk", "Divya Printed Saree", SAREE, attributes={"Fabric": "Silk"}),
            _p("var-none", "Divya Printed Saree", SAREE),
        ],
    )
    res = shop.search("silk saree", k=30, distinct=True)
    cards = [(h.product.id, h.variants) for h in res.hits if h.product.title == "Divya Printed Saree"]
    assert cards[0] == ("var-silk", 1) and len(cards) == 2  # the silk one and the unknown one are two cards


# A material the type has one of and other types have many of ("net saree": one net saree; net tops, mosquito nets)
NET_SHOP = [
    *SHOP,
    _p("sr-net", "Roshni Self Design Net Saree", SAREE),
    *[_p(f"top-net-{i}", f"Sarva Net Women's Top {i}", TOPS, attributes={"Fabric": "Net"}) for i in range(3)],
    *[_p(f"mn-{i}", f"Comfy Double Bed Mosquito Net {i}", ["Home Furnishing", "Mosquito Nets"]) for i in range(2)],
]


@pytest.fixture(scope="module")
def net_shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("net"), embedder, NET_SHOP)


@pytest.mark.parametrize("distinct", [False, True])
def test_few_of_the_material_in_the_type_then_the_types_other_materials_not_other_types(net_shop, distinct):
    res = net_shop.search("net saree", k=10, distinct=distinct)
    got = ids(res)
    unknown = {"sr-brand-silk", "sr-brand-cotton", "sr-plain"}
    known_other = {"sr-silk", "sr-art", "sr-blend", "sr-cotton", "sr-geo", "sr-spec"}
    assert got[0] == "sr-net"  # the one net saree first
    assert set(got[1:4]) == unknown  # sarees that do not say their material next
    assert set(got[4:10]) == known_other  # then the sarees of other materials: no net top, no mosquito net
    assert res.preferences.get("material") == "net" and res.filters.as_dict() == {}  # still a preference
    assert res.notice == "Only 1 Saree in net and 3 that do not say their material; showing other Sarees after them."
    more = ids(net_shop.search("net saree", k=14, distinct=distinct))
    assert more[:10] == got and all(not p.startswith("sr-") for p in more[10:])  # other types only after them


def test_a_page_the_matches_fill_says_nothing_and_shows_no_other_material(net_shop):
    res = net_shop.search("net saree", k=4)  # the net saree and the 3 of unknown material
    assert ids(res)[0] == "sr-net" and set(ids(res)[1:]) == {"sr-brand-silk", "sr-brand-cotton", "sr-plain"}
    assert res.notice is None


def test_without_a_type_a_known_mismatch_never_shows(net_shop):
    res = net_shop.search("silk", k=40)  # no product type: the rule is unchanged
    got = ids(res)
    assert res.understanding is not None and not res.understanding.type_terms
    others = ("sr-cotton", "sr-geo", "sr-spec", "sr-net", "top-cot-0", "top-geo-0", "top-crepe-0", "top-net-0")
    assert not set(others) & set(got)
    assert {"sr-silk", "sr-art", "sr-blend", "top-silk-0"} <= set(got) and res.notice is None


# Colours keep "known mismatches never" (what a card's photo shows first): sarees whose colour is known, one red
COLOUR_SHOP = [
    *SHOP,
    _p("sr-red", "Kiran Printed Saree", SAREE, colour="Red"),
    *[_p(f"sr-{c}", f"Kiran Printed Saree {c.title()}", SAREE, colour=c.title()) for c in ("blue", "green")],
    *[_p(f"top-red-{i}", f"Ira Red Women's Top {i}", TOPS, colour="Red") for i in range(6)],
]


@pytest.fixture(scope="module")
def colour_shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("colour"), embedder, COLOUR_SHOP)


def test_a_colour_the_type_has_few_of_never_shows_its_other_colours(colour_shop):
    res = colour_shop.search("red saree", k=14)
    got = ids(res)
    assert got[0] == "sr-red" and all(p.startswith("sr-") for p in got[:10])  # red, then the 9 that do not say
    assert "sr-blue" not in got and "sr-green" not in got and res.notice is None


def test_a_colour_given_as_a_parameter_stays_hard(colour_shop):
    res = colour_shop.search("saree", k=12, filters=Filters(colour="red"))
    assert ids(res)[0] == "sr-red" and all(h.product.colour == "red" for h in res.hits)  # then red tops


def test_a_qualifier_written_with_its_material_names_a_blend_of_it():
    spec = [Product(id=f"t{i}", title="Top", attributes={"Fabric": v}) for i, v in enumerate(["Poly Crepe"] * 3)]
    spec += [Product(id=f"c{i}", title="Top", attributes={"Fabric": v}) for i, v in enumerate(["Cotton", "Crepe"] * 3)]
    mats = learn_materials(spec, QUERY_COLOURS)
    assert "poli" not in mats and "poly" in mats.qualifiers  # only ever before a material: it qualifies one
    sari = Product(id="s", title="Pavechas Printed Daily Wear Polycotton Sari")
    assert named_materials(sari, mats) == (True, frozenset({"cotton"}))  # part cotton: never another material
    assert blended(sari, "cotton")  # ... nor cotton in full
    top = Product(id="t", title="F&S Casual Women's Top", attributes={"Fabric": "Polycrepe"})
    assert "crepe" in named_materials(top, mats)[1] and blended(top, "crepe")
    pure = Product(id="p", title="Mahek Striped Cotton Sari")
    assert not blended(pure, "cotton")
    assert material_words({"cotton"}, {"poly"}).blend_of("polyester") is None  # "ester" is no material here


BLEND_SHOP = [
    _p("sr-cotton-1", "Mahek Striped Cotton Saree", SAREE),
    _p("sr-cotton-2", "Fashiondeal Printed Cotton Saree", SAREE),
    _p("sr-poly", "Pavechas Printed Daily Wear Polycotton Saree", SAREE),
    _p("sr-geo", "Kora Printed Georgette Saree", SAREE),
    _p("sr-silk", "Silka Woven Silk Saree", SAREE),
    *[_p(f"top-pc-{i}", f"Nia Solid Women's Top {i}", TOPS, attributes={"Fabric": "Poly Crepe"}) for i in range(3)],
    *[_p(f"top-cot-{i}", f"Ira Printed Women's Top {i}", TOPS, attributes={"Fabric": "Cotton"}) for i in range(3)],
    *[_p(f"top-geo-{i}", f"Uma Solid Women's Top {i}", TOPS, attributes={"Fabric": "Georgette"}) for i in range(3)],
    *[_p(f"top-silk-{i}", f"Vera Solid Women's Top {i}", TOPS, attributes={"Fabric": "Silk"}) for i in range(3)],
    *[_p(f"top-crepe-{i}", f"Lia Solid Women's Top {i}", TOPS, attributes={"Fabric": "Crepe"}) for i in range(3)],
]


def test_a_blend_is_a_partial_match_after_the_pure_and_before_other_materials(tmp_path, embedder):
    shop = shop_engine(tmp_path, embedder, BLEND_SHOP)
    res = shop.search("cotton saree", k=5)
    got = ids(res)
    assert set(got[:2]) == {"sr-cotton-1", "sr-cotton-2"} and got[2] == "sr-poly"  # after the pure cotton ones
    assert set(got[3:]) == {"sr-geo", "sr-silk"}  # the sarees of other materials after it
    assert "1 in a cotton blend" in (res.notice or "")  # not counted as cotton, nor as saying no material
    got = ids(shop.search("silk saree", k=5))
    assert got[0] == "sr-silk" and got.index("sr-poly") > 0  # a polycotton sari is no silk one: after it
    got = ids(shop.search("crepe top", k=6))
    assert {p for p in got if p.startswith("top-pc")}  # "Poly Crepe" tops are crepe tops too


def test_a_blend_written_apart_is_the_same_partial_match(tmp_path, embedder):
    apart = _p("sr-poly-2", "Kashvi Printed Daily Wear Poly Cotton Saree", SAREE)
    shop = shop_engine(tmp_path, embedder, [*BLEND_SHOP, apart])
    mats = shop.qvocab.materials
    assert "poly" in mats.blends  # the shop writes it glued to a material too ("Polycotton"): a blend's qualifier
    saree = Product(id="s", title=apart["title"])
    assert named_materials(saree, mats) == (True, frozenset({"cotton"})) and blended(saree, "cotton", mats)
    res = shop.search("cotton saree", k=6)
    got = ids(res)
    assert set(got[:2]) == {"sr-cotton-1", "sr-cotton-2"}  # cotton in full first
    assert set(got[2:4]) == {"sr-poly", "sr-poly-2"}  # then both blends, however written
    assert "2 in a cotton blend" in (res.notice or "")


def test_a_qualifier_never_glued_to_a_material_names_it_in_full():
    spec = [Product(id=f"w{i}", title="Wallet", attributes={"Material": "Genuine Leather"}) for i in range(3)]
    spec += [Product(id=f"l{i}", title="Belt", attributes={"Material": "Leather"}) for i in range(3)]
    mats = learn_materials(spec, QUERY_COLOURS)
    assert "genuine" in mats.qualifiers and not mats.blends  # "Genuine Leather" is leather, not part leather
    wallet = Product(id="w", title="Hide Genuine Leather Wallet")
    assert "leather" in named_materials(wallet, mats)[1] and not blended(wallet, "leather", mats)


def test_an_imitation_of_a_material_is_not_that_material():
    mats = material_words({"leather", "synthet", "fur", "cotton"}, ["genuine"])

    def read(title: str, **spec: str) -> tuple[bool, frozenset[str]]:
        return named_materials(Product(id="x", title=title, attributes=spec), mats)

    assert read("Hide PU Leather Wallet") == (True, frozenset())  # known: it says what it is, and it is no leather
    assert read("Belt", Material="Synthetic Leather") == (True, frozenset({"synthet"}))  # of synthetic, not leather
    assert read("Faux Fur Stole", Fabric="Cotton") == (True, frozenset({"cotton"}))
    assert "leather" in read("Belt", Material="Leather, Synthetic Leather")[1]  # leather named alone as well
    assert "leather" in read("Hide Genuine Leather Wallet")[1]  # a qualifier that is no imitation names it in full
    assert "leather" not in title_materials(Product(id="x", title="Artificial Leather Clutch"), mats)


IMITATION_SHOP = [
    *[_p(f"w-gen-{i}", f"Hide Men's Wallet {i}", WALLET, attributes={"Material": "Genuine Leather"}) for i in range(3)],
    *[_p(f"w-pu-{i}", f"Lino Men's PU Leather Wallet {i}", WALLET) for i in range(2)],
    _p("w-plain", "Canto Men's Wallet", WALLET),
    *[_p(f"b-{i}", f"Vermello Leather Belt {i}", ["Bags, Wallets & Belts", "Belts"]) for i in range(2)],
]


def test_a_search_for_a_material_shows_its_imitations_after_the_type_matches_and_unknowns(tmp_path, embedder):
    shop = shop_engine(tmp_path, embedder, IMITATION_SHOP)
    res = shop.search("leather wallet", k=6, distinct=False)
    got = ids(res)
    assert set(got[:3]) == {"w-gen-0", "w-gen-1", "w-gen-2"} and got[3] == "w-plain"  # leather, then unknown
    assert set(got[4:6]) == {"w-pu-0", "w-pu-1"}  # PU leather wallets: of the type, but no leather ones
    belts = ids(shop.search("leather belt", k=4, distinct=False))
    assert not {p for p in belts if p.startswith("w-pu")}  # another type known to be of no leather never shows


@pytest.mark.parametrize("query", ["saree cotton", "women's saree cotton", "saree cotton red"])
def test_a_material_said_after_the_kind_leaves_the_kind_asked(shop, query):
    # the noun of "saree cotton" is the saree: the material after it is no kind, and no type is lost for it
    u = shop.understand(query)
    assert u.product_type is not None and "sare" in u.type_terms and u.material == "cotton", u
