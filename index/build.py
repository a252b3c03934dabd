"""Build (incrementally) an index version from a catalog: only changed products are re-embedded."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.catalog import CatalogError, LoadReport, Mapping, file_sha256, load_catalog
from index.embedder import Embedder, product_text
from index.store import IndexNotFound, Manifest, current_version, read_manifest, write_version
from index.suggestions import PHRASES_FILE, VECTORS_FILE, build_suggestions, previous_vectors, write_suggestions


@dataclass
class BuildSummary:
    version: str
    count: int
    added: int
    changed: int
    removed: int
    unchanged: int
    embedded: int
    seconds: float
    skipped: list[CatalogError] = field(default_factory=list)
    phrases: int = 0  # autocomplete phrases written with the version
    phrases_embedded: int = 0  # of which embedded now (the others: reused from the last version)
    embed_seconds: float = 0.0  # inside the encoder (products and phrases)

    def lines(self) -> list[str]:
        rate = self.embedded / self.seconds if self.seconds else 0.0
        out = [
            f"index version {self.version}: {self.count} products",
            f"added {self.added}, changed {self.changed}, removed {self.removed}, unchanged {self.unchanged}",
            f"embedded {self.embedded} in {self.seconds:.1f}s ({rate:.0f} products/s)",
            f"autocomplete phrases {self.phrases} ({self.phrases_embedded} embedded)",
            f"encoder busy {self.embed_seconds:.1f}s of {self.seconds:.1f}s",
            f"skipped {len(self.skipped)} rows",
        ]
        out += [f"  {e}" for e in self.skipped[:20]]
        if len(self.skipped) > 20:
            out.append(f"  ... and {len(self.skipped) - 20} more")
        return out


def _previous(index_dir: Path, embedder: Embedder) -> tuple[dict[str, str], dict[str, np.ndarray]]:
    """Content hashes and vectors of the serving version, if it was built with the same model."""
    try:
        man = read_manifest(index_dir)
    except (IndexNotFound, FileNotFoundError):
        return {}, {}
    if man.model != embedder.name or man.dim != embedder.dim:
        return {}, {}
    vdir = Path(index_dir) / str(current_version(index_dir))
    vectors = np.load(vdir / "vectors.npy", mmap_mode="r")
    ids = list(man.content_hashes)  # insertion order == row order
    return man.content_hashes, {pid: vectors[i] for i, pid in enumerate(ids)}


def build_index(
    catalog: str | Path,
    index_dir: str | Path,
    embedder: Embedder,
    mapping: Mapping | None = None,
    full: bool = False,
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildSummary:
    """Load, validate, embed what changed, write a new version and switch to it.

    progress(n_done, n_total) is called after each embedded batch.
    """
    t0 = time.perf_counter()
    index_dir = Path(index_dir)
    report: LoadReport = load_catalog(catalog, mapping, strict=strict)
    products = report.products
    old_hashes, old_vectors = ({}, {}) if full else _previous(index_dir, embedder)
    hashes = {p.id: p.content_hash() for p in products}
    todo = [i for i, p in enumerate(products) if old_hashes.get(p.id) != hashes[p.id]]
    vectors = np.zeros((len(products), embedder.dim), np.float32)
    for i, p in enumerate(products):
        if old_hashes.get(p.id) == hashes[p.id]:
            vectors[i] = old_vectors[p.id]
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, len(todo))

    embed_seconds = 0.0
    texts = [product_text(products[i]) for i in todo]
    if todo:
        t = time.perf_counter()
        vectors[todo] = embedder.encode(texts, progress=tick)
        embed_seconds += time.perf_counter() - t
    # A phrase identical to a product text just embedded reuses its vector instead of a second encoding.
    by_text = {txt: vectors[i] for txt, i in zip(texts, todo, strict=True)}
    phrases_embedded = 0

    def embed_phrases(batch: list[str]) -> np.ndarray:
        nonlocal embed_seconds, phrases_embedded
        out = np.zeros((len(batch), embedder.dim), np.float32)
        new = [i for i, txt in enumerate(batch) if txt not in by_text]
        for i in set(range(len(batch))) - set(new):
            out[i] = by_text[batch[i]]
        if new:
            t = time.perf_counter()
            out[new] = embedder.encode([batch[i] for i in new])
            embed_seconds += time.perf_counter() - t
        phrases_embedded += len(new)
        return out

    manifest = Manifest(
        model=embedder.name,
        dim=embedder.dim,
        count=len(products),
        catalog_sha256=file_sha256(catalog),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        content_hashes=hashes,
        catalog_path=str(catalog),
        encoder=getattr(embedder, "encoder", "torch"),
        quantization=getattr(embedder, "quantization", "none"),
    )
    # Autocomplete phrases are built with (and switched together with) the product index.
    old_vdir = None if full or not old_hashes else index_dir / str(current_version(index_dir))
    phrases, phrase_vectors = build_suggestions(products, vectors, embed_phrases, previous_vectors(old_vdir))

    def write_phrases(vdir: Path) -> list[str]:
        write_suggestions(vdir, phrases, phrase_vectors)
        return [PHRASES_FILE, VECTORS_FILE]

    version = write_version(index_dir, manifest, products, vectors, extra=write_phrases, queries=phrase_vectors)
    added = sum(1 for pid in hashes if pid not in old_hashes)
    return BuildSummary(
        version=version,
        count=len(products),
        added=added,
        changed=len(todo) - added if not full else 0,
        removed=sum(1 for pid in old_hashes if pid not in hashes),
        unchanged=len(products) - len(todo),
        embedded=len(todo),
        seconds=time.perf_counter() - t0,
        skipped=report.skipped,
        phrases=len(phrases),
        phrases_embedded=phrases_embedded,
        embed_seconds=embed_seconds,
    )
