"""A small shop written into tmp_path for search tests: dresses whose colour is known for some and unknown
for others, variants sharing a title, covers made for a phone by another maker, ratings, and a recipient's
"For Men, Boys" product. Built with the real model into a real index."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.search.engine import SearchEngine
from index.build import build_index
from index.catalog import Mapping
from index.embedder import Embedder
from index.store import load_index

CLOTHING = ["Clothing", "Women's Clothing", "Dresses"]


def _p(pid, title, category, price, **kw):
    return {"id": pid, "title": title, "category": category, "price": price, **kw}


PRODUCTS = [
    _p("d-red-1", "Aurea Women's Red A-line Dress", CLOTHING, 899, brand="Aurea", rating="4.5"),
    _p("d-red-2", "Mirelle Women's Maxi Dress", CLOTHING, 1299, brand="Mirelle", colour="Red", rating="3.9"),
    _p("d-unk-1", "Kavya Women's Printed Dress", CLOTHING, 599, brand="Kavya"),
    _p("d-unk-2", "Noor Women's Gathered Dress", CLOTHING, 749, brand="Noor", rating="4.8"),
    _p("d-blue-1", "Ocean Women's Blue Shift Dress", CLOTHING, 699, brand="Ocean"),
    _p("d-blue-2", "Ocean Women's Blue Maxi Dress", CLOTHING, 1099, brand="Ocean"),
    _p("t-red-1", "Aurea Women's Red Trousers", ["Clothing", "Women's Clothing", "Trousers"], 650, brand="Aurea"),
    _p("t-red-2", "Kavya Women's Red Palazzo Trousers", ["Clothing", "Women's Clothing", "Trousers"], 550),
    _p("g-1", "Tiny Tots Girls' Party Dress", ["Clothing", "Kids' Clothing", "Girls Wear", "Dresses"], 499),
    # variants: one title, three sizes
    _p("v-1", "Lumen Women's Wrap Dress", CLOTHING, 999, brand="Lumen"),
    _p("v-2", "Lumen Women's Wrap Dress", CLOTHING, 999, brand="Lumen"),
    _p("v-3", "Lumen Women's Wrap Dress", CLOTHING, 1049, brand="Lumen"),
    # covers made for a phone by another maker, and the phone maker's own products
    _p("c-1", "Flipcase Back Cover for Samsung Galaxy J7", ["Mobiles & Accessories", "Cases & Covers"], 199),
    _p("c-2", "Armorx Back Cover for Samsung Galaxy J7", ["Mobiles & Accessories", "Cases & Covers"], 249),
    _p("c-3", "Flipcase Back Cover for Apple iPhone 6", ["Mobiles & Accessories", "Cases & Covers"], 199),
    _p("s-1", "Samsung Galaxy J7 Mobile Pouch", ["Mobiles & Accessories", "Pouches"], 299, brand="Samsung"),
    _p("s-2", "Samsung Toner Cartridge", ["Computers", "Printers & Inks", "Toners"], 2999, brand="Samsung"),
    _p(
        "m-1",
        "Trek Sports Shoes For Men, Boys",
        ["Footwear", "Sports Shoes"],
        1499,
        attributes={"Ideal For": "Men, Boys"},
    ),
    _p("m-2", "Urbano Casual Shoes For Men", ["Footwear", "Casual Shoes"], 1299, attributes={"Ideal For": "Men"}),
    _p("m-3", "Urbano Leather Loafers Shoes For Men", ["Footwear", "Casual Shoes"], 1799),
]


def write_shop(directory: Path, products: list[dict] | None = None) -> Path:
    path = directory / "shop.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for p in PRODUCTS if products is None else products:
            f.write(json.dumps(p) + "\n")
    return path


def build_shop(directory: Path, embedder: Embedder, products: list[dict] | None = None) -> tuple[Path, Path]:
    """(catalog path, index dir) of a small shop (this module's by default), built with the real model."""
    catalog = write_shop(directory, products)
    index_dir = directory / "index"
    build_index(catalog, index_dir, embedder, Mapping())
    return catalog, index_dir


def shop_engine(directory: Path, embedder: Embedder, products: list[dict] | None = None) -> SearchEngine:
    _, index_dir = build_shop(directory, embedder, products)
    return SearchEngine(load_index(index_dir, embedder.name, embedder.dim), embedder)


def ids(res) -> list[str]:
    """The product ids of a search's hits, in order."""
    return [h.product.id for h in res.hits]
