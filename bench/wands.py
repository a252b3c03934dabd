"""Loader for WANDS-format human-labelled search relevance data (Wayfair ANnotation DataSet).

WANDS ships three tab-separated files:
    product.csv  product_id, product_name, product_class, category hierarchy, product_description,
                 product_features, rating_count, average_rating, review_count
    query.csv    query_id, query, query_class
    label.csv    id, query_id, product_id, label        (label: Exact / Partial / Irrelevant)
Gains follow the dataset's own convention: Exact 1, Partial 0.5, Irrelevant 0.

The loader turns the products into shopmate catalog rows (JSONL with Product field names) so that
the normal index builder embeds them into a separate index; no field is invented.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

csv.field_size_limit(sys.maxsize)

GAINS = {"exact": 1.0, "partial": 0.5, "irrelevant": 0.0}
FILES = ("product.csv", "query.csv", "label.csv")


@dataclass
class WandsData:
    products: list[dict]  # catalog rows: id, title, description, category, product_type, attributes
    queries: dict[str, str]  # query_id -> query text
    qrels: dict[str, dict[str, float]]  # query_id -> product_id -> gain
    query_class: dict[str, str]


def find(roots: list[Path]) -> Path | None:
    """The first directory (a root or one/two levels below it) that holds all three WANDS files."""
    for root in roots:
        if not root.is_dir():
            continue
        for d in [
            root,
            *sorted(p for p in root.glob("*") if p.is_dir()),
            *sorted(p for p in root.glob("*/*") if p.is_dir()),
        ]:
            if all((d / f).is_file() for f in FILES):
                return d
    return None


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [
            {(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f, delimiter="\t")
        ]


def _features(raw: str) -> dict[str, str]:
    """'color : white|material : wood' -> {'color': 'white', 'material': 'wood'}."""
    out: dict[str, str] = {}
    for part in raw.split("|"):
        if ":" in part:
            k, v = part.split(":", 1)
            if k.strip() and v.strip():
                out[k.strip()] = v.strip()
    return out


def load(directory: Path) -> WandsData:
    """Read the three files; labels with an unknown grade or for unknown products are dropped."""
    directory = Path(directory)
    products = []
    for r in _read(directory / "product.csv"):
        if not r.get("product_id") or not r.get("product_name"):
            continue
        category = [c.strip() for c in r.get("category hierarchy", "").split("/") if c.strip()]
        products.append(
            {
                "id": r["product_id"],
                "title": r["product_name"],
                "description": r.get("product_description", ""),
                "category": category,
                "product_type": r.get("product_class") or None,
                "attributes": _features(r.get("product_features", "")),
            }
        )
    known = {p["id"] for p in products}
    queries = {r["query_id"]: r["query"] for r in _read(directory / "query.csv") if r.get("query_id")}
    query_class = {r["query_id"]: r.get("query_class", "") for r in _read(directory / "query.csv")}
    qrels: dict[str, dict[str, float]] = {}
    for r in _read(directory / "label.csv"):
        gain = GAINS.get(r.get("label", "").lower())
        if gain is None or r.get("product_id") not in known or r.get("query_id") not in queries:
            continue
        qrels.setdefault(r["query_id"], {})[r["product_id"]] = gain
    return WandsData(products, queries, qrels, query_class)


def write_catalog(data: WandsData, path: Path, product_ids: set[str] | None = None) -> int:
    """Write the (optionally subset of) products as a JSONL catalog the index builder reads."""
    n = 0
    with Path(path).open("w", encoding="utf-8") as f:
        for p in data.products:
            if product_ids is None or p["id"] in product_ids:
                f.write(json.dumps(p, ensure_ascii=False) + "\n")
                n += 1
    return n
