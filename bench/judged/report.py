"""Markdown tables of the shopper-judged evaluation (used by scripts/eval_judged.py and bench/report.py)."""

from __future__ import annotations

from typing import Any

from bench.judged.run import LABELS, METHODS

P, N, T = "p@10_of_attainable", "ndcg@10", "top1"


def _f(x: Any) -> str:
    return "–" if x is None else f"{x:.3f}" if isinstance(x, float) else str(x)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_f(c) for c in r) + " |" for r in rows]
    return [*out, ""]


def _cell(d: dict) -> str:
    return f"{_f(d.get(P))} / {_f(d.get(N))} / {_f(d.get(T))}"


def _kind(name: str, d: dict) -> str:
    return f"{name} ({d.get('queries', '?')}, {d.get('queries_attainable', '?')} attainable)"


def markdown(r: dict) -> str:
    """One run: overall and per-kind precision@10 of attainable / nDCG@10 / top-1 for every method."""
    methods = [m for m in METHODS if m in r["overall"]]
    L = [
        f"Shopper-judged queries: {r['queries']} ({r['queries_servable']} the catalog can serve), "
        f"{r['catalog_products']} products. Cells: precision@10 of attainable / nDCG@10 / top-1.",
        "",
    ]
    rows = [["**overall (servable)**", *[_cell(r["overall"][m]) for m in methods]]]
    rows += [
        [_kind(k, r["by_kind"][k][methods[0]]), *[_cell(r["by_kind"][k][m]) for m in methods]] for k in r["by_kind"]
    ]
    L += _table(["kind (queries, with an exact match in the catalog)", *[LABELS[m] for m in methods]], rows)
    h = r.get("holdout")
    if h:
        L.append(f"Held-out half only ({h['queries']} queries, bench/judged/holdout.txt; never read while fixing):")
        L.append("")
        rows = [["**overall (servable)**", *[_cell(h["overall"][m]) for m in methods]]]
        rows += [
            [_kind(k, h["by_kind"][k][methods[0]]), *[_cell(h["by_kind"][k][m]) for m in methods]] for k in h["by_kind"]
        ]
        L += _table(["kind (held-out queries)", *[LABELS[m] for m in methods]], rows)
    sv = r.get("shopper_view")
    if sv:
        L.append(
            "The shopper's view: products with the same title count as one product, and a title repeated on a "
            "page is a slot that shows nothing new (bench/judged/metrics.py). Every method measured this way too:"
        )
        L.append("")
        rows = [["**overall (servable)**", *[_cell(sv["overall"][m]) for m in methods]]]
        if sv.get("holdout"):
            rows.append(["**held-out half (servable)**", *[_cell(sv["holdout"][m]) for m in methods]])
        rows += [
            [_kind(k, sv["by_kind"][k][methods[0]]), *[_cell(sv["by_kind"][k][m]) for m in methods]]
            for k in sv["by_kind"]
        ]
        L += _table(["kind (shopper's view)", *[LABELS[m] for m in methods]], rows)
    u = r.get("unservable")
    if u:
        L.append(
            f"Queries the catalog cannot serve: {u['queries']}; the full system said so (a `notice`) for "
            f"{u['with_a_notice']}; share of wrong products in their top 10: "
            + ", ".join(f"{LABELS[m]} {_f(v)}" for m, v in u["wrong_in_top10"].items())
            + "."
        )
        L.append("")
    ns = r.get("notice_on_servable")
    if ns:
        if "only_n" in ns:
            false_n = ns["only_n_false"]
            L.append(
                f"Notices on the {ns['queries']} queries the catalog can serve: {ns['with_a_notice']}. False alarms "
                f"(saying the shop lacks something it has): {ns['saying_it_lacks']}. Saying the shop has only N of "
                f"what was asked: {ns['only_n']}, of which {len(false_n)} false by the judgements (the catalog "
                f"holds more exact matches than N{': ' + ', '.join(false_n) if false_n else ''})."
            )
        else:
            L.append(
                f"False alarms: the full system gave a `notice` on {ns['with_a_notice']} of the {ns['queries']} "
                "queries the catalog can serve."
            )
        L.append("")
    return "\n".join(L)


def compare_markdown(before: dict, after: dict) -> str:
    """Two runs (e.g. the engine before and after a change) side by side, per method and kind."""
    methods = [m for m in METHODS if m in before["overall"] and m in after["overall"]]
    L = [
        f"Before: {before.get('label') or before.get('engine_tree')}; "
        f"after: {after.get('label') or after.get('engine_tree')}. "
        "Cells: precision@10 of attainable / nDCG@10 / top-1, before → after.",
        "",
    ]
    kinds = ["overall", *before["by_kind"]]
    rows = []
    for k in kinds:
        b = before["overall"] if k == "overall" else before["by_kind"][k]
        a = after["overall"] if k == "overall" else after["by_kind"].get(k, {})
        rows.append([k, *[f"{_cell(b[m])} → {_cell(a.get(m, {}))}" for m in methods]])
    L += _table(["kind", *[LABELS[m] for m in methods]], rows)
    return "\n".join(L)
