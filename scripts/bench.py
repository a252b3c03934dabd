"""The one benchmark command (`make bench`): relevance and speed, each beside its baseline, in one run.

Writes bench/results.json, bench/REPORT.md (+ PNG plots) and prints a summary table.

    python scripts/bench.py [--quick] [--index-dir data/index] [--out-dir bench] [--external all|none|a,b]

--quick runs every part on small samples: by default over a 1,000-product sample of the bundled catalog
(every 20th product, indexed once into bench/tmp/quick/) and writes into bench/quick/, so it needs no
built data/index and leaves the full run's report alone. Give --index-dir to run it on another index.

Parts: relevance on the bundled catalog (rule-labelled queries, bench/relevance_queries.jsonl) and on
WANDS when it is in ../shared/data; index build products/s (full and 1% incremental, reusing
scripts/bench_search.py); in-process and HTTP search latency (BM25/dense/hybrid/personalized, 1 and 8
clients, /healthz as baseline); server RSS and index size per 1k products; latency from 1k to 20k to
100k products (100k synthetic); then the personalization, autocomplete, outfit and chat scripts of the
other features (bench/external.py); last, the replicas: SQLite 1 process, PostgreSQL 1 and 2 replicas
(bench/replicas.py, its own server processes).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from assistant.search.engine import SearchEngine  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench import external, floor, plots, quality, replicas, report, scale, speed  # noqa: E402
from bench.quality import METHOD_LABELS  # noqa: E402
from bench.sample import sample_csv  # noqa: E402
from index.build import build_index  # noqa: E402
from index.catalog import Mapping  # noqa: E402
from index.embedder import Embedder  # noqa: E402
from index.store import load_index  # noqa: E402

SCHEMA_VERSION = 1
QUICK_SAMPLE = 1000  # products of the bundled catalog that --quick indexes and measures


def _bench_search():
    """scripts/bench_search.py (build and in-process query timing), reused rather than duplicated."""
    spec = importlib.util.spec_from_file_location("bench_search", ROOT / "scripts" / "bench_search.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _bench_encoder():
    """scripts/bench_encoder.py (encoder backends, build throughput, memory, ANN at scale)."""
    spec = importlib.util.spec_from_file_location("bench_encoder", ROOT / "scripts" / "bench_encoder.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    meminfo = Path("/proc/meminfo").read_text().splitlines() if Path("/proc/meminfo").exists() else []
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        platform.processor() or "unknown CPU",
    )
    mem = next((int(line.split()[1]) for line in meminfo if line.startswith("MemTotal")), 0)
    return {
        "cpu_model": cpu,
        "cpus": os.cpu_count(),
        "memory_gb": round(mem / 2**20, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def latency_queries(path: Path, labelled: Path, bs) -> list[str]:
    """Shopper queries for timing: bench/queries.jsonl when present, else the labelled set's queries."""
    if path.exists():
        qs = bs.load_queries(path)
        if len(qs) >= 30:
            return qs
    if labelled.exists():
        return [json.loads(line)["query"] for line in labelled.open(encoding="utf-8") if line.strip()]
    return list(bs.DEFAULT_QUERIES)


def fresh_queries(used: list[str], n: int) -> list[str]:
    """Up to n shopper queries (the judged set's) that the timing queries do not contain: new to a server's cache."""
    seen = {" ".join(x.lower().split()) for x in used}
    path = ROOT / "bench" / "judged" / "queries.jsonl"
    qs = [json.loads(line)["query"] for line in path.open(encoding="utf-8") if line.strip()] if path.exists() else []
    return [x for x in dict.fromkeys(qs) if " ".join(x.lower().split()) not in seen][:n]


def _serves(encoder: str, index_dir: Path) -> bool:
    """Whether a server with this encoder can serve the index (int8 and fp32 vectors are separate spaces)."""
    from index.embedder import MODEL_NAME, space_name
    from index.encoders import quantization_of
    from index.store import read_manifest

    return read_manifest(index_dir).model == space_name(MODEL_NAME, quantization_of(encoder))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    s = Settings.from_env()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--quick",
        action="store_true",
        help=f"small samples, about a minute: {QUICK_SAMPLE} products of the catalog, unless --index-dir",
    )
    ap.add_argument("--index-dir", type=Path, default=None, help=f"the built index to measure (default: {s.index_dir})")
    ap.add_argument("--catalog", type=Path, default=s.catalog)
    ap.add_argument("--mapping", type=Path, default=s.mapping)
    ap.add_argument(
        "--out-dir",
        type=Path,
        default=None,
        help="results.json, REPORT.md and plots (default: bench/, with --quick bench/quick/)",
    )
    ap.add_argument("--queries", type=Path, default=ROOT / "bench" / "queries.jsonl", help="queries for timing")
    ap.add_argument("--labelled", type=Path, default=ROOT / "bench" / "relevance_queries.jsonl")
    ap.add_argument(
        "--wands-root",
        type=Path,
        action="append",
        help="where to look for WANDS files (default: ../shared/data and data/)",
    )
    ap.add_argument("--wands-index-dir", type=Path, default=ROOT / "data" / "index-wands")
    ap.add_argument(
        "--work-dir",
        type=Path,
        default=ROOT / "bench" / "tmp",
        help="scratch files kept between runs: samples and their indexes (also given to the feature scripts)",
    )
    ap.add_argument(
        "--report-only",
        action="store_true",
        help="only rewrite REPORT.md from the results.json already in --out-dir (plots are kept)",
    )
    ap.add_argument(
        "--external",
        default="all",
        help=f"which feature scripts to run: all, none, or a comma list of {','.join(external.SCRIPTS)}",
    )
    a = ap.parse_args(argv)
    a.sample_index = a.quick and a.index_dir is None
    a.index_dir = a.index_dir or s.index_dir
    a.out_dir = a.out_dir or ROOT / "bench" / ("quick" if a.quick else "")
    return a


def quick_sample_index(a: argparse.Namespace, embedder: Embedder) -> dict:
    """Index QUICK_SAMPLE products of the catalog into <work-dir>/quick (embedded once, then incremental)."""
    tmp = a.work_dir / "quick"
    a.catalog = sample_csv(a.catalog, QUICK_SAMPLE, tmp)
    a.index_dir = tmp / "index"
    summary = build_index(a.catalog, a.index_dir, embedder, Mapping.load(a.mapping))
    return {
        "sample_of": "every k-th product of the bundled catalog",
        "products": summary.count,
        "embedded_now": summary.embedded,
    }


def replicas_part(a: argparse.Namespace, queries: list[str]) -> dict:
    """bench/replicas.py on the benchmark's index: SQLite 1 process, PostgreSQL 1 and 2 replicas (--quick: one
    round of fewer requests); "not available" without PostgreSQL's server binaries."""
    kw = {"rounds": 1, "ingest_requests": 15, "search_requests": 15} if a.quick else {}
    try:
        return {"status": "ok", **replicas.run(a.index_dir, queries, a.catalog, a.mapping, **kw)}
    except RuntimeError as e:
        return {"status": "not available", "reason": str(e)[:300]}


class Parts:
    """Wall and CPU seconds of each part, so a slow run shows where its time went."""

    def __init__(self) -> None:
        self.seconds: dict[str, dict[str, float]] = {}
        self._name: str | None = None
        self._t = (0.0, 0.0)

    def start(self, name: str) -> None:
        self.stop()
        print(f"[bench] {name}", flush=True)
        self._name, self._t = name, (time.perf_counter(), time.process_time())

    def stop(self) -> None:
        if self._name:
            self.seconds[self._name] = {
                "wall": round(time.perf_counter() - self._t[0], 1),
                "cpu_this_process": round(time.process_time() - self._t[1], 1),
            }
        self._name = None


def run(a: argparse.Namespace, embedder: Embedder | None = None) -> dict:
    """All parts in order; pass an embedder to share an already loaded model."""
    t_start = time.perf_counter()
    q = a.quick
    bs = _bench_search()
    result: dict = {
        "schema_version": SCHEMA_VERSION,
        "quick": q,
        "command": "scripts/bench.py" + (" --quick" if q else ""),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
    }
    parts = Parts()
    parts.start("load the model")
    embedder = embedder or Embedder(batch_size=Settings.from_env().embed_batch_size)
    if a.sample_index:
        parts.start("quick: index a sample of the catalog")
        result["quick_sample"] = quick_sample_index(a, embedder)
    parts.start("load the index")
    index = load_index(a.index_dir, embedder.name, embedder.dim)
    engine = SearchEngine(index, embedder)
    result["catalog"] = {"products": len(engine.products), "index_dir": str(a.index_dir), "catalog": str(a.catalog)}
    queries = latency_queries(a.queries, a.labelled, bs)
    if q:
        queries = queries[:30]
    result["latency_queries"] = len(queries)

    parts.start("relevance: bundled catalog")
    result["relevance"] = {"bundled": quality.bundled(engine, a.labelled, limit=40 if q else None)}
    parts.start("relevance: WANDS")
    roots = a.wands_root or [ROOT.parent / "shared" / "data", ROOT / "data"]
    result["relevance"]["wands"] = quality.wands(
        embedder, roots, q, lambda idx: SearchEngine(idx, embedder), a.wands_index_dir
    )

    parts.start("index build (full and 1% incremental)")
    result["build"] = bs.bench_build(a.catalog, Mapping.load(a.mapping), embedder, 100 if q else 2000)

    parts.start("in-process search latency")
    result["search"] = {"in_process": bs.bench_queries(engine, queries, 2 if q else 3)}

    parts.start("scaling")
    n = len(engine.products)
    sizes = sorted(
        {s for s in ((min(1000, n // 2), n, 2 * n) if q else (1000, n, 100_000)) if s > 0 and (s != 1000 or n > 1000)}
    )
    few = queries[:10] if q else queries[:60]
    result["scaling"] = scale.bench_scaling(
        index,
        embedder,
        lambda idx: SearchEngine(idx, embedder),
        lambda eng: bs.bench_queries(eng, few, 2),
        tuple(sizes),
        calib_sample=30 if q else 300,
    )
    del engine, index

    parts.start("encoder backends, build throughput, memory, ANN at 1M (synthetic)")
    enc_parts = {"encoding", "build", "scale"} | (set() if q else {"rss"})  # --quick: no RSS subprocesses
    result["encoder"] = _bench_encoder().run(q, a.catalog, a.mapping, None, enc_parts)

    # One server for every HTTP measurement, this script's and the feature scripts' alike.
    parts.start("start the benchmark server")
    raw: dict = {}
    with speed.running_server(a.index_dir, a.catalog, a.mapping, speed.SHARED_SERVER_ENV) as srv:
        parts.start("HTTP search latency at 1 and 8 clients, RSS")
        rss_start = srv.rss_mb()
        result["search"]["http"], raw["http"] = speed.bench_http(srv, queries, 48 if q else 400)
        rss_after = srv.rss_mb()
        result["resources"] = {
            "server_rss_mb": rss_after,  # right after the HTTP runs
            "server_rss_mb_after_idle": srv.rss_mb_after_idle(),  # and once idle (the heap trim has run)
            "idle_s": speed.IDLE_READ_S,
            "server_rss_mb_at_start": rss_start,
            "index": speed.index_size(a.index_dir),
        }
        parts.start("served hybrid against its floor (query encoding + FAISS), queries new to the server")
        result["search"]["floor"] = floor.bench_floor(srv, a.index_dir, fresh_queries(queries, 30 if q else 200))

        ext = a.external.strip().lower()
        only = None if ext == "all" else set() if ext == "none" else {x.strip() for x in ext.split(",") if x.strip()}
        parts.start("feature scripts")
        result["external"] = external.run_all(
            q, a.index_dir, a.catalog, a.mapping, only, {"embedder": embedder, "server": srv}, a.work_dir
        )
    parts.start("replicas: SQLite 1 process, PostgreSQL 1 and 2 replicas")  # after the shared server stopped
    result["replicas"] = replicas_part(a, queries)
    parts.start("server RSS per encoder (one server after the other), start-up steps")
    encoders = ("onnx",) if q else ("torch", "onnx", "onnx-int8")
    result["resources"]["rss_by_encoder"] = speed.served_rss_by_encoder(
        a.index_dir, a.catalog, a.mapping, queries[:60], tuple(e for e in encoders if _serves(e, a.index_dir))
    )
    result["resources"]["rss_steps"] = speed.rss_steps(a.index_dir, Settings.from_env().encoder)
    parts.stop()
    result["part_seconds"] = parts.seconds
    result["seconds"] = round(time.perf_counter() - t_start, 1)
    a.out_dir.mkdir(parents=True, exist_ok=True)
    (a.out_dir / "results.json").write_text(json.dumps(result, indent=1))
    written = plots.plots(result, raw, a.out_dir)
    (a.out_dir / "REPORT.md").write_text(report.markdown(result, written))
    return result


def print_summary(r: dict, out_dir: Path) -> None:
    print(
        f"\n== shopmate benchmark ({'quick' if r['quick'] else 'full'}, {r['seconds']:.0f} s, "
        f"{r['machine']['cpus']} CPUs, load {r['machine']['load_average_at_start']}) =="
    )
    for name, d in r["relevance"].items():
        if not d.get("methods"):
            print(f"relevance {name}: {d.get('status')} ({d.get('reason', '')})")
            continue
        print(f"relevance {name} ({d['labels'].split(' (')[0]} labels, {d['queries']} queries)")
        print(f"  {'method':34} {'nDCG@10':>8} {'MRR':>7} {'R@100':>7}")
        for m, v in d["methods"].items():
            print(f"  {METHOD_LABELS[m]:34} {v['ndcg@10'] or 0:8.3f} {v['mrr'] or 0:7.3f} {v['recall@100'] or 0:7.3f}")
    b = r["build"]
    print(f"build: {b['full_products_per_s']} products/s full; 1% edit rebuild {b['incremental_1pct_seconds']} s")
    http = r["search"]["http"]
    for k in (k for k in http if k.startswith("concurrency_")):
        cells = [f"{c} {v['p50_ms']}/{v['p99_ms']}" for c, v in http[k].items() if "p50_ms" in v]
        print(f"HTTP {k.replace('_', ' ')} p50/p99 ms: " + ", ".join(cells))
    res = r["resources"]
    print(
        f"server RSS at start {res['server_rss_mb_at_start']} MB, after the HTTP runs {res['server_rss_mb']} MB, "
        f"{res['idle_s']:g} s idle later {res['server_rss_mb_after_idle']} MB; "
        f"index {res['index']['mb_per_1k_products']} MB per 1k products"
    )
    for p in r["scaling"]["points"]:
        lat = p["latency"]
        print(
            f"scaling {p['products']:>7} products{' (synthetic)' if p['synthetic'] else '':12}: "
            + ", ".join(f"{m} p50 {v['cached_query_embedding']['p50_ms']} ms" for m, v in lat.items())
        )
    for name, d in r["external"].items():
        print(f"{name}: {d['status']}" + (f" ({d.get('reason', '')[:100]})" if d.get("reason") else ""))
        for label, value in report.headlines(name, d.get("results") or {}):
            print(f"  {label}: {value}")
    rep = r.get("replicas") or {}
    if rep.get("configurations"):
        for name, v in rep["configurations"].items():
            s = v["personalized_search_ms"]
            print(f"{name}: {v['events_per_s']} events/s, personalized search p50/p99 {s['p50_ms']}/{s['p99_ms']} ms")
    elif rep:
        print(f"replicas: {rep.get('status')} ({rep.get('reason', '')[:100]})")
    print(f"written: {out_dir / 'results.json'}, {out_dir / 'REPORT.md'}")


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    if a.report_only:
        result = json.loads((a.out_dir / "results.json").read_text())
        written = [p for p in plots.PLOTS if (a.out_dir / p).exists()]
        (a.out_dir / "REPORT.md").write_text(report.markdown(result, written))
        print_summary(result, a.out_dir)
        return 0
    result = run(a)
    print_summary(result, a.out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
