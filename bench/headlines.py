"""The headline figures of each benchmark section: which values of the results head the report's tables."""

from __future__ import annotations

from typing import Any

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
        ("search hit@10 anonymous without best sellers (baseline)", "search.hit@10.anonymous without best sellers"),
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


def _f(x: Any, nd: int = 3) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{nd}f}"
    return str(x)


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
