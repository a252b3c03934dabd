"""The shopper-judged evaluation: metrics on a hand-made case, the grader's reading, independence from the
engine, and a run of the four methods on the tiny catalog."""

import ast
import json
import subprocess
import sys

import pytest

from assistant.settings import ROOT
from bench.judged.grade import Criteria, Item, grade, grade_all, load_queries, read_catalog
from bench.judged.metrics import ndcg, precision_of_attainable, shopper_view, summarise, title_key, top1
from bench.judged.report import compare_markdown, markdown
from bench.judged.run import METHODS, evaluate, judge, load_holdout, rank

JUDGED = ROOT / "bench" / "judged"
TINY = ROOT / "data" / "catalog" / "tiny.csv"
KINDS = {
    "plain", "type", "brand", "attribute", "vague", "model", "price", "half_typed",
    "misspelled", "compatibility", "recipient", "negation", "unservable",
}  # fmt: skip


def item(title, path="clothing > women's clothing > western wear > dresses", brand="", price=500.0, desc="", specs=""):
    return Item(title.lower(), title.lower(), path, brand, price, desc, specs)


def test_precision_of_attainable_ndcg_and_top1_on_a_hand_made_case():
    grades = {"a": 2, "b": 2, "c": 2, "d": 1}  # three right products in the whole catalog, one substitute
    ranked = ["x", "a", "d", "b", "y"]
    assert precision_of_attainable(ranked, grades) == pytest.approx(2 / 3)  # of min(10, 3)
    # DCG = 1/log2(3) + 0.5/log2(4) + 1/log2(5); ideal = 1 + 1/log2(3) + 1/log2(4) + 0.5/log2(5)
    dcg = 1 / 1.5849625 + 0.5 / 2 + 1 / 2.3219281
    ideal = 1 + 1 / 1.5849625 + 1 / 2 + 0.5 / 2.3219281
    assert ndcg(ranked, grades) == pytest.approx(dcg / ideal, rel=1e-6)
    assert top1(ranked, grades) == 0.0 and top1(["a"], grades) == 1.0 and top1([], grades) == 0.0
    assert precision_of_attainable(ranked, {"d": 1}) is None and top1(ranked, {"d": 1}) is None
    many = {str(i): 2 for i in range(30)}
    assert precision_of_attainable([str(i) for i in range(5)] + ["x"] * 5, many) == 0.5  # of min(10, 30)
    s = summarise({"q1": ranked, "q2": ["d"]}, {"q1": grades, "q2": {"d": 1}})
    assert s["p@10_of_attainable"] == pytest.approx(0.6667, abs=1e-4) and s["queries_attainable"] == 1
    assert s["queries_with_gain"] == 2 and s["top1"] == 0.0


def test_grader_reads_type_substitutes_preferences_exclusions_gender_price_and_maker():
    c = Criteria(
        type=r"\bdress(es)?\b",
        sub=r"\bgowns?\b",
        prefer=[r"\bred\b"],
        exclude=r"dress material",
        gender=["women", "unisex"],
        price_max=1000,
    )
    assert grade(c, item("Acme Women's Red Dress")) == 2
    assert grade(c, item("Acme Women's A-line Dress")) == 1  # colour unknown: a substitute, not wrong
    assert grade(c, item("Acme Women's Gown", path="clothing > women's clothing")) == 1
    assert grade(c, item("Acme Red Dress Material", path="clothing > women's clothing")) == 0
    assert grade(c, item("Acme Girl's Red Dress", path="clothing > kids' clothing > girls wear")) == 0
    assert grade(c, item("Acme Women's Red Dress", price=1500)) == 0
    assert grade(c, item("Acme Women's Red Top", path="clothing > women's clothing > western wear > tops")) == 0
    # a node listing several kinds does not name the product's kind; a leading brand is not a type
    bags = "bags, wallets & belts > bags > hand bags"
    assert grade(Criteria(type=r"\bwallets?\b"), item("Acme Shoulder Bag", path=bags)) == 0
    assert grade(Criteria(type=r"\bsarees?\b"), item("Jayanti Sarees Kurti", brand="jayanti sarees")) == 0
    # another maker's product of the asked type is a substitute when the maker is not strict
    philips = Criteria(type=r"\btrimmers?\b", brand=r"\bphilips\b", brand_strict=False)
    assert grade(philips, item("Philips QT4000 Trimmer", brand="philips")) == 2
    assert grade(philips, item("Agaro Beard Trimmer", brand="agaro")) == 1
    assert grade(philips, item("Philips LED Bulb", brand="philips")) == 0
    assert grade(Criteria(brand=r"\bnike\b"), item("Puma Shoes", brand="puma")) == 0
    top = item("Women's Red Top", path="clothing > women's clothing > western wear > tops")
    assert grade_all(c, [item("Women's Red Dress"), top]) == {"women's red dress": 2}


def test_queries_are_many_of_every_kind_with_what_the_shopper_means():
    qs = load_queries(JUDGED / "queries.jsonl")
    assert len(qs) >= 200 and len({q.qid for q in qs}) == len(qs)
    assert {q.kind for q in qs} == KINDS
    assert all(q.means.strip() for q in qs)
    assert all(not q.servable for q in qs if q.kind == "unservable")
    checks = [json.loads(line) for line in (JUDGED / "spot_checks.jsonl").read_text().splitlines() if line]
    assert len(checks) >= 300 and all(c["reason"] and c["verdict"] in (0, 1, 2) for c in checks)


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module or ""


@pytest.mark.parametrize("module", ["grade.py", "metrics.py"])
def test_judgements_never_come_from_the_engine(module):
    names = list(_imports(JUDGED / module))
    assert names and not [n for n in names if n.split(".")[0] in ("assistant", "index") or n == "bench.relevance"]
    code = (
        "import sys, bench.judged.grade, bench.judged.metrics; "
        "print([m for m in sys.modules if m.split('.')[0] in ('assistant', 'index')])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_shopper_view_counts_same_titled_products_once():
    key_of = {"c1": "j7 cover", "c2": "j7 cover", "c3": "j7 cover", "g": "j7 glass", "o": "other", "s": "slim j7"}
    grades = {"c1": 2, "c2": 2, "c3": 2, "s": 2, "g": 1}
    flat = ["c1", "c2", "c3", "o"]  # the same cover three times, then a wrong product
    grouped = ["c1", "s", "g", "o"]  # one card for the covers, then what else the shop has
    assert precision_of_attainable(flat, grades) == 0.75 > precision_of_attainable(grouped, grades)  # by id
    runs, qrels = shopper_view({"flat": flat, "grouped": grouped}, {"q": grades}, key_of)
    assert qrels["q"] == {"j7 cover": 2, "slim j7": 2, "j7 glass": 1}  # a title's grade is its best product's
    assert runs["flat"] == ["j7 cover", "", "", "other"]  # a repeated title is a slot showing nothing new
    assert precision_of_attainable(runs["flat"], qrels["q"]) == 0.5  # 1 of min(10, 2) titles
    assert precision_of_attainable(runs["grouped"], qrels["q"]) == 1.0
    assert ndcg(runs["grouped"], qrels["q"]) > ndcg(runs["flat"], qrels["q"])
    assert title_key("  Fuson  Back Cover for SAMSUNG J7 ") == "fuson back cover for samsung j7"


def test_the_four_methods_are_evaluated_side_by_side_on_the_tiny_catalog(engine):
    queries = load_queries(JUDGED / "queries.jsonl")
    items = read_catalog(TINY)
    assert len(items) == len(engine.products)
    qrels = judge(queries, items)
    served = [q for q in queries if any(g == 2 for g in qrels[q.qid].values())]
    assert len(served) >= 20  # the tiny catalog holds exact matches for many of the queries
    runs, _secs, _ = rank(engine, served[:25])
    out = evaluate(served[:25], runs, qrels, {})
    assert set(out["overall"]) == set(METHODS)
    for m in METHODS:
        o = out["overall"][m]
        assert o["queries_attainable"] == 25 and 0 <= o["p@10_of_attainable"] <= 1 and 0 <= o["ndcg@10"] <= 1
        # the aggregate is the mean of the per-query figures, recomputed here from the raw runs
        want = sum(precision_of_attainable(runs[m][q.qid], qrels[q.qid]) for q in served[:25]) / 25
        assert o["p@10_of_attainable"] == pytest.approx(want, abs=1e-4)
    assert out["overall"]["dense"] != out["overall"]["bm25"]  # the methods really differ
    text = markdown({**out, "queries": 25, "queries_servable": 25, "catalog_products": len(items)})
    assert "full system" in text and "BM25" in text
    assert "→" in compare_markdown(out, out)
    # the held-out half is measured on its own: the same figures as evaluating those queries alone
    held = {q.qid for q in served[:25:2]}
    split = evaluate(served[:25], runs, qrels, {}, held)
    alone = evaluate([q for q in served[:25] if q.qid in held], runs, qrels, {})
    assert split["holdout"]["queries"] == len(held) and split["holdout"]["overall"] == alone["overall"]
    assert split["overall"] == out["overall"]
    assert "Held-out half" in markdown({**split, "queries": 25, "queries_servable": 25, "catalog_products": 1})
    # the shopper's view of the same runs: every method, overall and on the held-out half
    titles = {it.id: title_key(it.title) for it in items}
    viewed = evaluate(served[:25], runs, qrels, {}, held, titles)
    assert set(viewed["shopper_view"]["overall"]) == set(METHODS) and viewed["overall"] == out["overall"]
    assert viewed["shopper_view"]["holdout"]["bm25"]["queries"] == len(held)
    assert "shopper's view" in markdown({**viewed, "queries": 25, "queries_servable": 25, "catalog_products": 1})


def test_the_held_out_half_is_every_other_query_of_each_kind():
    held = load_holdout(JUDGED / "holdout.txt")
    by_kind: dict[str, list[str]] = {}
    for q in load_queries(JUDGED / "queries.jsonl"):
        by_kind.setdefault(q.kind, []).append(q.qid)
    assert held == {qid for ids in by_kind.values() for qid in ids[1::2]}
