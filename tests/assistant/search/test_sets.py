"""A type name that names a set: the shop titles its "Lehenga Cholis" "... Lehenga, Choli and Dupatta Set", so each
is a lehenga as well as a choli; "Saree Falls" titled "Dupian Saree Falls" are falls, not sarees. Learned from how
the shop's own titles write a type's words, never from a list of words (pure: no model, no index)."""

from __future__ import annotations

from assistant.search.product_types import type_heads
from assistant.search.sets import MIN_SHARE, learn_sets, listed_stems
from assistant.search.vocab import QueryVocab
from index.catalog import Product

ETHNIC = ["Clothing", "Women's Clothing", "Ethnic Wear"]


def test_a_title_lists_the_items_of_its_set_its_brand_left_out():
    assert listed_stems("Khodal Embroidered Women's Lehenga, Choli and Dupatta Set") == {"lehenga", "choli", "dupatta"}
    assert listed_stems("Aarika Self Design Kurta & Pallazo") == {"kurta", "pallazo"}
    assert listed_stems("Finesse NUTL441 Dupian Saree Falls") == set()
    assert listed_stems("Bed & Bath Cotton Floral Double Bedsheet", brand="Bed & Bath") == set()
    # the details after "for" are where the device list goes, not the name
    assert listed_stems("Tire Light Set Of 4 for Maruti Wagon-R Car, Truck, Van LED Bulb") == set()


def test_a_type_is_a_set_of_the_kinds_its_titles_list():
    lc, falls, pack = ("lehenga", "choli"), ("sare", "fall"), ("cold", "pack")
    kinds = {"lehenga", "choli", "sare", "fall", "pack"}  # "cold" heads no type of the shop
    named = [
        *[({lc}, {"lehenga", "choli", "dupatta"})] * 3,
        ({lc}, set()),  # "... Women's Lehenga Choli": a set too, by its type
        *[({falls}, set())] * 4,
        ({falls}, {"sare"}),  # one odd title is no reading of the type
        *[({pack}, {"hot", "cold"})] * 3,  # "Hot & Cold Pack": lists what the pack does, no kind of product
    ]
    assert learn_sets(named, kinds) == {lc: frozenset({"lehenga"})}
    # below the share, no set: 1 of 4 titles of the type listing its first word
    few = [({falls}, {"sare"})] + [({falls}, set())] * 3
    assert MIN_SHARE > 1 / 4 and learn_sets(few * 2, kinds) == {}


def _p(pid: str, title: str, category: list[str], ptype: str | None = None) -> Product:
    return Product(id=pid, title=title, category=category, product_type=ptype, gender="women")


def test_the_vocabulary_reads_a_lehenga_choli_as_a_lehenga_and_saree_falls_as_no_saree():
    shop = [
        *[
            _p(f"lc-{i}", f"Khodal{i} Embroidered Women's Lehenga, Choli and Dupatta Set", [*ETHNIC, "Lehenga Cholis"])
            for i in range(3)
        ],
        _p("lc-3", "Bazar Self Design Women's Lehenga Choli", [*ETHNIC, "Lehenga Cholis"]),
        _p("l-1", "Ambika Embroidered Lehenga, Choli and Dupatta Set", [*ETHNIC, "Lehenga Cholis"], "Lehengas"),
        *[_p(f"s-{i}", f"Jaya{i} Floral Print Saree", [*ETHNIC, "Sarees"]) for i in range(3)],
        *[_p(f"f-{i}", f"Finesse{i} Dupian Saree Falls", [*ETHNIC, "Saree Falls"]) for i in range(3)],
    ]
    vocab = QueryVocab.from_products(shop)
    by_id = {p.id: p for p in shop}
    for pid in ("lc-0", "lc-3", "l-1"):
        assert "lehenga" in vocab.type_heads(by_id[pid]), pid
    assert "lehenga" not in type_heads(by_id["lc-0"])  # without the shop's sets: its head is choli alone
    assert "sare" not in vocab.type_heads(by_id["f-0"])
