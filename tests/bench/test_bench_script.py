"""scripts/bench.py --quick on the tiny catalog: every part runs and results.json has the agreed shape.

Only the structure is checked, never a timing (speed is what the benchmark reports, not what tests assert).
"""

import importlib.util
import json

import pytest

from assistant.settings import ROOT
from tests.conftest import FLIPKART_MAPPING, TINY_CATALOG

NUM = (int, float)
SUMMARY = {"n": int, "p50_ms": NUM, "p99_ms": NUM, "mean_ms": NUM}
METRICS = {"ndcg@10": NUM, "mrr": NUM, "recall@100": NUM, "queries": int, "queries_with_exact": int, "seconds": NUM}
SCHEMA = {
    "schema_version": int,
    "quick": bool,
    "command": str,
    "started_at": str,
    "seconds": NUM,
    "machine": {
        "cpu_model": str,
        "cpus": int,
        "memory_gb": NUM,
        "platform": str,
        "python": str,
        "load_average_at_start": list,
    },
    "catalog": {"products": int, "index_dir": str, "catalog": str},
    "latency_queries": int,
    "relevance": {
        "bundled": {
            "labels": str,
            "queries": int,
            "queries_with_any_relevant": int,
            "methods": dict.fromkeys(("bm25", "dense", "hybrid", "system"), METRICS),
            "by_kind": dict,
        },
        "wands": {"status": str},
    },
    "build": {
        "products": int,
        "full_seconds": NUM,
        "full_products_per_s": NUM,
        "incremental_1pct_seconds": NUM,
        "incremental_embedded": int,
        "incremental_products_per_s": NUM,
    },
    "search": {
        "in_process": {
            m: {"uncached_query": SUMMARY, "cached_query_embedding": SUMMARY} for m in ("lexical", "dense", "hybrid")
        },
        "http": {
            "personalized_shopper": str,
            **{
                f"concurrency_{c}": dict.fromkeys(("healthz", "bm25", "dense", "hybrid", "personalized"), SUMMARY)
                for c in (1, 8)
            },
        },
    },
    "resources": {
        "server_rss_mb": NUM,
        "server_rss_mb_after_idle": NUM,
        "idle_s": NUM,
        "server_rss_mb_at_start": NUM,
        "index": {"products": int, "bytes": int, "mb_per_1k_products": NUM, "files": dict},
    },
    "scaling": {
        "calibration": {"sample": int, "mean_cosine_perturbed_text": NUM, "sigma": NUM, "embed_products_per_s": NUM},
        "points": list,
    },
    "external": {
        k: {"status": str, "script": str}
        for k in (
            "personalization_quality",
            "personalization_speed",
            "autocomplete_quality",
            "autocomplete_speed",
            "outfits",
            "chat",
            "judged_quality",
        )
    },
}


def check(value, schema, path="results"):
    if isinstance(schema, dict):
        assert isinstance(value, dict), f"{path} should be an object"
        for key, sub in schema.items():
            assert key in value, f"{path}.{key} is missing"
            check(value[key], sub, f"{path}.{key}")
    else:
        assert isinstance(value, schema) and not (schema is NUM and isinstance(value, bool)), (
            f"{path} = {value!r} should be {schema}"
        )


@pytest.fixture(scope="module")
def bench_run(tiny_index_dir, embedder, tmp_path_factory):
    spec = importlib.util.spec_from_file_location("bench_script", ROOT / "scripts" / "bench.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path_factory.mktemp("bench-out")
    args = mod.parse_args(
        [
            "--quick",
            "--index-dir",
            str(tiny_index_dir),
            "--catalog",
            str(TINY_CATALOG),
            "--mapping",
            str(FLIPKART_MAPPING),
            "--out-dir",
            str(out),
            "--wands-root",
            str(out / "no-wands-here"),
            "--wands-index-dir",
            str(out / "wands-index"),
            "--work-dir",
            str(out / "tmp"),
        ]
    )
    mod.run(args, embedder=embedder)
    return out


def test_results_json_has_the_agreed_schema(bench_run):
    results = json.loads((bench_run / "results.json").read_text())
    check(results, SCHEMA)
    assert results["quick"] is True
    assert results["relevance"]["bundled"]["queries"] >= 1
    assert results["relevance"]["wands"]["status"] == "not available"
    pts = results["scaling"]["points"]
    assert len(pts) == 3 and [p["synthetic"] for p in pts] == [False, False, True]
    for p in pts:
        check(
            p,
            {
                "products": int,
                "data": str,
                "synthetic": bool,
                "engine_build_seconds": NUM,
                "latency": {
                    m: {"uncached_query": SUMMARY, "cached_query_embedding": SUMMARY}
                    for m in ("lexical", "dense", "hybrid")
                },
            },
            "scaling.point",
        )


def test_every_feature_script_runs_in_the_same_command(bench_run):
    """Each feature script ran (in process, on the shared server) and wrote the figures the report heads with."""
    from bench import report

    results = json.loads((bench_run / "results.json").read_text())
    for name, d in results["external"].items():
        assert d["status"] == "ok", f"{name}: {d['status']} {d.get('reason', '')}"
        assert len(report.headlines(name, d["results"])) >= 3, f"{name} lacks its headline figures"
    # scratch files (the outfit script's catalog sample and its index) went to --work-dir, not into the repository
    assert any((bench_run / "tmp").glob("fashion-index-*/CURRENT"))


def test_report_and_plots_are_written(bench_run):
    report = (bench_run / "REPORT.md").read_text()
    for heading in (
        "## Relevance",
        "## Index build",
        "## Search latency",
        "## Memory and disk",
        "## Scaling",
        "## Personalization, autocomplete, outfits, chat",
        "### Shopper-judged queries",
    ):
        assert heading in report
    assert "rule-derived" in report and "SYNTHETIC" in report.upper()
    for png in ("latency_http.png", "quality.png", "quality_by_kind.png", "scaling.png"):
        assert (bench_run / png).stat().st_size > 1000
        assert f"({png})" in report
