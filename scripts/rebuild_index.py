"""Build or refresh the product index: incremental by default (only changed products are re-embedded)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tqdm import tqdm  # noqa: E402

from assistant.settings import Settings, SettingsError, var  # noqa: E402
from index.build import build_index  # noqa: E402
from index.catalog import CatalogError, Mapping  # noqa: E402
from index.embedder import Embedder  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--catalog", default=str(settings.catalog), help="catalog file (.csv or .jsonl)")
    ap.add_argument(
        "--mapping",
        default=str(settings.mapping) if settings.mapping else None,
        help="column mapping JSON (default: SHOPMATE_MAPPING, or column names = field names)",
    )
    ap.add_argument("--index-dir", default=str(settings.index_dir))
    ap.add_argument("--full", action="store_true", help="re-embed every product")
    ap.add_argument("--strict", action="store_true", help="stop at the first bad row instead of skipping it")
    a = ap.parse_args(argv)
    for name, path in (("catalog", a.catalog), ("mapping", a.mapping)):
        if path is not None and not Path(path).is_file():  # before the model loads
            print(f"error: {name} file not found: {path} (--{name} or {var(name)})", file=sys.stderr)
            return 2
    try:
        mapping = Mapping.load(a.mapping)
        embedder = Embedder(batch_size=settings.embed_batch_size)
        bar = tqdm(total=0, unit="texts", desc="embedding products and phrases", dynamic_ncols=True)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        summary = build_index(
            a.catalog, a.index_dir, embedder, mapping, full=a.full, strict=a.strict, progress=progress
        )
        bar.close()
    except CatalogError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for line in summary.lines():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
