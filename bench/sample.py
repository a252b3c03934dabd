"""Deterministic samples of a catalog CSV (every k-th row), for the quick benchmark and evaluations."""

from __future__ import annotations

import csv
from pathlib import Path


def sample_csv(catalog: Path, n: int, out_dir: Path) -> Path:
    """About n rows of the catalog (every k-th, header kept), written once into out_dir and reused."""
    catalog = Path(catalog)
    csv.field_size_limit(1 << 30)  # product descriptions can be long
    with catalog.open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    step = max(1, -(-len(rows) // n))
    out = Path(out_dir) / f"{catalog.stem}-every-{step}.csv"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([header, *rows[::step]])
        tmp.replace(out)
    return out
