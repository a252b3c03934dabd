"""Evaluate autocomplete on held-out shopper queries: MRR and success@k of the full query per typed prefix,
and keystrokes saved, against a plain popularity-prefix baseline in the same run.

Held-out queries: bench/queries.jsonl (written by hand from the catalog, never a source of the suggestion
index) and any real query log found in ../shared/data/ (files named *query*/*search* .jsonl/.csv/.txt).
For each query q and each prefix q[:n], n = 1..len(q): the rank of q among the k suggestions (strict:
same words; plural-blind: "necklace" = "necklaces"). Keystrokes saved for q: len(q) - n - 1 for the first
n at which q is offered (one keystroke to pick it), as a share of len(q); 0 if never offered. A misspelled
query is typed as misspelled but counts as found when its intended spelling (`intended`) is offered: a
search box that turns "neklace" into "necklace" has done its job. "Found by the Nth letter": the share of queries
offered (plural-blind) once their first N letters are typed. The ranking before issue 14 (BEFORE) runs side by
side with the current one in the same run; `--show add,blu` prints both rankings' top 5 for given prefixes.

    .venv/bin/python scripts/eval_autocomplete.py --index-dir data/index [--out bench/autocomplete_eval.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from bisect import bisect_left
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

from assistant.search.engine import SearchEngine  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.suggest.service import load_autocomplete  # noqa: E402
from assistant.suggest.suggester import Suggester, Weights, query_words  # noqa: E402

# Autocomplete's ranking before issue 14 (no type spread, no distinct-product counts, no single-title
# penalty, no cap per completed word, no one-edit readings of short prefixes, a word's bonus on each of its
# phrases), measured side by side with the current one in the same run.
BEFORE = Weights(spread=0.0, single_title=0.0, distinct=False, per_word=0, typo_readings=False, repeat=0.0)
from index.embedder import Embedder  # noqa: E402
from index.store import load_index  # noqa: E402


def strict_key(text: str) -> str:
    return " ".join(query_words(text))


def loose_key(text: str) -> str:
    return " ".join(w.rstrip("s") for w in query_words(text))


class PopularityPrefix:
    """The baseline: phrases whose whole text starts with the typed text, most products first."""

    def __init__(self, s: Suggester):
        pairs = sorted((strict_key(t), i) for i, t in enumerate(s.texts))
        self.keys = [p[0] for p in pairs]
        self.pids = np.array([p[1] for p in pairs], np.int64)
        self.s = s

    def suggest(self, q: str, k: int) -> list[str]:
        key = strict_key(q)
        if not key:
            return []
        lo = bisect_left(self.keys, key)
        hi = bisect_left(self.keys, key + "\uffff", lo)
        pids = self.pids[lo:hi]
        top = pids[np.lexsort((pids, -self.s.count[pids]))][:k]
        return [self.s.texts[p] for p in top.tolist()]


def held_out(queries_file: Path, shared: Path) -> tuple[list[dict], list[str]]:
    rows = [json.loads(line) for line in queries_file.open(encoding="utf-8") if line.strip()]
    found = []
    if shared.is_dir():
        for path in sorted(shared.rglob("*")):
            name = path.name.lower()
            if path.suffix.lower() not in (".jsonl", ".csv", ".txt") or not ("quer" in name or "search" in name):
                continue
            found.append(str(path))
            if path.suffix.lower() == ".jsonl":
                for line in path.open(encoding="utf-8"):
                    obj = json.loads(line) if line.strip() else {}
                    if obj.get("query"):
                        rows.append({"query": obj["query"], "kind": "log"})
            elif path.suffix.lower() == ".csv":
                for obj in csv.DictReader(path.open(encoding="utf-8")):
                    if obj.get("query"):
                        rows.append({"query": obj["query"], "kind": "log"})
            else:
                rows += [{"query": line.strip(), "kind": "log"} for line in path.open(encoding="utf-8") if line.strip()]
    return rows, found


FOUND_BY = (3, 4, 5, 6)  # "found by the Nth letter": the query is offered once its first N letters are typed


def evaluate(queries: list[dict], suggest, k: int) -> dict:
    """Per kind and overall: MRR, success@k (strict and plural-blind), keystrokes saved, and the share of
    queries offered (plural-blind) by their Nth typed letter."""
    per: dict[str, dict[str, list[float]]] = {}
    for row in queries:
        q = " ".join(row["query"].split())
        target = row.get("intended") or q
        target_s, target_l = strict_key(target), loose_key(target)
        first_s = first_l = None
        metrics = ("rr", "succ", "rr_loose", "succ_loose", "saved", "saved_loose", "never")
        acc = per.setdefault(row["kind"], {m: [] for m in metrics + tuple(f"by_{n}" for n in FOUND_BY)})
        for n in range(1, len(q) + 1):
            got = suggest(q[:n], k)
            ranks_s = [i for i, t in enumerate(got) if strict_key(t) == target_s]
            ranks_l = [i for i, t in enumerate(got) if loose_key(t) == target_l]
            acc["rr"].append(1.0 / (ranks_s[0] + 1) if ranks_s else 0.0)
            acc["succ"].append(1.0 if ranks_s else 0.0)
            acc["rr_loose"].append(1.0 / (ranks_l[0] + 1) if ranks_l else 0.0)
            acc["succ_loose"].append(1.0 if ranks_l else 0.0)
            if ranks_s and first_s is None:
                first_s = n
            if ranks_l and first_l is None:
                first_l = n
        acc["saved"].append(max(0, len(q) - first_s - 1) / len(q) if first_s else 0.0)
        acc["saved_loose"].append(max(0, len(q) - first_l - 1) / len(q) if first_l else 0.0)
        for n in FOUND_BY:
            acc[f"by_{n}"].append(1.0 if first_l is not None and first_l <= n else 0.0)
        acc["never"].append(1.0 if first_l is None else 0.0)
    out = {}
    total: dict[str, list[float]] = {}
    for kind, acc in per.items():
        out[kind] = {m: round(float(np.mean(v)), 4) for m, v in acc.items()} | {"queries": len(acc["saved"])}
        for m, v in acc.items():
            total.setdefault(m, []).extend(v)
    out["all"] = {m: round(float(np.mean(v)), 4) for m, v in total.items()} | {
        "queries": sum(o["queries"] for o in out.values())
    }
    return out


def main(argv: list[str] | None = None, *, embedder: Embedder | None = None) -> int:
    """scripts/bench.py passes its loaded model."""
    s = Settings.from_env()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, default=s.index_dir)
    ap.add_argument("--queries", type=Path, default=ROOT / "bench" / "queries.jsonl")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "autocomplete_eval.json")
    ap.add_argument("--show", default="", help="comma-separated prefixes whose top 5 to print for both rankings")
    a = ap.parse_args(argv)
    embedder = embedder or Embedder()
    index = load_index(a.index_dir, embedder.name, embedder.dim)
    engine = SearchEngine(index, embedder)
    t0 = time.perf_counter()
    ac = load_autocomplete(a.index_dir, index, embedder.encode, engine.vocab, engine.mask, understand=engine.understand)
    load_s = time.perf_counter() - t0
    sugg = ac.suggester
    queries, logs = held_out(a.queries, a.shared)
    phrase_keys = {strict_key(t) for t in sugg.texts}
    leaked = [r["query"] for r in queries if strict_key(r["query"]) in phrase_keys]
    base = PopularityPrefix(sugg)
    before = Suggester(ac.base_phrases, ac.base_vectors, ac.base_top, weights=BEFORE, spread=ac.spread)
    systems = {
        "autocomplete": lambda q, k: [x.text for x in sugg.suggest(q, k)],
        "before_issue14": lambda q, k: [x.text for x in before.suggest(q, k)],
        "popularity_prefix": base.suggest,
    }
    results = {name: evaluate(queries, fn, a.k) for name, fn in systems.items()}
    report = {
        "index_dir": str(a.index_dir),
        "products": len(index.products),
        "phrases": len(sugg),
        "load_s": round(load_s, 2),
        "k": a.k,
        "queries": len(queries),
        "query_logs_found": logs,
        "held_out_queries_equal_to_a_catalog_phrase": len(leaked),
        "note": "the suggestion index is built from the catalog only; held-out queries that equal a catalog "
        "phrase do so because the catalog names the thing the same way, not because they were added",
        "results": results,
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(report, indent=1))
    print(
        f"{len(queries)} held-out queries ({len(logs)} real query logs found), {len(sugg)} phrases, "
        f"{len(index.products)} products; {len(leaked)} queries equal a catalog phrase word for word"
    )
    print(
        f"{'system':18} {'kind':11} {'n':>4} {'MRR':>7} {'succ@' + str(a.k):>8} {'saved':>7} "
        f"{'MRR~':>7} {'succ~':>7} {'saved~':>7}"
    )
    for name, res in results.items():
        for kind, m in res.items():
            print(
                f"{name:18} {kind:11} {m['queries']:4d} {m['rr']:7.3f} {m['succ']:8.3f} {m['saved']:7.3f} "
                f"{m['rr_loose']:7.3f} {m['succ_loose']:7.3f} {m['saved_loose']:7.3f}"
            )
    print("(~ = plural-blind match: 'necklace' counts for 'necklaces'; metrics averaged over every prefix length)")
    print(f"{'system':18} {'kind':11} " + " ".join(f"by {n:<4}" for n in FOUND_BY) + "   never  (plural-blind)")
    for name, res in results.items():
        for kind, m in res.items():
            print(f"{name:18} {kind:11} " + " ".join(f"{m[f'by_{n}']:6.3f}" for n in FOUND_BY) + f" {m['never']:7.3f}")
    shown = {}
    for prefix in [p for p in a.show.split(",") if p]:
        shown[prefix] = {name: fn(prefix, 5) for name, fn in systems.items() if name != "popularity_prefix"}
        for name, got in shown[prefix].items():
            print(f"{prefix!r:8} {name:15} {got}")
    if shown:
        report["shown"] = shown
        a.out.write_text(json.dumps(report, indent=1))
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
