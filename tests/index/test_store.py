"""Index build and store: incremental rebuilds, atomic switch, crash safety, manifest checks, FAISS vs NumPy."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from index.build import build_index
from index.store import IndexMismatch, current_version, load_index, read_manifest
from index.vectors import FaissIndex, NumpyIndex
from tests.conftest import FLIPKART_MAPPING, ROOT, TINY_CATALOG


def _edited_catalog(tmp_path, n_edits: int = 1):
    """The tiny catalog with the title of the first n rows changed."""
    rows = list(csv.DictReader(TINY_CATALOG.open(encoding="utf-8")))
    for r in rows[:n_edits]:
        r["product_name"] = r["product_name"] + " (new season)"
    out = tmp_path / "edited.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return out, rows


def test_manifest_describes_the_build(tiny_index_dir, tiny_products, embedder):
    man = read_manifest(tiny_index_dir)
    assert man.model == embedder.name and man.dim == 384 and man.count == len(tiny_products)
    assert len(man.catalog_sha256) == 64 and len(man.content_hashes) == man.count
    loaded = load_index(tiny_index_dir, embedder.name, embedder.dim)
    assert loaded.vectors.shape == (man.count, 384)
    assert np.allclose(np.linalg.norm(loaded.vectors, axis=1), 1.0, atol=1e-4)


def test_identical_rebuild_embeds_nothing_and_one_edit_embeds_one(copy_index, embedder, mapping, tmp_path):
    d = copy_index()
    before = current_version(d)
    same = build_index(TINY_CATALOG, d, embedder, mapping)
    assert (same.embedded, same.changed, same.added, same.removed) == (0, 0, 0, 0)
    assert current_version(d) != before  # a new version was still written and switched to

    edited, rows = _edited_catalog(tmp_path, 1)
    one = build_index(edited, d, embedder, mapping)
    assert (one.embedded, one.changed, one.added, one.removed) == (1, 1, 0, 0)
    loaded = load_index(d, embedder.name, embedder.dim)
    p = loaded.product(rows[0]["uniq_id"])
    assert p.title.endswith("(new season)")
    # the re-embedded vector is the one of the new text, the others are reused as they were
    from index.embedder import product_text

    assert np.allclose(loaded.vectors[loaded.id_to_row[p.id]], embedder.encode([product_text(p)])[0], atol=1e-5)


def test_full_rebuild_reembeds_everything(copy_index, embedder, mapping):
    d = copy_index()
    s = build_index(TINY_CATALOG, d, embedder, mapping, full=True)
    assert s.embedded == s.count


def test_crash_mid_build_leaves_previous_index_serving(copy_index, embedder, mapping, tmp_path):
    d = copy_index()
    before = current_version(d)
    edited, _ = _edited_catalog(tmp_path, 50)

    def crash(done, total):
        raise KeyboardInterrupt("power cut")

    with pytest.raises(KeyboardInterrupt):
        build_index(edited, d, embedder, mapping, full=True, progress=crash)
    assert current_version(d) == before
    assert load_index(d, embedder.name, embedder.dim).manifest.count > 0


def test_build_killed_with_sigkill_leaves_previous_index_loadable(copy_index, embedder):
    d = copy_index()
    before = current_version(d)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "scripts" / "rebuild_index.py"),
            "--catalog",
            str(TINY_CATALOG),
            "--mapping",
            str(FLIPKART_MAPPING),
            "--index-dir",
            str(d),
            "--full",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    # kill while it embeds: the progress bar shows up once embedding has started
    buf = b""
    deadline = time.time() + 120
    while b"embedding" not in buf and time.time() < deadline and proc.poll() is None:
        buf += os.read(proc.stdout.fileno(), 256)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert current_version(d) == before
    loaded = load_index(d, embedder.name, embedder.dim)
    assert loaded.version == before and loaded.manifest.count == len(loaded.products)


def test_model_mismatch_is_refused_with_a_clear_message(copy_index, embedder):
    d = copy_index()
    with pytest.raises(IndexMismatch, match="rebuild"):
        load_index(d, "some/other-model", embedder.dim)
    with pytest.raises(IndexMismatch, match="768-d"):
        load_index(d, embedder.name, 768)
    man_path = d / current_version(d) / "manifest.json"
    man = json.loads(man_path.read_text())
    man["model"] = "intfloat/e5-small"
    man_path.write_text(json.dumps(man))
    with pytest.raises(IndexMismatch, match="e5-small"):
        load_index(d, embedder.name, embedder.dim)


def test_incremental_build_after_model_change_reembeds_all(copy_index, embedder, mapping):
    d = copy_index()
    man_path = d / current_version(d) / "manifest.json"
    man = json.loads(man_path.read_text())
    man["model"] = "intfloat/e5-small"
    man_path.write_text(json.dumps(man))
    s = build_index(TINY_CATALOG, d, embedder, mapping)
    assert s.embedded == s.count


@pytest.mark.parametrize("with_filter", [False, True])
def test_faiss_matches_numpy_oracle(tiny_index_dir, embedder, with_filter):
    loaded = load_index(tiny_index_dir, embedder.name, embedder.dim)
    oracle = NumpyIndex(embedder.dim)
    oracle.build(loaded.vectors)
    rng = np.random.default_rng(7)
    allowed = rng.random(len(loaded.products)) < 0.2 if with_filter else None
    for q in ["running shoes", "red dress", "phone cover", "gold necklace"]:
        qv = embedder.encode_query(q)
        d1, i1 = loaded.vector_index.search(qv, 10, allowed)
        d2, _i2 = oracle.search(qv, 10, allowed)
        assert np.allclose(d1, d2, atol=1e-4)
        # same rows up to ties (the catalog repeats products): each returned row really has that score
        assert np.allclose(loaded.vectors[i1] @ qv, d2, atol=1e-4)
        assert len(set(i1.tolist())) == len(i1)
        if allowed is not None:
            assert all(allowed[i] for i in i1)


def test_faiss_add_remove_save_load(tmp_path):
    rng = np.random.default_rng(1)
    v = rng.normal(size=(50, 8)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    fi = FaissIndex(8)
    fi.build(v[:40])
    fi.add(v[40:])
    fi.remove(np.array([0]))
    assert len(fi) == 49
    fi.save(tmp_path / "x.index")
    back = FaissIndex.load(tmp_path / "x.index", 8)
    oracle = NumpyIndex(8)
    oracle.build(np.delete(v, 0, axis=0))
    assert list(back.search(v[5], 5)[1]) == list(oracle.search(v[5], 5)[1])


def test_embedding_plan_encodes_each_distinct_text_once():
    from index.build import embedding_plan

    texts, prod, phr = embedding_plan(["a b", "c d", "a b"], ["red dress", "c d", "old phrase"], {"old phrase": None})
    assert texts == ["a b", "c d", "red dress"]  # duplicates and the phrase equal to a product text: once
    assert prod.tolist() == [0, 1, 0] and phr.tolist() == [2, 1, -1]  # -1: reused from the last version


def test_one_pass_build_gives_each_text_its_own_vector(tiny_index_dir, embedder):
    """Products and phrases share one length-sorted encoder pass; every row still embeds its own text."""
    from index.embedder import product_text
    from index.suggestions import read_suggestions

    loaded = load_index(tiny_index_dir, embedder.name, embedder.dim)
    direct = embedder.encode([product_text(p) for p in loaded.products[:40]])
    assert np.sum(direct * loaded.vectors[:40], axis=1).min() >= 0.9999
    phrases, vecs = read_suggestions(tiny_index_dir / current_version(tiny_index_dir))
    pick = list(range(0, len(phrases), max(1, len(phrases) // 40)))
    direct = embedder.encode([phrases[i].text for i in pick])
    assert np.sum(direct * vecs[pick], axis=1).min() >= 0.999  # float16 on disk


def test_exact_index_holds_each_vector_once(tiny_index_dir, embedder):
    """The loaded vectors are a read-only view of FAISS's own storage, equal to vectors.npy."""
    loaded = load_index(tiny_index_dir, embedder.name, embedder.dim)
    on_disk = np.load(tiny_index_dir / current_version(tiny_index_dir) / "vectors.npy")
    assert loaded.vector_index.kind == "flat" and np.array_equal(loaded.vectors, on_disk)
    assert not loaded.vectors.flags.owndata and not loaded.vectors.flags.writeable
    assert np.shares_memory(loaded.vectors, loaded.vector_index.stored_vectors())
    q = loaded.vectors[3]
    assert loaded.vector_index.search(q, 1)[1][0] == 3


def test_phrase_json_line_has_every_field_as_asdict_gives_it():
    # Phrase.to_json names its fields by hand (speed): a field added to Phrase must be written too
    import json
    from dataclasses import asdict

    from index.suggestions import Phrase

    ph = Phrase("women's kurta", "query", 12, ["p1", "p2"], 9)
    assert ph.to_json() == json.dumps(asdict(ph), ensure_ascii=False)
    assert Phrase(**json.loads(ph.to_json())) == ph
