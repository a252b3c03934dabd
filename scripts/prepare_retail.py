"""Build the second demo shop (data/retail/) from the UCI "Online Retail" log.

    python scripts/prepare_retail.py --log <online_retail.csv.gz> [--out data/retail]

Writes `products.csv` (one row per real product: stock code, title, latest unit price in GBP) and keeps
`retail.mapping.json` / `SOURCE.md` beside it. Which codes are products is decided from the data:
- a product code is five digits, optionally followed by one or two letters (85123A, 15056BL), upper-cased;
  everything else in the StockCode column is a service or bookkeeping code (POST, DOT, M, C2, D, S,
  BANK CHARGES, AMAZONFEE, CRUK, PADS, B, gift_0001_*, DCGS*) and is left out;
- a product must have been sold at least once (invoice not C/A, quantity > 0, unit price > 0); codes that
  only ever appear in zero-price stock notes ("damaged", "check", "?") are left out;
- title: the most frequent description on those sales (stock notes never have a price), title-cased;
  price: the unit price of the latest such sale (ties within one invoice: the most common price of it).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT_CODE = re.compile(r"^\d{5}[A-Za-z]{0,2}$")
_SMALL = {"of", "and", "in", "with", "for", "the", "a", "on", "to"}


def product_code(raw: str) -> str | None:
    """The canonical stock code of a product line, None for service/bookkeeping codes."""
    code = (raw or "").strip()
    return code.upper() if PRODUCT_CODE.match(code) else None


def is_sale(invoice: str, quantity: float, price: float) -> bool:
    return not invoice.startswith(("C", "A")) and quantity > 0 and price > 0


def title_case(desc: str) -> str:
    """'WHITE HANGING HEART T-LIGHT HOLDER' -> 'White Hanging Heart T-Light Holder' (sizes like 6X stay)."""
    words = " ".join(desc.split()).lower().split(" ")
    out = []
    for i, w in enumerate(words):
        if i and w in _SMALL:
            out.append(w)
        elif any(ch.isdigit() for ch in w):
            out.append(w.upper())
        else:
            out.append("-".join(p[:1].upper() + p[1:] for p in w.split("-")))
    return " ".join(out)


def open_log(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def products_from(rows: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """Product rows (stock_code, title, price, currency) from the log's rows, in stock-code order."""
    descs: dict[str, Counter] = defaultdict(Counter)
    latest: dict[str, tuple[str, Counter]] = {}  # code -> (invoice date, prices on that date's invoice)
    for r in rows:
        code = product_code(r["StockCode"])
        try:
            qty, price = float(r["Quantity"]), float(r["UnitPrice"])
        except (TypeError, ValueError):
            continue
        if code is None or not is_sale(r["InvoiceNo"], qty, price):
            continue
        desc = (r["Description"] or "").strip()
        if desc:
            descs[code][desc] += 1
        when = r["InvoiceDate"]
        seen = latest.get(code)
        if seen is None or when > seen[0]:
            latest[code] = (when, Counter({price: 1}))
        elif when == seen[0]:
            seen[1][price] += 1
    out = []
    for code in sorted(latest):
        if not descs.get(code):
            continue
        price = latest[code][1].most_common(1)[0][0]
        out.append(
            {
                "stock_code": code,
                "title": title_case(descs[code].most_common(1)[0][0]),
                "price": f"{price:.2f}",
                "currency": "GBP",
            }
        )
    return out


def read_log(path: Path) -> Iterator[dict[str, str]]:
    with open_log(path) as f:
        yield from csv.DictReader(f)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log", required=True, help="online_retail.csv.gz (the UCI table as CSV)")
    ap.add_argument("--out", default=str(ROOT / "data" / "retail"))
    a = ap.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    prods = products_from(read_log(Path(a.log)))
    with (out / "products.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["stock_code", "title", "price", "currency"])
        w.writeheader()
        w.writerows(prods)
    print(f"{len(prods)} products -> {out / 'products.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
