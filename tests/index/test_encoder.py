"""Encoder backends: each agrees with torch, an index is never served by an incompatible one, ONNX needs no torch."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from index.build import build_index
from index.embedder import MODEL_NAME, Embedder, product_text, space_name
from index.encoders import ENCODERS, EncoderUnavailable
from index.store import IndexMismatch, current_version, load_index
from tests.conftest import FLIPKART_MAPPING, ROOT, TINY_CATALOG

# A fixed query set: short shopper queries and longer product-like texts (batched, so padding is exercised).
QUERIES = [
    "running shoes",
    "red dress for party",
    "phone cover",
    "gold necklace set",
    "men's formal shirt",
    "cotton kurta",
    "baby toys",
    "leather wallet for men",
    "sports bra",
    "laptop backpack",
    "wall sticker",
    "silver ring",
    "car seat cover",
    "stainless steel water bottle 1 litre",
    "sunglasses",
    "kids",
    "Bluetooth headphones with mic",
    "Alisha Solid Women's Cycling Shorts. Shorts. Clothing > Women's Clothing. colour black. for women",
    "FabHomeDecor Fabric Double Sofa Bed (Finish Color - Leatherette Black Mechanism Type - Pull Out)",
]


@pytest.fixture(scope="module")
def torch_vectors() -> np.ndarray:
    return Embedder(encoder="torch").encode(QUERIES)


@pytest.mark.parametrize("encoder", ENCODERS)
def test_each_backend_agrees_with_torch(encoder, embedder, torch_vectors):
    emb = embedder if encoder == embedder.encoder else Embedder(encoder=encoder)
    assert emb.encoder == encoder and emb.dim == 384
    batch = emb.encode(QUERIES)
    single = np.stack([emb.encode_query(q) for q in QUERIES])  # one at a time: no padding
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-4)
    for got in (batch, single):
        cos = np.sum(got * torch_vectors, axis=1)
        assert cos.min() >= 0.99, f"{encoder}: min cosine {cos.min():.4f} to torch"
    if emb.quantization == "none":  # the compatibility claim: same vector space as torch
        assert np.sum(batch * torch_vectors, axis=1).min() >= 0.999
        assert emb.name == MODEL_NAME
    else:
        assert emb.name == space_name(MODEL_NAME, emb.quantization) != MODEL_NAME


def test_unknown_encoder_is_refused_with_the_choices():
    with pytest.raises(EncoderUnavailable, match="onnx-int8"):
        Embedder(encoder="tensorflow")


def test_manifest_records_the_encoder(tiny_index_dir, embedder):
    man = load_index(tiny_index_dir, embedder.name, embedder.dim).manifest
    assert (man.encoder, man.quantization) == (embedder.encoder, embedder.quantization)
    assert man.summary()["encoder"] == embedder.encoder


def test_fp32_backends_share_an_index_but_int8_is_refused(copy_index, embedder):
    d = copy_index()
    assert embedder.quantization == "none"
    # torch and onnx give the same vectors: an index built by one is served by the other
    assert load_index(d, MODEL_NAME, embedder.dim).manifest.count > 0
    with pytest.raises(IndexMismatch, match=r"SHOPMATE_ENCODER=onnx\b.*--full"):
        load_index(d, space_name(MODEL_NAME, "int8-dynamic"), embedder.dim)
    # and the other way round: an int8-built index refuses an fp32 encoder, naming the one to set
    man_path = d / current_version(d) / "manifest.json"
    man = json.loads(man_path.read_text())
    man.update(model=space_name(MODEL_NAME, "int8-dynamic"), encoder="onnx-int8", quantization="int8-dynamic")
    man_path.write_text(json.dumps(man))
    with pytest.raises(IndexMismatch, match=r"SHOPMATE_ENCODER=onnx-int8.*--full"):
        load_index(d, embedder.name, embedder.dim)


def test_incremental_build_with_another_quantization_reembeds_all(copy_index, mapping, embedder):
    d = copy_index()
    before = load_index(d, embedder.name, embedder.dim).vectors.copy()
    int8 = Embedder(encoder="onnx-int8")
    s = build_index(TINY_CATALOG, d, int8, mapping)
    assert s.embedded == s.count
    loaded = load_index(d, int8.name, int8.dim)
    assert (loaded.manifest.encoder, loaded.manifest.quantization) == ("onnx-int8", "int8-dynamic")
    fresh = int8.encode([product_text(p) for p in loaded.products[:20]])
    # int8 activations are quantized per batch, so a text's vector depends slightly on its batch mates
    assert np.sum(loaded.vectors[:20] * fresh, axis=1).min() >= 0.99
    assert not np.allclose(loaded.vectors, before, atol=1e-3)  # really re-embedded, not the fp32 vectors kept
    assert loaded.vector_index.search(int8.encode_query("running shoes"), 5)[1].size == 5


def test_serving_with_onnx_does_not_import_torch(tiny_index_dir, embedder, tmp_path):
    """The real app (lifespan, services, a search and an autocomplete) in a fresh process."""
    assert embedder.encoder == "onnx"  # the export exists now (the fixture created it)
    code = f"""
import sys
from pathlib import Path
from fastapi.testclient import TestClient
from assistant.api.app import create_app
from assistant.settings import Settings
s = Settings.from_env(env={{}}, index_dir=Path({str(tiny_index_dir)!r}), catalog=Path({str(TINY_CATALOG)!r}),
    mapping=Path({str(FLIPKART_MAPPING)!r}), data_dir=Path({str(tmp_path / "state")!r}), encoder="onnx")
with TestClient(create_app(s)) as c:
    r = c.get("/api/search", params={{"q": "red dress"}})
    assert r.status_code == 200 and r.json()["results"], r.text
    assert c.get("/api/autocomplete", params={{"q": "red"}}).status_code == 200
print(*(m in sys.modules for m in ("torch", "sentence_transformers", "transformers")))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-3:] == ["False", "False", "False"], out.stdout
