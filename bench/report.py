"""bench/REPORT.md and its plots from the results dict of scripts/bench.py."""

from __future__ import annotations

import json
from typing import Any

from bench.headlines import _f, headlines
from bench.quality import METHOD_LABELS


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_f(c) for c in r) + " |" for r in rows]
    return [*out, ""]


def _flatten(d: Any, prefix: str = "", depth: int = 0, out: list | None = None) -> list[tuple[str, Any]]:
    out = [] if out is None else out
    if isinstance(d, dict) and depth < 5:
        for k, v in d.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), depth + 1, out)
    elif isinstance(d, list) and d and all(isinstance(x, dict) for x in d) and depth < 5:
        for i, x in enumerate(d):
            label = next((f"{k}={x[k]}" for k in x if not isinstance(x[k], (dict, list))), str(i))
            _flatten(x, f"{prefix}[{label}]", depth + 1, out)
    elif isinstance(d, list):
        out.append((prefix, json.dumps(d) if len(d) <= 6 else f"[{len(d)} items]"))
    else:
        out.append((prefix, round(d, 4) if isinstance(d, float) else d))
    return out


def _relevance(name: str, d: dict) -> list[str]:
    if not d.get("methods"):
        return [f"**{name}**: {d.get('status', 'not available')} — {d.get('reason', '')}", ""]
    lines = [
        f"**{name}** — labels: {d['labels']}; {d['queries']} queries"
        + (f", {d['products']} products" if "products" in d else "")
        + "."
    ]
    rows = [
        [METHOD_LABELS.get(m, m), v["ndcg@10"], v["mrr"], v["recall@100"], v["queries"], v["queries_with_exact"]]
        for m, v in d["methods"].items()
    ]
    lines += ["", *_table(["method", "nDCG@10", "MRR", "recall@100", "queries judged", "with an exact match"], rows)]
    groups = d.get("by_kind") or d.get("by_query_class") or {}
    if groups:
        methods = list(d["methods"])
        lines.append("nDCG@10 by query " + ("kind" if "by_kind" in d else "class") + ":")
        lines.append("")
        lines += _table(["group", *methods], [[g, *[groups[g][m]["ndcg@10"] for m in methods]] for g in groups])
    return lines


def _judged(d: dict) -> list[str]:
    """The shopper-judged section (issue 14), from scripts/eval_judged.py's results."""
    from bench.judged.report import markdown as judged_markdown

    L = ["### Shopper-judged queries (bench/judged/)", ""]
    if not d.get("results"):
        return [*L, f"`scripts/eval_judged.py`: {d.get('status', 'not run')} {d.get('reason', '')}".rstrip(), ""]
    r = d["results"]
    L += [
        "Labels: criteria written by hand per query from what a shopper means, graded from the raw catalog "
        "text by `bench/judged/grade.py` (which imports nothing from the engine); products read by hand in "
        "`bench/judged/spot_checks.jsonl`. Precision@10 counts exact matches (grade 2) against "
        "min(10, exact matches in the catalog); nDCG@10 gains 1 / 0.5 / 0; top-1: the first result is exact.",
        "",
        judged_markdown(r),
    ]
    worst = sorted(
        ((k, v["system"]["ndcg@10"]) for k, v in r["by_kind"].items() if v["system"].get("ndcg@10") is not None),
        key=lambda kv: kv[1],
    )[:3]
    if worst:
        L += ["Weakest kinds for the full system (nDCG@10): " + ", ".join(f"{k} {v:.3f}" for k, v in worst) + ".", ""]
    return L


def encoder_section(e: dict | None) -> list[str]:
    """Encoder backends, build throughput against the raw encoder, memory, and the ANN index at scale."""
    if not e:
        return []
    L = ["## Encoder backends and scale", "", f"Default encoder: **{e['default_encoder']}**; {e['label']}.", ""]
    enc = e.get("encoding") or {}
    if enc:
        L += _table(
            ["encoder", "query p50 ms", "p99 ms", "p50 vs torch", "min cosine to torch", "mean cosine"],
            [
                [k, v["p50_ms"], v["p99_ms"], v["p50_vs_torch"], v["min_cosine_to_torch"], v["mean_cosine_to_torch"]]
                for k, v in enc.items()
            ],
        )
    b = e.get("build")
    if b:
        L += [
            f"Full build of {b['products']} products + {b['phrases']} autocomplete phrases ({b['encoder']}): "
            f"{b['build_texts_per_s']} texts/s against the raw encoder's {b['raw_encoder_texts_per_s']} texts/s "
            f"on the same texts (raw passes either side of each build, median of the rounds): "
            f"**{b['build_vs_raw']:.0%}**. Index on disk {b['index_mb_per_1k_products']} MB per 1k products "
            f"({b['index_mb_per_1k_products_before']} with "
            f"float32 suggestion vectors; suggestion vectors {b['suggestion_vectors_mb_per_1k_float16']} MB "
            f"per 1k products as float16).",
            "",
        ]
    rss = e.get("rss_model_only")
    if rss:
        L += [
            "RSS of a process holding only the encoder: "
            + ", ".join(f"{k} {v.get('rss_mb', 0):.0f} MB" for k, v in rss.items())
            + ".",
            "",
        ]
    a = e.get("ann_scale")
    if a:
        L += [
            f"**{a['products']:,} products, {a['data']}** (seeds: {a['seeds']}): {a['kind']} with {a['nlist']} "
            f"lists, {a['nprobe']} probed; built in {a['build_seconds']} s; {a['index_mb']} MB "
            f"(float32 vectors: {a['float32_vectors_mb']} MB); recall@10 vs exact **{a['recall@10_vs_exact']}** "
            f"(with a 10% filter {a['recall@10_vs_exact_filter_10pct']}, filters respected: "
            f"{a['filters_respected']}).",
            "",
        ]
        L += _table(
            ["search", "p50 ms", "p99 ms"],
            [
                [k, a[k]["p50_ms"], a[k]["p99_ms"]]
                for k in ("ann_k10", "ann_k200", "ann_k200_filter_10pct", "exact_numpy_k10", "flat_20k_k200")
            ],
        )
    return L


def markdown(results: dict, written: list[str]) -> str:
    m = results["machine"]
    L = [
        "# shopmate benchmark report",
        "",
        f"Generated by `{results['command']}` on {results['started_at']} in {results['seconds']:.0f} s "
        f"({'QUICK version: small samples, numbers are indicative only' if results['quick'] else 'full run'}).",
        f"Machine: {m['cpu_model']}, {m['cpus']} CPUs, {m['memory_gb']} GB RAM, {m['platform']}, Python {m['python']}; "
        f"load average at start {m['load_average_at_start']} (a shared machine: every figure below is measured "
        f"beside its baseline in the same run).",
        "",
        f"Catalog: {results['catalog']['products']} products from `{results['catalog']['index_dir']}`.",
        "",
    ]
    L += [
        "## Relevance",
        "",
        "Methods: BM25 over the product text (bm25s), dense retrieval (the bundled all-MiniLM-L6-v2 + FAISS), "
        "hybrid (both fused by reciprocal rank), and the system's own search (hybrid with price/gender/colour/"
        "brand filters parsed from the query). Gains: exact 1, partial 0.5; MRR and recall count exact matches.",
        "",
    ]
    for name, d in results["relevance"].items():
        L += _relevance(name, d)
    L += _judged(results.get("external", {}).get("judged_quality") or {})
    if "quality.png" in written:
        L += ["![quality by method](quality.png)", ""]
    if "quality_by_kind.png" in written:
        L += ["![nDCG by query kind](quality_by_kind.png)", ""]
    b = results["build"]
    L += [
        "## Index build",
        "",
        *_table(
            ["what", "products", "seconds", "products/s"],
            [
                ["full build (sample of the catalog)", b["products"], b["full_seconds"], b["full_products_per_s"]],
                [
                    f"rebuild after editing 1% ({b['incremental_embedded']} re-embedded)",
                    b["products"],
                    b["incremental_1pct_seconds"],
                    b["incremental_products_per_s"],
                ],
            ],
        ),
    ]
    L += [
        "## Search latency",
        "",
        "In process (SearchEngine.search, k=10): first with every query embedded, then "
        "with the query-embedding cache warm (the search itself).",
        "",
    ]
    L += _table(
        ["mode", "embedded p50 ms", "p99", "cached p50 ms", "p99"],
        [
            [
                mode,
                d["uncached_query"]["p50_ms"],
                d["uncached_query"]["p99_ms"],
                d["cached_query_embedding"]["p50_ms"],
                d["cached_query_embedding"]["p99_ms"],
            ]
            for mode, d in results["search"]["in_process"].items()
        ],
    )
    http = results["search"]["http"]
    L += [
        "Over HTTP against a real server process (`python -m assistant`), `/healthz` as the baseline, "
        f"interleaved in rounds; personalized: {http.get('personalized_shopper', '')}.",
        "",
    ]
    conc = [k for k in http if k.startswith("concurrency_")]
    cases = list(http[conc[0]]) if conc else []
    L += _table(
        ["endpoint", *[f"{k.replace('concurrency_', '')} client(s): p50 / p99 ms" for k in conc]],
        [
            [
                c,
                *[
                    f"{_f(http[k][c].get('p50_ms'))} / {_f(http[k][c].get('p99_ms'))}"
                    if "p50_ms" in http[k][c]
                    else http[k][c].get("status", "–")
                    for k in conc
                ],
            ]
            for c in cases
        ],
    )
    if "latency_http.png" in written:
        L += ["![HTTP latency](latency_http.png)", ""]
    r = results["resources"]
    L += [
        "## Memory and disk",
        "",
        f"- Server RSS (model + index of {r['index']['products']} products), side by side in one server: "
        f"after start-up {r['server_rss_mb_at_start']} MB; right after the HTTP runs **{r['server_rss_mb']} MB**; "
        f"after {r.get('idle_s', 0):g} s idle **{r.get('server_rss_mb_after_idle', '—')} MB** (freed heap pages given "
        "back by the idle trim).",
        *[
            f"- Server RSS with the {enc} encoder (its own server, {v['queries']} searches + autocompletes): at ready "
            f"{v['rss_mb_at_ready']} MB, right after {v['rss_mb_after_queries']} MB, after {v.get('idle_s', 0):g} s "
            f"idle {v.get('rss_mb_after_queries_idle', '—')} MB."
            for enc, v in (r.get("rss_by_encoder") or {}).items()
            if "rss_mb_at_ready" in v
        ],
        f"- Index on disk: {r['index']['bytes'] / 2**20:.1f} MB, **{r['index']['mb_per_1k_products']} MB per 1k "
        f"products** ({', '.join(f'{k} {v / 2**20:.1f} MB' for k, v in r['index']['files'].items())}).",
        "",
    ]
    sc = results.get("scaling") or {}
    if sc.get("points"):
        cal = sc["calibration"]
        L += [
            "## Scaling",
            "",
            "In-process search latency (query embedding cached) as the catalog grows. "
            "The largest point is **synthetic scale data**: the bundled products repeated with perturbed "
            "text under new ids; their vectors are the originals' plus Gaussian noise calibrated on "
            f"{cal['sample']} perturbed texts embedded for real (mean cosine {cal['mean_cosine_perturbed_text']}, "
            f"sigma {cal['sigma']:.4f}; embedding every copy would take about "
            f"{cal['estimated_seconds_to_embed_all_copies']} s at the measured "
            f"{cal['embed_products_per_s']} products/s).",
            "",
        ]
        modes = list(sc["points"][0]["latency"])
        L += _table(
            ["products", "data", "engine build s", *[f"{m} p50 / p99 ms" for m in modes]],
            [
                [
                    p["products"],
                    p["data"],
                    p["engine_build_seconds"],
                    *[
                        f"{_f(p['latency'][m]['cached_query_embedding']['p50_ms'])} / "
                        f"{_f(p['latency'][m]['cached_query_embedding']['p99_ms'])}"
                        for m in modes
                    ],
                ]
                for p in sc["points"]
            ],
        )
        if "scaling.png" in written:
            L += ["![scaling](scaling.png)", ""]
    L += encoder_section(results.get("encoder"))
    L += [
        "## Personalization, autocomplete, outfits, chat",
        "",
        "Produced by each feature's own script, run by the same command; shown as they report themselves.",
        "",
    ]
    for name, d in results["external"].items():
        L.append(f"### {name.replace('_', ' ')}")
        L.append("")
        L.append(
            f"`{d.get('script')}` — **{d['status']}**"
            + (f": {d['reason']}" if d.get("reason") else "")
            + (f" ({d['seconds']} s)" if d.get("seconds") is not None else "")
        )
        L.append("")
        if d.get("results") and name == "judged_quality":
            L += ["Tables in the Relevance section above.", ""]
        elif d.get("results"):
            rows = headlines(name, d["results"])
            if rows:
                L += _table(["headline figure", "value"], rows)
            flat = _flatten(d["results"])
            L += ["<details><summary>every figure the script reported</summary>", ""]
            L += _table(["figure", "value"], [[k, str(v).replace("|", "/")] for k, v in flat[:300]])
            L += ["</details>", ""]
    if results.get("replicas"):
        from bench.replicas import markdown as replicas_markdown

        rep = results["replicas"]
        L += ["## Replicas: SQLite and PostgreSQL", ""]
        if rep.get("configurations"):
            L += [replicas_markdown(rep), ""]
        else:
            L += [f"`bench/replicas.py`: {rep.get('status')} ({rep.get('reason', '')})", ""]
    if results.get("part_seconds"):
        L += ["## Where the time went", ""]
        L += _table(
            ["part", "wall s", "CPU s (this process)"],
            [[k, v["wall"], v["cpu_this_process"]] for k, v in results["part_seconds"].items()],
        )
    if not written:
        L += ["(matplotlib is not installed: no plots)", ""]
    return "\n".join(L) + "\n"
