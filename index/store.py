"""On-disk index: versioned directories, a manifest, and an atomic `CURRENT` pointer.

    index_dir/CURRENT             name of the serving version (replaced atomically)
    index_dir/v-<time>-<rand>/    manifest.json, vectors.npy, faiss.index, products.jsonl

A build writes a fresh version directory and only then swaps CURRENT, so a crash mid-build
leaves the previous version serving.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from index.catalog import Product
from index.vectors import FaissIndex, fsync_write

FORMAT_VERSION = 1
POINTER = "CURRENT"


class IndexNotFound(Exception):
    """No built index in the directory; build one with scripts/rebuild_index.py."""


class IndexMismatch(Exception):
    """The index on disk was built with another model or format than the one loading it."""


@dataclass
class Manifest:
    model: str
    dim: int
    count: int
    catalog_sha256: str
    built_at: str
    content_hashes: dict[str, str] = field(default_factory=dict)
    index_kind: str = "flat"
    catalog_path: str = ""
    format_version: int = FORMAT_VERSION
    # The encoder backend that embedded the products and its quantization (older manifests: torch, none).
    encoder: str = "torch"
    quantization: str = "none"

    def summary(self) -> dict:
        return {
            "count": self.count,
            "model": self.model,
            "dim": self.dim,
            "built_at": self.built_at,
            "catalog_sha256": self.catalog_sha256,
            "index_kind": self.index_kind,
            "encoder": self.encoder,
            "quantization": self.quantization,
        }


@dataclass
class LoadedIndex:
    """Everything search needs, read from one version directory."""

    manifest: Manifest
    products: list[Product]
    vectors: np.ndarray
    vector_index: FaissIndex
    version: str
    id_to_row: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.id_to_row = {p.id: i for i, p in enumerate(self.products)}

    def product(self, pid: str) -> Product | None:
        row = self.id_to_row.get(pid)
        return None if row is None else self.products[row]


def current_version(index_dir: Path) -> str | None:
    ptr = Path(index_dir) / POINTER
    return ptr.read_text().strip() if ptr.exists() else None


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def write_version(
    index_dir: Path,
    manifest: Manifest,
    products: list[Product],
    vectors: np.ndarray,
    keep: int = 2,
    extra: Callable[[Path], list[str]] | None = None,
    queries: np.ndarray | None = None,
) -> str:
    """Write a complete new version, then point CURRENT at it. Returns the version name.

    extra(version_dir) writes further files of the version (e.g. autocomplete phrases) and returns
    their names; they are fsynced with the rest before the switch. `queries`: query-like vectors an
    approximate index calibrates its search effort on (the autocomplete phrases).
    """
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"v-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    vdir = index_dir / name
    vdir.mkdir()
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    np.save(vdir / "vectors.npy", vectors)
    vindex = FaissIndex(manifest.dim)
    vindex.build(vectors, queries=queries)
    manifest.index_kind = vindex.kind
    vindex.save(vdir / "faiss.index")
    with open(vdir / "products.jsonl", "w", encoding="utf-8") as f:
        for p in products:
            f.write(json.dumps(p.to_dict(), ensure_ascii=False) + "\n")
    extra_files = extra(vdir) if extra is not None else []
    for fn in ("vectors.npy", "faiss.index", "products.jsonl", *extra_files):
        _fsync_file(vdir / fn)
    fsync_write(vdir / "manifest.json", json.dumps(asdict(manifest), indent=1).encode())
    fsync_write(index_dir / POINTER, name.encode())  # the switch
    _prune(index_dir, keep=keep, serving=name)
    return name


def _prune(index_dir: Path, keep: int, serving: str) -> None:
    """Drop old versions (and leftovers of crashed builds), keeping the newest `keep`."""
    versions = sorted(d for d in index_dir.iterdir() if d.is_dir() and d.name.startswith("v-"))
    done = [d for d in versions if (d / "manifest.json").exists()]
    for d in versions:
        if d.name == serving:
            continue
        if d not in done or d in done[:-keep]:
            shutil.rmtree(d, ignore_errors=True)


def read_manifest(index_dir: Path, version: str | None = None) -> Manifest:
    version = version or current_version(index_dir)
    if not version:
        raise IndexNotFound(
            f"no index in {index_dir}: build it with `python scripts/rebuild_index.py --index-dir {index_dir}`"
        )
    data = json.loads((Path(index_dir) / version / "manifest.json").read_text())
    return Manifest(**data)


def load_index(index_dir: Path, model: str, dim: int) -> LoadedIndex:
    """Load the serving version; refuse one built with another model, dimension or format."""
    index_dir = Path(index_dir)
    version = current_version(index_dir)
    manifest = read_manifest(index_dir, version)
    if manifest.format_version != FORMAT_VERSION:
        raise IndexMismatch(
            f"index format {manifest.format_version} in {index_dir}, this version reads "
            f"{FORMAT_VERSION}: rebuild with `scripts/rebuild_index.py --full`"
        )
    base, _, quantization = model.partition("+")
    built_base, _, built_quantization = manifest.model.partition("+")
    if base == built_base and manifest.dim == dim and quantization != built_quantization:
        # Same model, other vector space: int8 vectors are not within cosine 0.999 of fp32 ones.
        raise IndexMismatch(
            f"index in {index_dir} was built with the {manifest.encoder} encoder "
            f"({built_quantization or 'no'} quantization) but this process encodes with "
            f"{quantization or 'no'} quantization: set SHOPMATE_ENCODER={manifest.encoder} or rebuild with "
            f"`scripts/rebuild_index.py --full`"
        )
    if manifest.model != model or manifest.dim != dim:
        raise IndexMismatch(
            f"index in {index_dir} was built with {manifest.model} ({manifest.dim}-d) but the "
            f"server embeds with {model} ({dim}-d): rebuild with "
            f"`scripts/rebuild_index.py --full`"
        )
    vdir = index_dir / str(version)
    with open(vdir / "products.jsonl", encoding="utf-8") as f:
        products = [Product.from_dict(json.loads(line)) for line in f]
    vindex = FaissIndex.load(vdir / "faiss.index", dim)
    # An exact index already holds every vector in float32: share them instead of reading a second copy. An
    # ANN index stores codes; its float32 vectors are memory-mapped (pages are read when a filter scores rows).
    vectors = vindex.stored_vectors()
    if vectors is None:
        vectors = np.load(vdir / "vectors.npy", mmap_mode=None if vindex.kind == "flat" else "r")
    vindex.exact_vectors = vectors
    if not (len(products) == vectors.shape[0] == len(vindex) == manifest.count):
        raise IndexMismatch(
            f"index version {version} is inconsistent (products {len(products)}, vectors "
            f"{vectors.shape[0]}, manifest {manifest.count}): rebuild with --full"
        )
    return LoadedIndex(manifest, products, vectors, vindex, str(version))
