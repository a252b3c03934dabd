"""Build (incrementally) an index version from a catalog: only changed products are re-embedded."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from collections.abc import Mapping as Mapping_
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.catalog import CatalogError, LoadReport, Mapping, file_sha256, load_catalog
from index.embedder import Embedder, product_text
from index.store import IndexNotFound, Manifest, current_version, read_manifest, write_version
from index.suggestions import (
    PHRASES_FILE,
    VECTORS_FILE,
    attach_top,
    candidate_phrases,
    previous_vectors,
    write_suggestions,
)


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
    texts_encoded: int = 0  # distinct texts of the one encoder pass (products and phrases, duplicates once)

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


def _previous(index_dir: Path, embedder: Embedder) -> tuple[dict[str, str], np.ndarray, dict[str, int]]:
    """Content hashes, vectors (memory-mapped) and id -> row of the serving version, if built with the same model."""
    empty = np.zeros((0, embedder.dim), np.float32)
    try:
        man = read_manifest(index_dir)
    except (IndexNotFound, FileNotFoundError):
        return {}, empty, {}
    if man.model != embedder.name or man.dim != embedder.dim:
        return {}, empty, {}
    vdir = Path(index_dir) / str(current_version(index_dir))
    vectors = np.load(vdir / "vectors.npy", mmap_mode="r")
    return man.content_hashes, vectors, {pid: i for i, pid in enumerate(man.content_hashes)}  # insertion = row order


def embedding_plan(
    product_texts: Sequence[str], phrase_texts: Sequence[str], reused: Mapping_[str, np.ndarray]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The distinct texts one encoder pass embeds, and where each product and phrase finds its vector.

    Returns (texts, product_slot, phrase_slot): product i's vector is row product_slot[i] of the encoded
    texts; phrase j's is row phrase_slot[j], or -1 when `reused` (the last version's phrases) holds it.
    A text given twice (two products with one text, a phrase equal to a product text) is encoded once.
    """
    slot: dict[str, int] = {}
    product_slot = np.fromiter((slot.setdefault(t, len(slot)) for t in product_texts), np.int64, len(product_texts))
    phrase_slot = np.fromiter(
        (-1 if t in reused else slot.setdefault(t, len(slot)) for t in phrase_texts), np.int64, len(phrase_texts)
    )
    return list(slot), product_slot, phrase_slot


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

    Products and autocomplete phrases are embedded in one pass (one length-sorted batching over both).
    progress(n_done, n_total) is called after each embedded batch (texts: products and phrases).
    """
    t0 = time.perf_counter()
    index_dir = Path(index_dir)
    report: LoadReport = load_catalog(catalog, mapping, strict=strict)
    products = report.products
    old_hashes, old_vectors, old_row = (
        ({}, np.zeros((0, embedder.dim), np.float32), {}) if full else _previous(index_dir, embedder)
    )
    hashes = {p.id: p.content_hash() for p in products}
    keep = [i for i, p in enumerate(products) if old_hashes.get(p.id) == hashes[p.id]]
    kept = set(keep)
    todo = [i for i in range(len(products)) if i not in kept]
    vectors = np.zeros((len(products), embedder.dim), np.float32)
    if keep:
        vectors[keep] = old_vectors[[old_row[products[i].id] for i in keep]]
    # Autocomplete phrases are built with (and switched together with) the product index.
    old_vdir = None if full or not old_hashes else index_dir / str(current_version(index_dir))
    phrases, matches = candidate_phrases(products)
    reused = previous_vectors(old_vdir)
    texts, product_slot, phrase_slot = embedding_plan(
        [product_text(products[i]) for i in todo], [ph.text for ph in phrases], reused
    )
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, len(texts))

    t = time.perf_counter()
    encoded = embedder.encode(texts, progress=tick) if texts else np.zeros((0, embedder.dim), np.float32)
    embed_seconds = time.perf_counter() - t
    if todo:
        vectors[todo] = encoded[product_slot]
    phrase_vectors = np.zeros((len(phrases), embedder.dim), np.float32)
    new = phrase_slot >= 0
    phrase_vectors[new] = encoded[phrase_slot[new]]
    for j in np.flatnonzero(~new).tolist():
        phrase_vectors[j] = reused[phrases[j].text]
    attach_top(phrases, matches, products, vectors, phrase_vectors)
    phrases_embedded = int(new.sum())

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
        texts_encoded=len(texts),
    )
