"""The benchmark report's plots (matplotlib, written beside REPORT.md)."""

from __future__ import annotations

from pathlib import Path

from bench.quality import METHOD_LABELS

PLOTS = ("latency_http.png", "quality.png", "quality_by_kind.png", "scaling.png")


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
