"""The rule that labels the bundled catalog: graded by name, category tree and price only."""

import json

from assistant.settings import ROOT
from bench.relevance import (
    GAIN,
    Intent,
    JudgedCatalog,
    JudgedProduct,
    grade,
    judge_catalog,
    judgements,
    load_labelled,
    words,
)

LABELLED = ROOT / "bench" / "relevance_queries.jsonl"


def prod(name, tree=("Clothing", "Men's Clothing", "Shirts"), price=500.0, pid="x"):
    return JudgedProduct.of(pid, name, list(tree), price)


def test_words_fold_plurals_possessives_and_spellings():
    assert words("Women's Watches") == ["women", "watch"]
    assert words("T-Shirts") == words("tshirt") == ["t", "shirt"]
    assert words("Bangles & Bracelets") == ["bangle", "bracelet"]


def test_type_and_constraints_give_exact_partial_or_irrelevant():
    shirt = prod("Acme Solid Men's Formal Red Shirt")
    intent = Intent(type=["shirt"], words=["formal"], gender="men", colour="red", price_max=600)
    assert grade(shirt, intent) == 2
    assert grade(prod("Acme Solid Men's Formal Red Shirt", price=900), intent) == 1  # over budget
    assert grade(prod("Acme Solid Women's Formal Red Shirt", tree=("Clothing", "Women's Clothing")), intent) == 1
    assert grade(prod("Acme Casual Men's Red Shirt"), intent) == 1  # not formal
    assert grade(prod("Acme Men's Navy Formal Shirt"), intent) == 1  # navy is not red
    assert grade(prod("Acme Men's Red Formal Trousers", tree=("Clothing", "Men's Clothing", "Trousers")), intent) == 0


def test_the_category_root_does_not_count_as_the_type():
    wallet = prod("Acme Leather Wallet", tree=("Bags, Wallets & Belts", "Wallets"))
    assert grade(wallet, Intent(type=["belt"])) == 0
    assert grade(wallet, Intent(within=["belts"])) == 2  # `within` does look at the whole tree


def test_brand_queries():
    p = prod("Voylla Brass Necklace", tree=("Jewellery", "Necklaces", "Voylla Necklaces"))
    assert grade(p, Intent(brand="Voylla")) == 2
    assert grade(p, Intent(brand="Sukkhi")) == 0
    assert grade(p, Intent(type=["necklace"], brand="Sukkhi")) == 1  # right type, other brand


def test_missing_price_fails_a_price_constraint_and_missing_tree_falls_back_to_the_name():
    assert grade(prod("Acme Shirt", price=None), Intent(type=["shirt"], price_max=1000)) == 1
    assert grade(prod("Acme Analog Watch", tree=()), Intent(type=["watch"], within=["watches"])) == 2


def test_fast_path_equals_the_plain_rule_on_the_tiny_catalog(tiny_products):
    catalog = judge_catalog(tiny_products)
    fast = JudgedCatalog(tiny_products)
    rows = load_labelled(LABELLED)
    assert len(rows) >= 150
    for r in rows:
        intent = Intent.from_dict(r["intent"])
        assert fast.judgements(intent) == judgements(catalog, intent), r["query"]
    assert set(GAIN.values()) == {0.0, 0.5, 1.0}


def test_the_shipped_query_set_covers_every_kind_and_has_relevant_products(tiny_products):
    rows = [json.loads(line) for line in LABELLED.read_text().splitlines() if line.strip()]
    kinds = {r["kind"] for r in rows}
    assert {"plain", "misspelled", "attribute", "price", "brand", "vague"} <= kinds
    fast = JudgedCatalog(tiny_products)
    judged = [fast.judgements(Intent.from_dict(r["intent"])) for r in rows]
    assert sum(1 for j in judged if any(g == 1.0 for g in j.values())) >= 60


def test_the_rule_does_not_import_ranking_code():
    src = (ROOT / "bench" / "relevance.py").read_text()
    assert "import assistant" not in src and "from assistant" not in src
    assert "from index" not in src and "import index" not in src
