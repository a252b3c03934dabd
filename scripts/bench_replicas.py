"""Replicas benchmark on its own (`make bench-replicas`; `make bench` runs the same inside scripts/bench.py):
SQLite 1 process, PostgreSQL 1 replica and PostgreSQL 2 replicas (round-robin client) side by side.

    python scripts/bench_replicas.py [--index-dir DIR] [--rounds 3] [--merge-into bench/results.json]

Without --index-dir it indexes the tiny catalog once into <work-dir>/replicas-index (a small index keeps the
run to a few minutes: the store's share of a request is what differs between the configurations).
--merge-into adds the figures to a results.json as "replicas" and rewrites the REPORT.md beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from bench import replicas  # noqa: E402

TINY = ROOT / "data" / "catalog" / "tiny.csv"
MAPPING = ROOT / "data" / "catalog" / "flipkart.mapping.json"


def tiny_index(work_dir: Path) -> Path:
    """The tiny catalog indexed once into work_dir (reused by later runs)."""
    out = work_dir / "replicas-index"
    if not (out / "CURRENT").exists():
        from index.build import build_index
        from index.catalog import Mapping
        from index.embedder import Embedder

        build_index(TINY, out, Embedder(), Mapping.load(MAPPING))
    return out


def queries(path: Path) -> list[str]:
    return [json.loads(line)["query"] for line in path.open(encoding="utf-8") if line.strip()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, default=None)
    ap.add_argument("--catalog", type=Path, default=None, help="with --index-dir: the catalog it was built from")
    ap.add_argument("--mapping", type=Path, default=None)
    ap.add_argument("--work-dir", type=Path, default=ROOT / "bench" / "tmp")
    ap.add_argument("--queries", type=Path, default=ROOT / "bench" / "queries.jsonl")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--out", type=Path, default=None, help="write the figures as JSON here too")
    ap.add_argument("--merge-into", type=Path, default=None, help="a results.json to add them to (and its REPORT.md)")
    a = ap.parse_args(argv)
    if a.index_dir is None:
        a.index_dir, a.catalog, a.mapping = tiny_index(a.work_dir), TINY, MAPPING
    r = replicas.run(a.index_dir, queries(a.queries), a.catalog, a.mapping, rounds=a.rounds, clients=a.clients)
    print(replicas.markdown(r))
    print(json.dumps(r, indent=1))
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps(r, indent=1))
    if a.merge_into:
        from bench import plots, report

        results = json.loads(a.merge_into.read_text())
        results["replicas"] = r
        a.merge_into.write_text(json.dumps(results, indent=1))
        written = [p for p in plots.PLOTS if (a.merge_into.parent / p).exists()]
        (a.merge_into.parent / "REPORT.md").write_text(report.markdown(results, written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
