"""bench/REPORT.md and its plots from the results dict of scripts/bench.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.quality import METHOD_LABELS

PLOTS = ("latency_http.png", "quality.png", "quality_by_kind.png", "scaling.png")


def _f(x: Any, nd: int = 3) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{nd}f}"
    return str(x)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_f(c) for c in r) + " |" for r in rows]
    return [*out, ""]


def plots(results: dict, raw: dict, out_dir: Path) -> list[str]:
    """Write the PNGs; returns the names written (matplotlib missing: none, said in the report)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    written = []
    http = raw.get("http") or {}
    if http:
        fig, axes = plt.subplots(1, len(http), figsize=(6 * len(http), 4), squeeze=False)
        for ax, (key, cases) in zip(axes[0], http.items(), strict=False):
            names = list(cases)
            ax.boxplot([cases[n] for n in names], showfliers=True, whis=(1, 99))
            ax.set_xticks(range(1, len(names) + 1), names, rotation=20)
            ax.set_yscale("log")
            ax.set_ylabel("latency (ms, log)")
            ax.set_title(f"HTTP latency, {key.replace('_', ' ')} (whiskers p1–p99)")
        fig.tight_layout()
        fig.savefig(out_dir / "latency_http.png", dpi=90)
        plt.close(fig)
        written.append("latency_http.png")
    datasets = {k: v for k, v in results["relevance"].items() if v.get("methods")}
    if datasets:
        fig, axes = plt.subplots(1, len(datasets), figsize=(6.5 * len(datasets), 4), squeeze=False)
        for ax, (name, d) in zip(axes[0], datasets.items(), strict=False):
            methods = list(d["methods"])
            metrics = [m for m in d["methods"][methods[0]] if m.startswith(("ndcg", "mrr", "recall"))]
            width = 0.8 / len(methods)
            for i, m in enumerate(methods):
                ax.bar(
                    [j + i * width for j in range(len(metrics))],
                    [d["methods"][m][x] or 0 for x in metrics],
                    width,
                    label=METHOD_LABELS.get(m, m),
                )
            ax.set_xticks([j + 0.4 - width / 2 for j in range(len(metrics))], metrics)
            ax.set_ylim(0, 1)
            ax.set_title(f"{name}: {d['labels'].split(' (')[0]} labels, {d['queries']} queries")
            ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out_dir / "quality.png", dpi=90)
        plt.close(fig)
        written.append("quality.png")
    kinds = results["relevance"].get("bundled", {}).get("by_kind")
    if kinds:
        fig, ax = plt.subplots(figsize=(9, 4))
        names = list(kinds)
        methods = list(next(iter(kinds.values())))
        width = 0.8 / len(methods)
        for i, m in enumerate(methods):
            ax.bar(
                [j + i * width for j in range(len(names))],
                [kinds[k][m]["ndcg@10"] or 0 for k in names],
                width,
                label=METHOD_LABELS.get(m, m),
            )
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(names))], names)
        ax.set_ylabel("nDCG@10")
        ax.set_ylim(0, 1)
        ax.set_title("Bundled catalog: nDCG@10 by query kind (rule-derived labels)")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out_dir / "quality_by_kind.png", dpi=90)
        plt.close(fig)
        written.append("quality_by_kind.png")
    pts = (results.get("scaling") or {}).get("points") or []
    if pts:
        fig, ax = plt.subplots(figsize=(7, 4))
        xs = [p["products"] for p in pts]
        for mode in pts[0]["latency"]:
            ax.plot(
                xs, [p["latency"][mode]["cached_query_embedding"]["p50_ms"] for p in pts], "o-", label=f"{mode} p50"
            )
            ax.plot(
                xs, [p["latency"][mode]["cached_query_embedding"]["p99_ms"] for p in pts], "x--", label=f"{mode} p99"
            )
        ax.set_xscale("log")
        ax.set_xlabel("products (the largest point is synthetic)" if any(p["synthetic"] for p in pts) else "products")
        ax.set_ylabel("in-process search latency (ms)")
        ax.set_title("Search latency vs catalog size (query embedding cached)")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out_dir / "scaling.png", dpi=90)
        plt.close(fig)
        written.append("scaling.png")
    return written


# The figures each feature script reports first, beside its own baseline (paths into its JSON; a path
# the script no longer writes is simply skipped, the full listing follows anyway).
HEADLINES: dict[str, list[tuple[str, str]]] = {
    "judged_quality": [
        (
            "full system: precision@10 of attainable / nDCG@10 / top-1",
            "overall.system.p@10_of_attainable|overall.system.ndcg@10|overall.system.top1",
        ),
        *[
            (
                f"{label} (baseline): precision@10 of attainable / nDCG@10 / top-1",
                f"overall.{m}.p@10_of_attainable|overall.{m}.ndcg@10|overall.{m}.top1",
            )
            for m, label in (("hybrid", "hybrid"), ("dense", "dense"), ("bm25", "BM25"))
        ],
    ],
    "personalization_real_log": [
        ("split", "split.test"),
        ("next basket hit@10: shopmate", "next_basket.shopmate (full system).hit@10"),
        ("next basket hit@10: popularity (baseline)", "next_basket.popularity.hit@10"),
        ("next basket hit@10: repeat purchase (baseline)", "next_basket.repeat purchase.hit@10"),
        ("next basket nDCG@10: shopmate", "next_basket.shopmate (full system).ndcg@10"),
        ("search hit@10 personalized / anonymous", "search.hit@10.personalized|search.hit@10.anonymous"),
        ("frequently bought together recall@10: co-purchase", "fbt.co-purchase"),
        ("frequently bought together recall@10: embedding nearest (baseline)", "fbt.embedding nearest"),
    ],
    "personalization_quality": [
        ("data", "data"),
        ("personalized nDCG@10", "personalized.ndcg@10"),
        ("unpersonalized nDCG@10 (baseline)", "unpersonalized.ndcg@10"),
        ("popularity nDCG@10 (baseline)", "popularity.ndcg@10"),
        ("personalized hit rate@10", "personalized.hit_rate@10"),
        ("unpersonalized hit rate@10 (baseline)", "unpersonalized.hit_rate@10"),
    ],
    "personalization_speed": [
        ("personalized search p50 / p99 ms", "search_personalized.p50_ms|search_personalized.p99_ms"),
        ("anonymous search p50 / p99 ms (baseline)", "search_anonymous.p50_ms|search_anonymous.p99_ms"),
        ("events/s ingested, single / batches of 100", "ingest_events_per_s_single|ingest_events_per_s_batch100"),
    ],
    "autocomplete_quality": [
        ("MRR of the full query per prefix: autocomplete", "results.autocomplete.all.rr"),
        ("MRR: popularity-prefix baseline", "results.popularity_prefix.all.rr"),
        ("keystrokes saved: autocomplete", "results.autocomplete.all.saved"),
        ("keystrokes saved: popularity-prefix baseline", "results.popularity_prefix.all.saved"),
    ],
    "autocomplete_speed": [
        (
            "handler p50 / p99 ms (in process)",
            "handler_in_process.anonymous.p50_ms|handler_in_process.anonymous.p99_ms",
        ),
        *[
            row
            for c in ("1", "8")
            for kind in ("uncached", "cached")
            for row in (
                (
                    f"{c} client{'s' if c != '1' else ''}, {kind}: autocomplete p50 / p99 ms",
                    f"http_{kind}.{c}.autocomplete_rtt.p50_ms|http_{kind}.{c}.autocomplete_rtt.p99_ms",
                ),
                (
                    f"{c} client{'s' if c != '1' else ''}, {kind}: /healthz p50 / p99 ms (baseline)",
                    f"http_{kind}.{c}.healthz_rtt.p50_ms|http_{kind}.{c}.healthz_rtt.p99_ms",
                ),
                (
                    f"{c} client{'s' if c != '1' else ''}, {kind}: autocomplete / healthz at p50 / p99",
                    f"http_{kind}.{c}.rtt_ratio_p50|http_{kind}.{c}.rtt_ratio_p99",
                ),
            )
        ],
    ],
    "outfits": [
        ("looks satisfying every rule: complete-the-look", "complete_the_look.all_rules_ok"),
        ("looks satisfying every rule: nearest-item baseline", "baseline_nearest_item.all_rules_ok"),
        (
            "intra-set diversity: complete-the-look / baseline",
            "complete_the_look.intra_set_diversity|baseline_nearest_item.intra_set_diversity",
        ),
        ("warm latency p50 / p99 ms", "complete_the_look.latency_ms_warm.p50|complete_the_look.latency_ms_warm.p99"),
    ],
    "chat_conversations": [
        ("turns right (multi-turn shopper scripts)", "turns_right|turns"),
        ("share of turns right", "share_right"),
        ("shown products meeting every active constraint", "products_meeting_every_constraint"),
        *[
            (f"turns right: {k}", f"by_kind.{k}.right|by_kind.{k}.n")
            for k in (
                "search",
                "gift",
                "refine",
                "negation",
                "complaint",
                "question",
                "question_unknown",
                "off_topic",
                "smalltalk",
                "reference",
                "similar",
                "accessory",
                "outfit",
                "compare",
                "cart",
                "typo",
            )
        ],
        ("first delta p50 / p99 ms (under load)", "first_delta.p50_ms|first_delta.p99_ms"),
        ("done p50 / p99 ms (under load)", "done.p50_ms|done.p99_ms"),
        ("REST search p50 / p99 ms, same messages, same run (baseline)", "rest_search.p50_ms|rest_search.p99_ms"),
    ],
    "chat": [
        (
            "1 conversation: first delta p50 / p99 ms",
            "levels[concurrency=1].opener_first.p50_ms|levels[concurrency=1].opener_first.p99_ms",
        ),
        (
            "1 conversation: done p50 / p99 ms",
            "levels[concurrency=1].opener_done.p50_ms|levels[concurrency=1].opener_done.p99_ms",
        ),
        (
            "1 client: REST search p50 / p99 ms (baseline)",
            "levels[concurrency=1].rest_search.p50_ms|levels[concurrency=1].rest_search.p99_ms",
        ),
        (
            "20 conversations: first delta p50 / p99 ms",
            "levels[concurrency=20].opener_first.p50_ms|levels[concurrency=20].opener_first.p99_ms",
        ),
        (
            "20 conversations: done p50 / p99 ms",
            "levels[concurrency=20].opener_done.p50_ms|levels[concurrency=20].opener_done.p99_ms",
        ),
        (
            "20 clients: REST search p50 / p99 ms (baseline)",
            "levels[concurrency=20].rest_search.p50_ms|levels[concurrency=20].rest_search.p99_ms",
        ),
    ],
}
_MISSING = object()


def _get(d: Any, path: str) -> Any:
    """'a.b', 'levels[concurrency=1].x' -> the value, or _MISSING."""
    for part in path.split("."):
        if "[" in part and part.endswith("]"):
            key, sel = part[:-1].split("[", 1)
            k, v = sel.split("=", 1)
            items = d.get(key) if isinstance(d, dict) else None
            d = next((x for x in items or [] if isinstance(x, dict) and str(x.get(k)) == v), _MISSING)
        else:
            d = d.get(part, _MISSING) if isinstance(d, dict) else _MISSING
        if d is _MISSING:
            return _MISSING
    return d


def headlines(name: str, data: dict) -> list[list[Any]]:
    rows = []
    for label, paths in HEADLINES.get(name, []):
        values = [_get(data, p) for p in paths.split("|")]
        if all(v is not _MISSING for v in values):
            rows.append([label, " / ".join(_f(round(v, 4) if isinstance(v, float) else v) for v in values)])
    return rows


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
            f"on the same texts, measured right after: **{b['build_vs_raw']:.0%}**. Index on disk "
            f"{b['index_mb_per_1k_products']} MB per 1k products ({b['index_mb_per_1k_products_before']} with "
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
        f"- Server RSS after the HTTP runs: **{r['server_rss_mb']} MB** "
        f"(model + index of {r['index']['products']} products; after start-up: {r['server_rss_mb_at_start']} MB).",
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
    if results.get("part_seconds"):
        L += ["## Where the time went", ""]
        L += _table(
            ["part", "wall s", "CPU s (this process)"],
            [[k, v["wall"], v["cpu_this_process"]] for k, v in results["part_seconds"].items()],
        )
    if not written:
        L += ["(matplotlib is not installed: no plots)", ""]
    return "\n".join(L) + "\n"
