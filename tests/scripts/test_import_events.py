"""scripts/import_events.py on a committed slice of the real log (tests/fixtures/retail): counts per skip
reason, bad rows with their line numbers, idempotence, and events that reach profiles through the real store."""

from __future__ import annotations

import csv
import time

import pytest

from assistant.search.engine import SearchEngine
from assistant.settings import ROOT, Settings
from assistant.shoppers.service import Shoppers
from index.build import build_index
from index.catalog import Mapping
from index.store import load_index
from scripts import import_events as imp
from scripts import prepare_retail as prep

SLICE = ROOT / "tests" / "fixtures" / "retail" / "slice.csv"
MAPPING = ROOT / "data" / "retail" / "retail.mapping.json"
LEFT_OUT = "20675"  # a product of the slice kept out of the test catalog: its lines are "unknown product"


@pytest.fixture(scope="module")
def slice_index(tmp_path_factory, embedder):
    d = tmp_path_factory.mktemp("retail")
    rows = list(csv.DictReader(SLICE.open(encoding="utf-8")))
    prods = [p for p in prep.products_from(rows) if p["stock_code"] != LEFT_OUT]
    cat = d / "products.csv"
    with cat.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(prods[0]))
        w.writeheader()
        w.writerows(prods)
    build_index(cat, d / "index", embedder, Mapping.load(MAPPING))
    return d / "index"


@pytest.fixture
def shoppers(slice_index, embedder, tmp_path):
    engine = SearchEngine(load_index(slice_index, embedder.name, embedder.dim), embedder)
    settings = Settings.from_env(env={}, index_dir=slice_index, data_dir=tmp_path / "state", retention_days=400)
    sh = Shoppers(settings, lambda: engine, embedder.encode_query)
    yield sh, engine
    sh.close()


def run(sh, engine, **kw):
    return imp.import_log(sh, imp.numbered_rows(SLICE), engine.index.id_to_row.__contains__, **kw)


def test_counts_reasons_and_bad_rows_with_line_numbers(shoppers):
    sh, engine = shoppers
    unknown = sum(
        1
        for r in csv.DictReader(SLICE.open(encoding="utf-8"))
        if r["StockCode"] == LEFT_OUT and r["CustomerID"] and not r["InvoiceNo"].startswith("C")
    )
    assert unknown > 0
    s = run(sh, engine)
    assert s.rows == 146  # 144 real rows + 2 deliberately broken ones
    assert s.skipped["cancellation (invoice C...)"] == 13
    assert s.skipped["guest row (no CustomerID)"] == 12
    assert s.skipped["not a product (postage, fees, manual, vouchers...)"] == 3
    assert s.skipped["unknown product (not in the catalog)"] == unknown
    assert s.skipped["bad row (unreadable)"] == 2
    assert [line for line, _ in s.bad] == [61, 147]
    assert "twelve" in s.bad[0][1] and "2011-13-45" in s.bad[1][1]
    assert s.imported == 116 - unknown  # every readable product line of a customer, none merged in this slice
    assert s.customers == 8 and s.invoices == 20
    # the events are in the real store and in the profiles
    assert len(sh.store.item_events(("purchase",))) == s.imported
    prof = sh.profile("retail-15100")
    assert prof is not None and prof.purchased and prof.vector() is not None


def test_reimport_adds_nothing_and_dates_end_yesterday(shoppers):
    sh, engine = shoppers
    first = run(sh, engine)
    again = run(sh, engine)
    assert first.imported > 0
    assert again.imported == 0 and again.already == first.imported
    assert again.shift_days == first.shift_days
    latest = max(ts for _, _, ts in sh.store.item_events(("purchase",)))
    assert 0 < time.time() - latest < 2 * 86400  # the log's last invoice moved to yesterday


def test_until_keeps_later_invoices_out(shoppers):
    sh, engine = shoppers
    early = run(sh, engine, until=imp.parse_time("2011-06-01 00:00"))
    assert early.skipped["after the --until date"] > 0
    assert 0 < early.imported < 116
