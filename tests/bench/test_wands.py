"""The WANDS loader, on a tiny FORMAT FIXTURE written here (made-up rows in WANDS's layout, not data)."""

import json

from bench import wands
from index.catalog import Mapping, load_catalog

PRODUCT = (
    "product_id\tproduct_name\tproduct_class\tcategory hierarchy\tproduct_description\tproduct_features\t"
    "rating_count\taverage_rating\treview_count\n"
    "0\tfixture oak side table\tEnd Tables\tFurniture / Living Room Furniture / End Tables\ta table\t"
    "color : brown|material : oak\t3\t4.5\t2\n"
    "1\tfixture blue rug\tArea Rugs\tRugs / Area Rugs\t\t\t\t\t\n"
)
QUERY = "query_id\tquery\tquery_class\n0\tside table\tEnd Tables\n1\tblue rug\tArea Rugs\n2\tno labels\t\n"
LABEL = (
    "id\tquery_id\tproduct_id\tlabel\n0\t0\t0\tExact\n1\t0\t1\tIrrelevant\n2\t1\t1\tPartial\n"
    "3\t1\t0\tBogus\n4\t1\t99\tExact\n"
)


def write_fixture(d):
    (d / "product.csv").write_text(PRODUCT)
    (d / "query.csv").write_text(QUERY)
    (d / "label.csv").write_text(LABEL)


def test_find_looks_below_the_roots(tmp_path):
    assert wands.find([tmp_path]) is None
    d = tmp_path / "wands" / "dataset"
    d.mkdir(parents=True)
    write_fixture(d)
    assert wands.find([tmp_path / "missing", tmp_path]) == d


def test_load_maps_labels_to_gains_and_drops_unknowns(tmp_path):
    write_fixture(tmp_path)
    data = wands.load(tmp_path)
    assert data.queries == {"0": "side table", "1": "blue rug", "2": "no labels"}
    assert data.qrels == {"0": {"0": 1.0, "1": 0.0}, "1": {"1": 0.5}}  # bad grade and unknown product dropped
    assert data.query_class["1"] == "Area Rugs"
    p = data.products[0]
    assert p["category"] == ["Furniture", "Living Room Furniture", "End Tables"]
    assert p["attributes"] == {"color": "brown", "material": "oak"}
    assert p["product_type"] == "End Tables"


def test_written_catalog_loads_with_the_normal_loader(tmp_path):
    write_fixture(tmp_path)
    data = wands.load(tmp_path)
    out = tmp_path / "wands.jsonl"
    assert wands.write_catalog(data, out, {"1"}) == 1
    assert json.loads(out.read_text())["id"] == "1"
    assert wands.write_catalog(data, out) == 2
    products = load_catalog(out, Mapping()).products
    assert [p.title for p in products] == ["fixture oak side table", "fixture blue rug"]
    assert products[0].category[-1] == "End Tables" and products[1].price is None
