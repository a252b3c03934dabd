"""Recluster shopper segments from the SQLite event store (offline; a running server refreshes its own
segments on a schedule or with POST /api/admin/segments/refresh, and reads these at its next start).

    SHOPMATE_DATA_DIR=data/state SHOPMATE_INDEX_DIR=data/index python scripts/refresh_segments.py [--k 0]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.services import Services  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.shoppers.segments import refresh  # noqa: E402
from index.embedder import Embedder  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--k", type=int, default=None, help="number of segments (0: chosen by silhouette)")
    a = ap.parse_args()
    settings = Settings.from_env()
    if a.k is not None:
        settings = dataclasses.replace(settings, segments_k=a.k)
    svc = Services.start(settings, Embedder())
    engine, shoppers = svc.engine, svc.shoppers
    try:
        segs = refresh(shoppers, engine)
        for s in sorted(segs.values(), key=lambda s: -s["size"]):
            print(f"{s['size']:6d}  {s['name']}  {s['summary']}")
        if not segs:
            print("no segments: too few shoppers with a profile yet")
    finally:
        svc.close()


if __name__ == "__main__":
    main()
