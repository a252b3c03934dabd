"""How long the query-understanding step takes in process (no model, no retrieval): p50/p99 per query,
memo cache cleared before every call so each one is computed in full. Usage:

    python scripts/bench_understanding.py [catalog.csv] [mapping.json]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.search.query import Vocabulary  # noqa: E402
from assistant.search.understand import QueryVocab, _understand, understand  # noqa: E402
from index.catalog import Mapping, load_catalog  # noqa: E402

QUERIES = [
    "red dress for women under 1000",
    "mens jeens",
    "back cover for samsung galaxy j7",
    "gift for wife",
    "baby girl dress",
    "shoes not sports",
    "red dre",
    "t shirt for men",
    "neckless",
    "saree under 500",
    "tempered glass for mi 4i",
    "charger for iphone",
    "watch by titan",
    "cotton kurta without print",
    "nike running shoes size 9",
    "bluetooth headset",
    "showpiece for living room",
    "silver ring for girlfriend between 500 and 2k",
    "sofa cover",
    "wall clock",
]


def main() -> None:
    catalog = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "catalog" / "flipkart-20k.csv"
    mapping = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "data" / "catalog" / "flipkart.mapping.json"
    products = load_catalog(catalog, Mapping.load(mapping)).products
    t0 = time.perf_counter()
    vocab = QueryVocab.from_products(products, Vocabulary.from_products(products).brands)
    print(f"vocabulary of {len(products)} products built in {time.perf_counter() - t0:.1f} s")
    for q in QUERIES:  # warm the per-word caches (stems, corrections) as a serving process has them
        understand(q, vocab)
    cold, warm = [], []
    for _ in range(50):
        for q in QUERIES:
            _understand.cache_clear()
            t = time.perf_counter()
            understand(q, vocab)
            cold.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            understand(q, vocab)
            warm.append((time.perf_counter() - t) * 1000)
    for name, xs in (("computed", cold), ("memoised", warm)):
        xs.sort()
        p99 = xs[int(len(xs) * 0.99) - 1]
        print(f"understand() {name}: p50 {statistics.median(xs):.3f} ms, p99 {p99:.3f} ms over {len(xs)} calls")


if __name__ == "__main__":
    main()
