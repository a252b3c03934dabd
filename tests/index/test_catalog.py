"""Catalog loading: mapping, messy real fields, bad rows with line numbers, strict mode."""

from __future__ import annotations

import json

import pytest

from index.attributes import derive_colour, derive_gender
from index.catalog import CatalogError, Mapping, load_catalog, parse_category, parse_price, parse_specs


def test_tiny_catalog_loads_with_mapping(tiny_products):
    assert len(tiny_products) > 200
    shorts = next(p for p in tiny_products if p.id == "0973b37acd0c664e3de26e97e5571454")
    assert shorts.title == "Alisha Solid Women's Cycling Shorts"
    assert shorts.category[:2] == ["Clothing", "Women's Clothing"]
    assert shorts.price == 267.0 and shorts.list_price == 699.0 and shorts.currency == "INR"
    assert shorts.gender == "women"
    assert shorts.attributes["Fabric"] == "Cotton Lycra"  # from the Ruby-hash specifications
    assert shorts.image_url.startswith("http://img5a.flixcart.com/")
    assert all(p.id and p.title for p in tiny_products)


def test_messy_fields_are_parsed():
    assert parse_price("₹1,299.00") == 1299.0
    assert parse_price("Rs. 999") == 999.0
    assert parse_price("") is None
    with pytest.raises(ValueError):
        parse_price("call us")
    assert parse_category('["Clothing >> Men\'s Clothing >> Shirts >> Formal Shi..."]') == [
        "Clothing",
        "Men's Clothing",
        "Shirts",
        "Formal Shi",
    ]
    assert parse_specs('{"product_specification"=>[{"key"=>"Fabric", "value"=>"Cotton"}, {"value"=>"x"}]}') == {
        "Fabric": "Cotton"
    }
    assert parse_specs('{"Fabric": "Linen"}') == {"Fabric": "Linen"}


def test_derived_attributes_follow_documented_rules():
    assert derive_gender("Fashion Tree Men's Solid Formal Shirt", [], {}) == "men"
    assert derive_gender("Women's Kurta", [], {"Ideal For": "Men's"}) == "men"  # the spec wins
    assert derive_gender("Socks", ["Clothing", "Kids' Clothing", "Girls Wear"], {}) == "girls"
    assert derive_gender("Couple watch for men and women", [], {}) == "unisex"
    # infants of either sex are babies, not everyone: "unisex" put infants' shorts first for "shorts for men"
    assert derive_gender("Zero Printed Baby Boy's, Baby Girl's Basic Shorts", [], {}) == "baby"
    assert derive_gender("Via Italia Baby Girl's Gathered Dress", ["Baby Care"], {}) == "girls"  # a daughter's too
    assert derive_gender("Walking Shoes", ["Footwear", "Kids' & Infant Footwear", "For Boys"], {}) == "boys"
    assert derive_gender("O Baby Women's Printed Top & Shorts Set", [], {}) == "women"  # "O Baby": the maker
    # children of either sex are kids, not everyone: "unisex" put a kids' watch among "watches for men"
    assert derive_gender("Kool Kidz Analog Watch - For Girls, Boys", [], {}) == "kids"
    assert derive_gender("Fastrack Analog Watch - For Men, Women, Boys, Girls", [], {}) == "unisex"
    assert derive_colour("Ajaero Women's Maxi Red Dress", {}, "") == "red"
    assert derive_colour("X", {"Color": "Navy Blue"}, "") == "blue"
    assert derive_colour("Orange and Orchid Striped Polo", {}, "", brand="Orange and Orchid") is None
    title = "Fashion Tree Men's Solid Formal Shirt"
    assert derive_colour(title, {}, f"{title} - Buy Purple {title} For Only Rs. 999 Online") == "purple"


def _write(path, rows, header):
    import csv

    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def test_bad_rows_reported_with_line_numbers(tmp_path):
    cat = tmp_path / "shop.csv"
    _write(
        cat,
        [
            ["a1", "Blue Shirt", "10"],
            ["", "No id", "5"],
            ["a3", "", "5"],
            ["a1", "Dup", "3"],
            ["a5", "Odd price", "call us"],
            ["a6", "Good", "€7.50"],
        ],
        ["sku", "name", "price"],
    )
    mapping = Mapping(columns={"id": "sku", "title": "name"})
    report = load_catalog(cat, mapping)
    assert [p.id for p in report.products] == ["a1", "a6"]
    assert report.products[1].price == 7.5
    got = {(e.line, e.reason.split(":")[0]) for e in report.skipped}
    assert got == {(3, "missing id"), (4, "missing title"), (5, "duplicate id"), (6, "unparseable price")}
    assert all(str(cat) in str(e) for e in report.skipped)
    with pytest.raises(CatalogError) as exc:
        load_catalog(cat, mapping, strict=True)
    assert exc.value.line == 3 and "missing id" in str(exc.value)


def test_jsonl_with_mapping_file(tmp_path):
    cat = tmp_path / "shop.jsonl"
    cat.write_text(
        json.dumps({"sku": "x1", "name": "Red Dress", "cost": "$40", "cat": "Women > Dresses"}) + "\n" + "{not json}\n"
    )
    mp = tmp_path / "mapping.json"
    mp.write_text(
        json.dumps(
            {
                "columns": {"id": "sku", "title": "name", "price": "cost", "category": "cat"},
                "category_separator": ">",
                "currency": "USD",
            }
        )
    )
    report = load_catalog(cat, Mapping.load(mp))
    (p,) = report.products
    assert (p.id, p.price, p.currency, p.category, p.colour) == ("x1", 40.0, "USD", ["Women", "Dresses"], "red")
    assert report.skipped[0].line == 2 and "invalid JSON" in report.skipped[0].reason


def test_mapping_with_unknown_field_is_refused(tmp_path):
    mp = tmp_path / "m.json"
    mp.write_text(json.dumps({"columns": {"colour_code": "x"}}))
    with pytest.raises(CatalogError, match="unknown product fields"):
        Mapping.load(mp)


def test_brand_column_corrected_by_the_tree_only_where_it_disagrees():
    from index.catalog import _brand

    jeans = ["Clothing", "Men's Clothing", "Jeans", "Reckler Jeans"]
    assert _brand("Slim", "Reckler Slim Fit Men's Jeans", jeans) == "Reckler"  # the column held a fit
    assert (
        _brand("Alisha", "Alisha Solid Women's Cycling Shorts", ["Clothing", "Women's Clothing", "Shorts"]) == "Alisha"
    )
    # a leaf that is the product's own name does not tell where the brand ends
    shoes = ["Footwear", "Men's Footwear", "Casual Shoes", "Zobello Casual Shoes"]
    assert _brand("", "Zobello Casual Shoes", shoes) is None
