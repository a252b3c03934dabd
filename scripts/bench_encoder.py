"""Encoder backends side by side (`make bench` runs it): query encoding, build throughput, memory, ANN at scale.

    python scripts/bench_encoder.py [--quick] [--catalog ...] [--scale 1000000] [--out bench/encoder.json]

- query encoding p50/p99 of torch, onnx and onnx-int8, one query at a time, interleaved per query so machine
  noise hits all three alike; min/mean cosine of each to torch on the same queries;
- build throughput: a full build of a catalog sample (products + autocomplete phrases) against the encoder's
  raw batch throughput on exactly the texts that build embedded, measured right after it;
- memory: RSS of a fresh process holding each backend; index bytes per 1k products (suggestion vectors
  float16 as written now, against float32 as before);
- ANN at scale: SYNTHETIC vectors (bench/scale.py, `ann_at_scale`), IVF-SQ8 against exact search.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

from bench import scale  # noqa: E402
from bench.sample import sample_csv  # noqa: E402
from bench.speed import summary  # noqa: E402
from index.build import build_index, embedding_plan  # noqa: E402
from index.catalog import Mapping, load_catalog  # noqa: E402
from index.embedder import Embedder, product_text  # noqa: E402
from index.encoders import DEFAULT_ENCODER, ENCODERS  # noqa: E402
from index.store import current_version  # noqa: E402
from index.suggestions import PHRASES_FILE, VECTORS_FILE, candidate_phrases  # noqa: E402

LABEL = "measured under load (2 shared cores, other processes running): compare ratios, not absolute ms"


def queries(path: Path, n: int) -> list[str]:
    return [json.loads(line)["query"] for line in path.open(encoding="utf-8") if line.strip()][:n]


def bench_encoding(qs: list[str], rounds: int) -> dict:
    """Per-query latency of each backend (cache bypassed), interleaved; cosine to torch."""
    models = {enc: Embedder(encoder=enc, threads=1) for enc in ENCODERS}
    ref = models["torch"].encode(qs)
    times: dict[str, list[float]] = {enc: [] for enc in ENCODERS}
    for _ in range(rounds):
        for q in qs:
            for enc, m in models.items():
                t = time.perf_counter()
                m.encode([q])
                times[enc].append((time.perf_counter() - t) * 1000)
    out: dict = {}
    for enc, m in models.items():
        cos = np.sum(m.encode(qs) * ref, axis=1)
        out[enc] = {
            **summary(times[enc]),
            "min_cosine_to_torch": round(float(cos.min()), 5),
            "mean_cosine_to_torch": round(float(cos.mean()), 5),
        }
    torch_p50 = out["torch"]["p50_ms"]
    for enc in ENCODERS:
        out[enc]["p50_vs_torch"] = round(out[enc]["p50_ms"] / torch_p50, 3) if torch_p50 else None
    return out


def _raw_encode(emb: Embedder, texts: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one raw encoder pass over texts (CPU of this process: all encoder threads)."""
    w, c = time.perf_counter(), time.process_time()
    emb.encode(texts)
    return time.perf_counter() - w, time.process_time() - c


def bench_build(catalog: Path, mapping: Mapping, encoder: str, sample: int, rounds: int = 2) -> tuple[dict, np.ndarray]:
    """Full builds of a sample, each between two raw encoder passes over exactly the texts that build encoded.

    raw, build, raw, build, raw: each build's ratio = its texts/s over the mean raw texts/s of the passes either
    side of it (a load change during the run hits both sides); the figure is the median over the rounds, each
    round given too. Wall-clock and CPU-time ratios are both given: on shared cores the CPU ratio is the
    steadier of the two (it counts work done, not waiting for a core).
    """
    emb = Embedder(encoder=encoder)
    cat = sample_csv(catalog, sample, ROOT / "bench" / "tmp" / "encoder")
    products = load_catalog(cat, mapping).products
    phrases, _ = candidate_phrases(products)
    texts, _, _ = embedding_plan([product_text(p) for p in products], [ph.text for ph in phrases], {})
    emb.encode(texts[:64])  # warm-up: first-run allocations are neither side's cost
    raws = [_raw_encode(emb, texts)]
    builds: list[tuple[float, float, float]] = []  # (wall, CPU, encoder busy) seconds per build
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            idx = Path(tmp) / "idx"
            c0 = time.process_time()
            s = build_index(cat, idx, emb, mapping)
            builds.append((s.seconds, time.process_time() - c0, s.embed_seconds))
            vdir = idx / str(current_version(idx))
            seeds = np.load(vdir / "vectors.npy")
            sizes = {f.name: f.stat().st_size for f in vdir.iterdir() if f.is_file()}
        raws.append(_raw_encode(emb, texts))
        if s.texts_encoded != len(texts):
            raise RuntimeError(f"the build encoded {s.texts_encoded} texts, the plan has {len(texts)}")
    wall_ratios = [(raws[i][0] + raws[i + 1][0]) / 2 / b[0] for i, b in enumerate(builds)]
    cpu_ratios = [(raws[i][1] + raws[i + 1][1]) / 2 / b[1] for i, b in enumerate(builds)]
    build_wall = float(np.median([b[0] for b in builds]))
    raw_wall = float(np.median([r[0] for r in raws]))
    busy = float(np.median([b[2] for b in builds]))
    per_1k = 1000 / max(s.count, 1) / 1e6
    sugg = sizes.get(VECTORS_FILE, 0)
    return {
        "encoder": encoder,
        "products": s.count,
        "phrases": s.phrases,
        "texts_encoded": len(texts),
        "rounds": rounds,
        "build_seconds": round(build_wall, 2),
        "build_seconds_per_round": [round(b[0], 2) for b in builds],
        "build_cpu_seconds_per_round": [round(b[1], 2) for b in builds],
        "encoder_busy_seconds": round(busy, 2),
        "raw_encode_seconds": [round(r[0], 2) for r in raws],
        "raw_encode_cpu_seconds": [round(r[1], 2) for r in raws],
        "build_texts_per_s": round(len(texts) / build_wall, 1),
        "build_products_per_s": round(s.count / build_wall, 1),
        "raw_encoder_texts_per_s": round(len(texts) / raw_wall, 1),
        "build_vs_raw": round(float(np.median(wall_ratios)), 3),
        "build_vs_raw_per_round": [round(x, 3) for x in wall_ratios],
        "build_vs_raw_cpu": round(float(np.median(cpu_ratios)), 3),
        "build_vs_raw_cpu_per_round": [round(x, 3) for x in cpu_ratios],
        "non_encoder_share_of_build": round(1 - busy / build_wall, 3),
        "index_mb_per_1k_products": round(sum(sizes.values()) * per_1k, 3),
        "suggestion_vectors_mb_per_1k_float16": round(sugg * per_1k, 3),
        "suggestion_vectors_mb_per_1k_float32_before": round((sugg - 128) * 2 * per_1k, 3),
        "index_mb_per_1k_products_before": round((sum(sizes.values()) + sugg - 128) * per_1k, 3),
        "files": {k: v for k, v in sizes.items() if k in (VECTORS_FILE, PHRASES_FILE, "vectors.npy", "faiss.index")},
    }, seeds


# VmRSS from /proc, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child would report its parent's.
_RSS = """
import sys, json
from index.embedder import Embedder
e = Embedder(encoder=sys.argv[1], threads=1)
e.encode(["warm up the encoder", "red dress"])
kb = next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmRSS:"))
print(json.dumps({"rss_mb": round(kb / 1024, 1), "torch_imported": "torch" in sys.modules}))
"""


def bench_rss() -> dict:
    """Peak RSS of a fresh process that loads each backend and encodes (the model's share of a server)."""
    out = {}
    for enc in ENCODERS:
        r = subprocess.run([sys.executable, "-c", _RSS, enc], cwd=ROOT, capture_output=True, text=True, timeout=900)
        out[enc] = json.loads(r.stdout.strip().splitlines()[-1]) if r.returncode == 0 else {"error": r.stderr[-300:]}
    return out


def run(
    quick: bool, catalog: Path, mapping: Path, scale_n: int | None, parts: set[str], seeds_index: Path | None = None
) -> dict:
    qpath = ROOT / "bench" / "queries.jsonl"
    result: dict = {"label": LABEL, "default_encoder": DEFAULT_ENCODER, "quick": quick}
    qs = queries(qpath, 30 if quick else 120)
    if "encoding" in parts:
        result["encoding"] = bench_encoding(qs, 1 if quick else 3)
    seeds: np.ndarray | None = None
    if seeds_index is not None:
        vdir = seeds_index / str(current_version(seeds_index))
        seeds = np.load(vdir / "vectors.npy")
    if "build" in parts:
        result["build"], seeds = bench_build(catalog, Mapping.load(mapping), DEFAULT_ENCODER, 150 if quick else 1000)
    if "rss" in parts:
        result["rss_model_only"] = bench_rss()
    if "scale" in parts:
        n = scale_n or (30_000 if quick else 1_000_000)
        emb = Embedder()
        qv = emb.encode(qs)
        # Seeds of the synthetic copies: the real product vectors of the build part (else random unit vectors).
        result["ann_scale"] = scale.ann_at_scale(n, qv, seeds)
        result["ann_scale"]["seeds"] = f"{len(seeds)} real product vectors" if seeds is not None else "random"
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--catalog", type=Path, default=ROOT / "data" / "catalog" / "flipkart-20k.csv")
    ap.add_argument("--mapping", type=Path, default=ROOT / "data" / "catalog" / "flipkart.mapping.json")
    ap.add_argument("--scale", type=int, default=None, help="synthetic vectors for the ANN part (default 1M)")
    ap.add_argument("--parts", default="encoding,build,rss,scale")
    ap.add_argument("--seeds-index", type=Path, default=None, help="scale only: seed vectors from this index")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "encoder.json")
    a = ap.parse_args(argv)
    result = run(a.quick, a.catalog, a.mapping, a.scale, {p.strip() for p in a.parts.split(",")}, a.seeds_index)
    a.out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
