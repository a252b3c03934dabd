"""A notice says what was relaxed (the price, the type, the device), each claim checked against the whole catalog:
never that the shop has none of a type it has, and none when the page shows what was asked. A small shop
written here, real model, real index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.search.engine import SearchEngine
from index.build import build_index
from index.catalog import Mapping
from index.store import load_index

PERFUMES = ["Beauty and Personal Care", "Fragrances", "Perfumes"]
DEOS = ["Beauty and Personal Care", "Fragrances", "Deodorants", "Combos"]
BACKPACKS = ["Bags, Wallets & Belts", "Bags", "Backpacks"]
SCHOOL = ["Kids", "School Supplies"]
COVERS = ["Mobiles & Accessories", "Mobile Accessories", "Cases & Covers"]
KURTI_SHELF = "Ethnic Prints"
POUCHES = ["Mobiles & Accessories", "Mobile Accessories", "Mobile Pouches"]
SHOP = [
    *[
        {"id": f"pf-{i}", "title": f"Aroma{i} Eau de Parfum Perfume - 100 ml", "cat": PERFUMES, "price": 387 + 100 * i}
        for i in range(4)
    ],
    *[
        {"id": f"deo-{i}", "title": f"Fresh{i} Deodorant Combo Set", "cat": DEOS, "price": 199 + 20 * i}
        for i in range(6)
    ],
    # the shop shelves backpacks; a child's backpack sits on a school-supplies shelf, only its title says backpack
    *[{"id": f"bp-{i}", "title": f"Trail{i} Laptop Backpack", "cat": BACKPACKS, "price": 1500 + i} for i in range(3)],
    {"id": "bp-school", "title": "Skybags Kids School Backpack", "cat": SCHOOL, "price": 450},
    {"id": "pencil-box", "title": "Skybags Kids Pencil Box", "cat": SCHOOL, "price": 150},
    # covers for the J7 cost 199 and more; a cheaper cover is for another phone
    *[
        {"id": f"j7-{i}", "title": f"Case{i} Back Cover for Samsung Galaxy J7", "cat": COVERS, "price": 199 + 50 * i}
        for i in range(3)
    ],
    {"id": "ip-1", "title": "Case9 Back Cover for Apple iPhone 6", "cat": COVERS, "price": 99},
    # pouches made for no one device: of the type asked, ranked above the covers for the J7; their maker's own
    # shelf is deepest (as the bundled catalog's "kits kart Mobile Pouches"), which no notice names
    *[
        {
            "id": f"pouch-{i}",
            "title": f"Kitskart Carry{i} Mobile Pouch",
            "cat": [*POUCHES, "Kitskart Mobile Pouches"],
            "brand": "Kitskart",
            "price": 149,
        }
        for i in range(10)
    ],
    # a purpose titles write after "for"; kurtis on a shelf below "Kurtis" named otherwise
    *[
        {"id": f"ku-{i}", "title": f"Rang{i} Women's Kurti", "cat": ["Clothing", "Kurtis", "Ethnic Prints"]}
        for i in range(4)
    ],
    *[{"id": f"of-{i}", "title": f"Exec{i} Leather Bag for Office", "cat": ["Bags", "Office Bags"]} for i in range(2)],
    # phones are a kind the shop sells; two stands say "for Phone", no cover does
    *[{"id": f"ph-{i}", "title": f"Lava A{i} Mobile", "cat": ["Mobiles", "Phones"]} for i in range(2)],
    *[
        {"id": f"st-{i}", "title": f"Grip{i} Stand for Phone", "cat": ["Mobiles & Accessories", "Stands"]}
        for i in range(2)
    ],
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    d = tmp_path_factory.mktemp("notices")
    rows = [{**{k: v for k, v in p.items() if k != "cat"}, "category": p["cat"]} for p in SHOP]
    catalog = d / "shop.jsonl"
    catalog.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    build_index(catalog, d / "index", embedder, Mapping())
    return SearchEngine(load_index(Path(d / "index"), embedder.name, embedder.dim), embedder)


def test_a_price_that_leaves_none_of_the_type_is_blamed_not_the_type(shop):
    res = shop.search("perfume under 300", k=10)
    assert res.hits and all(h.product.price <= 300 for h in res.hits)
    # the shop has perfumes: the notice names the price and the cheapest, never "no perfumes in this shop"
    assert res.notice and "under 300" in res.notice and "387" in res.notice, res.notice
    assert "in this shop" not in res.notice
    assert "showing other Fragrances under 300" in res.notice  # what is shown instead: the type's own shelf
    over = shop.search("deodorant over 1000", k=10).notice
    assert over and "over 1000" in over and "299" in over and "in this shop" not in over, over


def test_a_product_whose_title_names_the_type_is_of_it_for_the_notice(shop):
    res = shop.search("backpack under 500", k=10)
    assert [h.product.id for h in res.hits][:1] == ["bp-school"]
    assert res.notice is None, res.notice  # a backpack is on the page: no "no Backpacks" claim


def test_a_device_the_shop_has_products_for_is_not_said_to_have_none(shop):
    res = shop.search("back cover for samsung galaxy j7 under 150", k=10)
    assert res.notice and "samsung galaxy j7 under 150" in res.notice and "199" in res.notice, res.notice
    assert "in this shop" not in res.notice


def test_a_device_with_products_but_none_of_the_type_is_said_as_such(shop):
    res = shop.search("pouch for samsung galaxy j7", k=10)
    assert res.hits and all(h.product.id.startswith("pouch-") for h in res.hits)
    # covers for the J7 exist, so not "nothing made for samsung galaxy j7": no pouch is made for it
    assert res.notice and res.notice.startswith("No pouch made for samsung galaxy j7"), res.notice
    assert res.notice.endswith("; showing other Mobile Pouches instead."), res.notice  # the type's own shelf


def test_a_purpose_none_of_the_type_is_made_for_shows_the_type_and_says_so(shop):
    # bags are made "for Office" here; no kurti says it is: the page shows kurtis, shelved as "Ethnic Prints"
    # under "Kurtis", and the notice calls them kurtis
    res = shop.search("kurti for office", k=4)
    assert res.hits and all(h.product.id.startswith("ku-") for h in res.hits)
    assert res.notice == "No Kurtis made for office; showing other Kurtis instead.", res.notice


def test_the_page_that_fits_carries_no_notice(shop):
    for query in ("perfume", "perfume under 500", "back cover for samsung galaxy j7", "laptop backpack"):
        assert shop.search(query, k=10).notice is None, query


def test_a_count_of_a_shelf_agrees_with_its_noun():
    from assistant.search.notices import _some

    assert _some(1, "Sarees") == "1 Saree" and _some(3, "Sarees") == "3 Sarees"
    assert _some(1, "Wrist Watches") == "1 Wrist Watch" and _some(0, "Casual Shoes") == "0 Casual Shoes"


HEADPHONES = ["Mobiles & Accessories", "Mobile Accessories", "Headphones"]
SKINS = ["Computers", "Laptop Accessories", "Laptop Skins"]
BATTERIES = ["Cameras & Accessories", "Camera Accessories", "Batteries"]
MAKERS = [
    *[
        {"id": f"hp-{i}", "title": f"{b} Stereo Dynamic Wired Headphones", "brand": b, "category": HEADPHONES}
        for i, b in enumerate(["Ace", "Boom", "Silco", "Naxa"])
    ],
    # Sony makes batteries here, no headphones; other makers' products are made for Sony phones
    *[
        {"id": f"sony-{i}", "title": f"Sony NH-AA {i} Rechargeable Battery", "brand": "Sony", "category": BATTERIES}
        for i in range(2)
    ],
    *[{"id": f"cv-{i}", "title": f"Case{i} Back Cover for Sony Xperia Z3", "category": COVERS} for i in range(4)],
    # an accessory whose title names the maker and the type: neither Sony's nor headphones
    {"id": "skin", "title": "PRINT SHAPES Sony headphone Laptop Skin", "brand": "PRINT SHAPES", "category": SKINS},
]


def test_a_maker_with_none_of_the_type_asked_shows_the_type_and_says_so(tmp_path, embedder):
    rows = [{**p, "price": 499} for p in MAKERS]
    catalog = tmp_path / "shop.jsonl"
    catalog.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    build_index(catalog, tmp_path / "index", embedder, Mapping())
    shop = SearchEngine(load_index(tmp_path / "index", embedder.name, embedder.dim), embedder)
    u = shop.understand("sony headphones")
    assert u.product_type == "Headphones" and u.brand == "Sony"
    res = shop.search("sony headphones", k=5)
    assert {h.product.id for h in res.hits[:4]} == {"hp-0", "hp-1", "hp-2", "hp-3"}  # real headphones first
    assert res.notice and "no sony headphones" in res.notice.lower()
    said = shop.search("sony battery", k=3).notice  # Sony makes those: nothing missing to say, only how few
    assert said == "Only 2 Batteries in this shop; showing other products after them.", said


def test_a_kind_of_device_no_cover_names_is_not_said_to_have_none(shop):
    # "cover for phone": covers are made for phones by model, none "for Phone": "No Covers made for phone" was false
    u = shop.understand("back cover for phone")
    assert u.compatible_with == "phone" and u.compat_kind, u
    assert not shop.understand("kurti for office").compat_kind  # a purpose, no kind of thing: its notice stays
    notice = shop.search("back cover for phone", k=4).notice or ""
    assert "made for phone" not in notice.lower(), notice


def test_the_made_for_notice_is_not_said_of_a_kind_of_device():
    """notice_for alone: no cover shown is made for the device asked; for a model that is said, for a kind of device
    the shop sells ("for phone", whose covers are made for phones by model) it is not."""
    import numpy as np

    from assistant.search.notices import Shop, notice_for
    from assistant.search.query import Filters
    from assistant.search.ranking import Tiers
    from assistant.search.understand import Understanding
    from index.catalog import Product

    products = [
        Product(id=f"c{i}", title=f"Case{i} Back Cover for Samsung Galaxy J7", category=COVERS) for i in range(3)
    ]
    shop = Shop(lambda f: None, np.full(3, 199.0), products)

    def said(device: str, kind: bool) -> str | None:
        tiers = Tiers()
        tiers.add("type", np.ones(3, dtype=bool), 1.0)
        tiers.add("compatible", np.zeros(3, dtype=bool), 0.5)  # none of them is made for the device asked
        u = Understanding(
            text=f"back cover for {device}",
            search_text=f"back cover for {device}",
            dense_text=f"back cover for {device}",
            product_type="Covers",
            type_terms=("cover",),
            compatible_with=device,
            compat_terms=(device,),
            compat_kind=kind,
        )
        return notice_for(u, Filters(), tiers, [0, 1, 2], [], shop)

    assert "made for redmi" in (said("redmi", False) or "").lower()
    assert said("phone", True) is None
