"""Complete the look: slot rules, compatibility, device fit, co-purchase learning, diversity, profile.

Real embedder, real indexes: the tiny Flipkart catalog (`engine`), a cut of the bundled fashion
catalog (Myntra rows, unchanged) and a cut of real Flipkart-20k phone-accessory rows.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from assistant.looks.compat import check, features, violations
from assistant.looks.copurchase import CoPurchase, reorder_slots, slot_lift
from assistant.looks.outfits import complete_the_look, outfit_index
from assistant.looks.rules import OutfitRules
from assistant.search.engine import SearchEngine
from assistant.settings import ROOT
from index.build import build_index
from index.catalog import Mapping
from index.store import load_index

FASHION_CSV = ROOT / "data" / "catalog" / "fashion" / "styles_named_5k.csv"
FASHION_MAPPING = ROOT / "data" / "catalog" / "fashion.mapping.json"
FLIPKART_20K = ROOT / "data" / "catalog" / "flipkart-20k.csv"
FLIPKART_MAPPING = ROOT / "data" / "catalog" / "flipkart.mapping.json"
ACCESSORY_SLOTS = {"belt", "watch", "bag", "jewellery", "eyewear", "wallet", "tie", "headwear"}

FASHION_GROUPS = {
    ("Men", "Shirts"),
    ("Men", "Trousers"),
    ("Men", "Jeans"),
    ("Men", "Track Pants"),
    ("Men", "Shorts"),
    ("Men", "Tshirts"),
    ("Men", "Formal Shoes"),
    ("Men", "Sports Shoes"),
    ("Men", "Casual Shoes"),
    ("Men", "Belts"),
    ("Men", "Watches"),
    ("Men", "Ties"),
    ("Women", "Tops"),
    ("Women", "Dresses"),
    ("Women", "Heels"),
    ("Women", "Flats"),
    ("Women", "Handbags"),
    ("Women", "Earrings"),
    ("Women", "Jeans"),
    ("Women", "Skirts"),
    ("Unisex", "Sunglasses"),
    ("Unisex", "Backpacks"),
}


@pytest.fixture(scope="module")
def rules() -> OutfitRules:
    return OutfitRules.load()


def _by_title(products, title):
    return next(p for p in products if p.title == title)


def _engine_over(rows: list[dict], header: list[str], tmp: Path, mapping: Path, embedder) -> SearchEngine:
    csv_path = tmp / "catalog.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    build_index(csv_path, tmp / "index", embedder, Mapping.load(mapping))
    return SearchEngine(load_index(tmp / "index", embedder.name, embedder.dim), embedder)


@pytest.fixture(scope="module")
def fashion(tmp_path_factory, embedder) -> SearchEngine:
    """Up to 3 real rows of each (gender, articleType, usage) group of interest: 123 products."""
    with FASHION_CSV.open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header, rows = list(reader.fieldnames or []), list(reader)
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: int(r["id"])):
        if (r["gender"], r["articleType"]) in FASHION_GROUPS:
            groups[(r["gender"], r["articleType"], r["usage"])].append(r)
    cut = [r for g in groups.values() for r in g[:3]]
    return _engine_over(cut, header, tmp_path_factory.mktemp("fashion"), FASHION_MAPPING, embedder)


@pytest.fixture(scope="module")
def devices(tmp_path_factory, embedder) -> SearchEngine:
    """Real Flipkart-20k rows of phone accessories naming Xiaomi, Lenovo or Micromax devices, plus headphones."""
    with FLIPKART_20K.open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        cut = []
        for r in reader:
            tree, name = r["product_category_tree"], r["product_name"].lower()
            if "Mobile Accessories" in tree and (
                "xiaomi" in name or " mi " in name or "lenovo" in name or "micromax" in name or "Headphones" in tree
            ):
                cut.append(r)
    assert 20 <= len(cut) <= 150, len(cut)
    return _engine_over(cut, header, tmp_path_factory.mktemp("devices"), FLIPKART_MAPPING, embedder)


# ---- rules -------------------------------------------------------------------------------------


def test_slot_classifier_reads_types_categories_and_titles(tiny_products, rules):
    slot = {p.title: rules.slot_of(p) for p in tiny_products}
    assert slot["Van Heusen Men's Printed Party Shirt"] == "top"
    assert slot["Wrangler Skanders Fit Men's Jeans"] == "bottom"
    assert slot["Leather King Blake Black Lace Up"] == "footwear"  # from the category: "Formal Shoes"
    assert slot["Ligans NY Men Formal Black Genuine Leather Belt"] == "belt"
    assert slot["YNA Aviator Sunglasses"] == "eyewear"
    assert slot["DailyObjects Back Cover for Apple iPad 2/3/4"] == "case"
    assert slot["Newworld RTNE Pack Of One -583 Tempered Glass for Xiaomi Mi 4i"] == "screen_guard"
    assert slot["Fasense Women's Nighty"] == "sleepwear"  # not a dress
    assert slot["AKUP keep-calm Ceramic Mug"] is None


def test_palette_occasion_and_device_rules(rules, tiny_products):
    assert rules.colour_verdict("red", "pink")[0] is False
    assert rules.colour_verdict("red", "black") == (True, "neutral colour")
    assert rules.colour_verdict("blue", "beige")[0] is True
    assert rules.occasion_match(frozenset({"formal"}), frozenset({"sports"}))[0] is False
    assert rules.occasion_match(frozenset({"formal"}), frozenset({"party"}))[0] is True
    assert rules.occasion_match(frozenset(), frozenset({"sports"}))[0] is True  # unknown is not a clash
    assert rules.season_ok("summer", "winter") is False and rules.season_ok("summer", "fall") is True
    guard = _by_title(tiny_products, "Newworld RTNE Pack Of One -583 Tempered Glass for Xiaomi Mi 4i")
    mini = _by_title(tiny_products, "DailyObjects Back Cover for Apple iPad Mini/Retina Display")
    sleeve = _by_title(tiny_products, "Theskinmantra Sleeve for All versions of Apple ipad")
    charger = _by_title(tiny_products, "D'clair Micromax Canvas Play 4G Q469 Battery Charger")
    assert rules.device_of(guard)[0] == {"mi", "4i"}
    assert rules.device_of(charger)[0] == {"canvas", "play", "4g", "q469"}
    assert rules.device_ok(rules.device_of(sleeve)[0], rules.device_of(mini)[0])  # every iPad fits
    assert not rules.device_ok(rules.device_of(guard)[0], rules.device_of(charger)[0])


# ---- the look on the tiny Flipkart catalog -------------------------------------------------------


def test_mens_shirt_gets_bottom_footwear_and_accessory(engine, rules):
    shirt = _by_title(engine.products, "Van Heusen Men's Printed Party Shirt")
    look = complete_the_look(engine, [shirt], k=2)
    slots = [s.slot for s in look.slots]
    assert "bottom" in slots and "footwear" in slots and ACCESSORY_SLOTS & set(slots), slots
    for s in look.slots:
        assert 1 <= len(s.items) <= 2
        for it in s.items:
            p = it.product
            assert p.gender in ("men", "unisex"), (s.slot, p.title, p.gender)
            assert rules.slot_of(p) != "top" and p.product_type != shirt.product_type
            assert p.in_stock and p.id != shirt.id
            assert it.why.startswith(f"goes with: {shirt.title}")
            assert violations(rules, shirt, p, s.slot) == it.relaxed


def test_formal_anchor_gets_no_sportswear(engine, rules):
    shirt = _by_title(engine.products, "Fashion Tree Men's Solid Formal Shirt")
    oi = outfit_index(engine)
    sports_shoes = [
        oi.products[r]
        for r in oi.pools["footwear"]
        if "sports" in oi.features[r].occasions and oi.products[r].gender == "men"
    ]
    assert sports_shoes, "the tiny catalog has men's sports shoes the rule must keep out"
    look = complete_the_look(engine, [shirt], k=5)
    items = [it.product for s in look.slots for it in s.items]
    assert any(rules.slot_of(p) == "footwear" for p in items)
    assert not [p.title for p in items if "sports" in rules.occasions_of(p)]


def test_phone_accessory_gets_only_accessories_that_fit_its_device(engine, rules):
    # The bundled catalog sells no phones: the anchor is a real accessory that names its phone.
    guard = _by_title(engine.products, "Newworld RTNE Pack Of One -583 Tempered Glass for Xiaomi Mi 4i")
    oi = outfit_index(engine)
    foreign = [oi.products[r].title for r in oi.pools["charger"] if oi.features[r].device]
    assert len(foreign) >= 5  # chargers made for other phones are in stock in a complementary slot...
    look = complete_the_look(engine, [guard], k=5)
    items = [(s.slot, it.product) for s in look.slots for it in s.items]
    assert items and all(slot in rules.device_slots for slot, _ in items)
    for _slot, p in items:  # ...and none of them is offered
        assert p.title not in foreign
        assert rules.device_ok(rules.device_of(guard)[0], (rules.device_of(p) or (None,))[0])


def test_phone_accessories_matching_the_device_come_first(devices, rules):
    guard = _by_title(devices.products, "Newworld RTNE Pack Of One -583 Tempered Glass for Xiaomi Mi 4i")
    look = complete_the_look(devices, [guard], k=3)
    by_slot = {s.slot: s.items for s in look.slots}
    assert "headphones" in by_slot
    first = by_slot["headphones"][0]
    assert "Mi 4i" in first.product.title and "fits Xiaomi Mi 4i" in first.why
    for s in look.slots:
        for it in s.items:
            dev = rules.device_of(it.product)
            assert dev is None or rules.device_ok(frozenset({"mi", "4i"}), dev[0]), it.product.title


def test_copurchase_events_reorder_and_extend_the_slots(engine):
    shirt = _by_title(engine.products, "Van Heusen Men's Printed Party Shirt")
    belt = _by_title(engine.products, "Vermello Men Casual Brown Genuine Leather Belt")
    shades = _by_title(engine.products, "YNA Aviator Sunglasses")
    dress = _by_title(engine.products, "Just In Time Fashions Women's A-line Dress")
    boots = _by_title(engine.products, "Shuz Touch Boots")
    before = [s.slot for s in complete_the_look(engine, [shirt], k=1).slots]
    assert before.index("bottom") < before.index("belt") and "eyewear" not in before
    pairs = [(shirt.id, belt.id, 6), (shirt.id, shades.id, 5), (dress.id, boots.id, 6)]
    look = complete_the_look(engine, [shirt], k=1, copurchase=pairs)
    after = [s.slot for s in look.slots]
    assert after.index("belt") < after.index("bottom"), after  # shoppers buy the belt with it
    assert "eyewear" in after  # a slot the editorial map lacks, learned from the log
    belt_item = next(s.items[0] for s in look.slots if s.slot == "belt")
    assert belt_item.product.id == belt.id and "often bought together" in belt_item.why


def test_slot_lift_is_lift_over_chance():
    lift = slot_lift([("top", "belt", 6), ("dress", "footwear", 6), ("watch", "wallet", 6), ("top", "top", 9)])
    assert lift[("belt", "top")] == (pytest.approx(6.0), 6)  # 6 seen vs 2·(1/6)·(1/6)·18 = 1 expected
    cp = CoPurchase(lift=lift)
    base = ["bottom", "footwear", "belt"]
    assert reorder_slots(base, "top", cp)[0] == "belt"
    assert reorder_slots(base, "top", None) == base


def test_cart_look_skips_slots_the_cart_fills_and_suits_every_item(engine, rules):
    shirt = _by_title(engine.products, "Van Heusen Men's Printed Party Shirt")
    jeans = _by_title(engine.products, "Wrangler Skanders Fit Men's Jeans")
    look = complete_the_look(engine, [shirt, jeans], k=2)
    slots = [s.slot for s in look.slots]
    assert slots and "top" not in slots and "bottom" not in slots
    for s in look.slots:
        for it in s.items:
            for a in (shirt, jeans):
                if s.slot in rules.complements_of(rules.slot_of(a)):
                    hard, _, _ = check(rules, features(a, rules), features(it.product, rules), s.slot)
                    assert not hard, (a.title, it.product.title, hard)


def test_no_two_items_of_a_look_are_near_identical(engine):
    dress = _by_title(engine.products, "Just In Time Fashions Women's A-line Dress")
    oi = outfit_index(engine)
    ring_titles = [oi.products[r].title for r in oi.pools["jewellery"]]
    assert len(ring_titles) > len(set(ring_titles))  # the catalog repeats titles (colour/size variants)
    look = complete_the_look(engine, [dress], k=5)
    items = [it.product for s in look.slots for it in s.items]
    assert len({p.title for p in items}) == len(items)
    vecs = np.stack([oi.vectors[oi.id_to_row[p.id]] for p in items])
    sims = vecs @ vecs.T - np.eye(len(items)) * 2
    assert sims.max() < 0.97


def test_clash_is_only_accepted_when_no_alternative_exists(engine, rules):
    dress = _by_title(engine.products, "Just In Time Fashions Women's A-line Dress")  # red
    look = complete_the_look(engine, [dress], k=3)
    oi = outfit_index(engine)
    a = features(dress, rules)
    for s in look.slots:
        for it in s.items:
            if "colour" in it.relaxed:
                assert "colours may clash" in it.why
                others = [
                    r
                    for r in oi.pools[s.slot]
                    if not check(rules, a, oi.features[r], s.slot)[0]
                    and "colour" not in check(rules, a, oi.features[r], s.slot)[1]
                ]
                assert not others, [oi.products[r].title for r in others]


def test_profile_pulls_its_style_to_the_front(engine):
    shirt = _by_title(engine.products, "Van Heusen Men's Printed Party Shirt")
    oi = outfit_index(engine)
    watches = lambda look: [it.product.id for s in look.slots if s.slot == "watch" for it in s.items]
    plain = watches(complete_the_look(engine, [shirt], k=3))
    liked = next(pid for pid in plain[1:])  # a watch the shopper's history points to
    profile = oi.vectors[oi.id_to_row[liked]].copy()
    assert watches(complete_the_look(engine, [shirt], k=3, profile=profile))[0] == liked


# ---- the fashion catalog (gender/articleType/colour/season/usage columns, mapping only) ------------


def test_fashion_catalog_loads_through_the_mapping(fashion, rules):
    p = fashion.products[0]
    assert p.gender in ("men", "women", "unisex") and p.product_type and p.attributes.get("usage")
    assert p.attributes.get("season") and len(p.category) == 3


def test_fashion_mens_formal_shirt_look(fashion, rules):
    shirts = [
        p
        for p in fashion.products
        if p.product_type == "Shirts" and p.gender == "men" and p.attributes.get("usage") == "Formal"
    ]
    assert shirts
    sports_pool = [
        p
        for p in fashion.products
        if p.attributes.get("usage") == "Sports" and p.gender == "men" and rules.slot_of(p) in ("footwear", "bottom")
    ]
    assert sports_pool
    for shirt in shirts:
        look = complete_the_look(fashion, [shirt], k=3)
        slots = {s.slot for s in look.slots}
        assert {"bottom", "footwear"} <= slots and slots & ACCESSORY_SLOTS, slots
        for s in look.slots:
            for it in s.items:
                p = it.product
                assert p.gender in ("men", "unisex") and p.product_type != "Shirts"
                assert p.attributes.get("usage") != "Sports", (shirt.title, p.title)
                assert violations(rules, shirt, p, s.slot) == it.relaxed


def test_fashion_clashing_colours_avoided_where_an_alternative_exists(fashion, rules):
    oi = outfit_index(fashion)
    forced = 0
    coloured = [p for p in fashion.products if oi.features[oi.id_to_row[p.id]].colour not in rules.neutrals | {None}]
    for anchor in coloured[:24]:
        a = oi.features[oi.id_to_row[anchor.id]]
        look = complete_the_look(fashion, [anchor], k=1)
        for s in look.slots:
            pick = s.items[0]
            compliant = [
                r
                for r in oi.pools[s.slot]
                if r != oi.id_to_row[anchor.id] and not check(rules, a, oi.features[r], s.slot)[0]
            ]
            clash_free = [r for r in compliant if "colour" not in check(rules, a, oi.features[r], s.slot)[1]]
            if clash_free:
                assert "colour" not in pick.relaxed, (anchor.title, pick.product.title)
                best = max(compliant, key=lambda r: float(oi.vectors[r] @ oi.vectors[oi.id_to_row[anchor.id]]))
                forced += "colour" in check(rules, a, oi.features[best], s.slot)[1]
    assert forced > 0  # the nearest compliant item clashed at least once: the rule changed the pick


def test_learned_pairs_link_types_the_map_does_not_know(engine):
    mug = _by_title(engine.products, "AKUP keep-calm Ceramic Mug")
    burner = _by_title(engine.products, "Myesquire Ceramic Coffee Burner Pot Lemongrass Liquid Air Freshener")
    assert complete_the_look(engine, [mug]).slots == []  # no rule says what completes a mug
    shirt = _by_title(engine.products, "Van Heusen Men's Printed Party Shirt")
    belt = _by_title(engine.products, "Vermello Men Casual Brown Genuine Leather Belt")
    look = complete_the_look(engine, [mug], copurchase=[(mug.id, burner.id, 4), (shirt.id, belt.id, 4)])
    assert [s.slot for s in look.slots] == [f"type:{burner.product_type.lower()}"]
    assert look.slots[0].items[0].product.id == burner.id


def test_exclude_patterns_keep_camera_chargers_out_of_phone_slots(rules):
    from index.catalog import row_to_product

    mapping = Mapping.load(FLIPKART_MAPPING)
    with FLIPKART_20K.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["product_name"].startswith(("Pearstone NP-95", "OASIS WALLCHARGER"))]
    camera = row_to_product(next(r for r in rows if r["product_name"].startswith("Pearstone")), mapping, "20k", 0)
    phone = row_to_product(next(r for r in rows if r["product_name"].startswith("OASIS")), mapping, "20k", 0)
    assert "Camera" in camera.category_path and rules.slot_of(camera) is None
    assert rules.slot_of(phone) == "charger"
