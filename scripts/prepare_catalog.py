"""Make the bundled catalogs in data/catalog/ from ../shared/data/flipkart-20k (run once; output is committed).

- flipkart-20k.csv: every row of products.csv, enriched with description, specifications,
  image list and product URL for the ~1k products that products_full_1k.csv covers.
- tiny.csv: a few hundred rows cut from it by fixed rules (see TINY_RULES) for fast tests.
No row is invented or edited; columns keep their original names.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

csv.field_size_limit(sys.maxsize)
ROOT = Path(__file__).resolve().parent.parent
COLUMNS = [
    "uniq_id",
    "product_name",
    "product_category_tree",
    "pid",
    "retail_price",
    "discounted_price",
    "brand",
    "product_rating",
    "overall_rating",
    "is_FK_Advantage_product",
    "description",
    "product_specifications",
    "image",
    "product_url",
]

# (regex on name + tree, max rows): cover what the tests ask about.
TINY_RULES: list[tuple[str, int]] = [
    (r"\bMen's Clothing >> Shirts", 30),
    (r"\bMen's Clothing.*(Jeans|Trousers)", 14),
    (r"\bMen's Clothing.*T-Shirts", 10),
    (r"\bWomen's Clothing.*Dresses", 14),
    (r"\bWomen's Clothing.*(Tops|Kurtas)", 16),
    (r"\bWomen's Clothing.*Shorts", 8),
    (r"Sneakers", 10),
    (r"Running Shoes|Sports Shoes", 16),
    (r"\bMen's Footwear.*(Formal Shoes|Casual Shoes)", 14),
    (r"\bWomen's Footwear", 14),
    (r"\bBelts?\b", 6),
    (r"Wallets", 6),
    (r"Watches >> Wrist Watches.*Men", 10),
    (r"Watches >> Wrist Watches.*Women", 8),
    (r"Sunglasses", 6),
    (r"Handbags|Clutch", 8),
    (r"Mobiles & Accessories.*Cases & Covers", 12),
    (r"Mobile Accessories.*(Chargers|Screen Guards|Headphones|Headsets|Power Banks)", 14),
    (r"Necklaces|Earrings|Rings", 14),
    (r"Kitchen & Dining", 10),
    (r"Home Decor", 8),
    (r"Beauty and Personal Care", 8),
    (r"Laptop Accessories|Computers", 8),
    (r"Baby Care", 6),
    (r"Automotive", 6),
]


def merged_rows(src: Path) -> list[dict[str, str]]:
    full = {r["uniq_id"]: r for r in csv.DictReader((src / "products_full_1k.csv").open(encoding="utf-8"))}
    out = []
    for r in csv.DictReader((src / "products.csv").open(encoding="utf-8")):
        f = full.get(r["uniq_id"], {})
        row = {c: r.get(c, "") for c in COLUMNS}
        for c in ("description", "product_specifications", "image", "product_url"):
            row[c] = f.get(c, "")
        out.append(row)
    return out


def tiny_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows with description first (they exercise the enrichment), then the rest, by rule."""
    ordered = sorted(rows, key=lambda r: (r["description"] == "", r["uniq_id"]))
    picked: dict[str, dict[str, str]] = {}
    for pattern, limit in TINY_RULES:
        rx = re.compile(pattern, re.I)
        n = 0
        for r in ordered:
            if n >= limit:
                break
            if r["uniq_id"] not in picked and rx.search(r["product_name"] + " " + r["product_category_tree"]):
                picked[r["uniq_id"]] = r
                n += 1
    return [r for r in rows if r["uniq_id"] in picked]  # keep source order


def write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--source", default=str(ROOT.parent / "shared" / "data" / "flipkart-20k"))
    ap.add_argument("--out", default=str(ROOT / "data" / "catalog"))
    a = ap.parse_args()
    src, out = Path(a.source), Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = merged_rows(src)
    write(out / "flipkart-20k.csv", rows)
    tiny = tiny_rows(rows)
    write(out / "tiny.csv", tiny)
    print(f"wrote {len(rows)} rows to {out / 'flipkart-20k.csv'} and {len(tiny)} to {out / 'tiny.csv'}")


if __name__ == "__main__":
    main()
