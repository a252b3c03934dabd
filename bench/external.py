"""Runs the other workstreams' evaluation/benchmark scripts and collects their JSON, unchanged.

scripts/bench.py does not reimplement them: each script's `main(argv)` is called in this process with
the flags it declares (--quick sizes, --out, --work-dir, --index-dir, --catalog, --mapping) and, where its `main`
accepts them, the benchmark's already loaded model (`embedder=`) and its one running server
(`server=`), so that no script pays for its own model load or server start. A script that does not exist
yet is recorded as "not available", one that fails as "failed" with the end of its traceback.
"""

from __future__ import annotations

import importlib.util
import inspect
import io
import json
import re
import tempfile
import time
import traceback
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from bench.paths import shown_argv

ROOT = Path(__file__).resolve().parent.parent

# report section -> script; personalization (issue 5), autocomplete (6), outfits (7), chat (8, 15), shopper-judged
# search quality (14).
SCRIPTS: dict[str, str] = {
    "judged_quality": "scripts/eval_judged.py",
    "personalization_quality": "scripts/eval_personalization.py",
    "personalization_speed": "scripts/bench_personalization.py",
    "autocomplete_quality": "scripts/eval_autocomplete.py",
    "autocomplete_speed": "scripts/bench_autocomplete.py",
    "outfits": "scripts/eval_outfits.py",
    "chat": "scripts/bench_chat.py",
    "personalization_real_log": "scripts/eval_basket.py",
    "chat_conversations": "scripts/eval_chat.py",
}
# Smaller samples for --quick (used only where the script declares the flag).
QUICK_ARGS: dict[str, dict[str, str]] = {
    "personalization_quality": {"--shoppers": "100", "--limit": "1500"},
    "personalization_speed": {"--queries": "60", "--events": "400"},
    "autocomplete_speed": {"--requests": "400", "--max-prefixes": "500", "--modes": "cached"},
    "chat": {"--conversations": "3", "--rounds-20": "1"},
    "outfits": {"--anchors": "60", "--cold": "10", "--sample": "600"},
}
# Scripts that evaluate on a catalog of their own (outfits: the fashion catalog) get no catalog flags.
OWN_CATALOG = {"outfits", "personalization_real_log"}


def _flags(script: Path) -> set[str]:
    """The flags the script declares with add_argument (read from its source: cheaper than --help)."""
    src = script.read_text(encoding="utf-8", errors="replace")
    return set(re.findall(r"add_argument\(\s*[\"'](--[a-z0-9-]+)[\"']", src))


def _last_json(text: str) -> dict | None:
    """The last top-level JSON object printed on stdout, if any."""
    for start in [i for i, ch in enumerate(text) if ch == "{"][::-1][:200]:
        try:
            obj = json.loads(text[start:])
            return obj if isinstance(obj, dict) else None
        except json.JSONDecodeError:
            continue
    return None


def _main_of(script: Path):
    spec = importlib.util.spec_from_file_location(f"bench_external_{script.stem}", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.main


def run_one(
    name: str,
    rel: str,
    quick: bool,
    index_dir: Path,
    catalog: Path | None,
    mapping: Path | None,
    shared: dict[str, Any] | None = None,
    work_dir: Path | None = None,
) -> dict:
    """Run one script's main() here, with `shared` objects (embedder, server) its signature accepts."""
    script = ROOT / rel
    if not script.exists():
        return {"status": "not available", "script": rel, "reason": f"{rel} does not exist yet"}
    declared = _flags(script)
    out = Path(tempfile.mkdtemp(prefix=f"bench-{name}-")) / "out.json"
    argv: list[str] = []
    if quick and "--quick" in declared:
        argv.append("--quick")
    elif quick:  # only the flags the script really declares
        for flag, value in QUICK_ARGS.get(name, {}).items():
            if flag in declared:
                argv += [flag, value]
    if "--out" in declared:
        argv += ["--out", str(out)]
    if work_dir and "--work-dir" in declared:  # scratch files (samples, cached indexes) go there
        argv += ["--work-dir", str(work_dir)]
    for flag, value in (("--index-dir", index_dir), ("--catalog", catalog), ("--mapping", mapping)):
        if value and flag in declared and name not in OWN_CATALOG:
            argv += [flag, str(value)]
    base = {"script": rel, "command": " ".join([Path(rel).name, *shown_argv(argv)])}
    stdout = io.StringIO()
    t = time.perf_counter()
    try:
        main = _main_of(script)
        accepted = inspect.signature(main).parameters
        kwargs = {k: v for k, v in (shared or {}).items() if k in accepted}
        with redirect_stdout(stdout):
            code = main(argv, **kwargs)
    except SystemExit as e:  # argparse errors and explicit exits
        code = e.code
    except Exception:
        return {
            **base,
            "seconds": round(time.perf_counter() - t, 1),
            "status": "failed",
            "reason": traceback.format_exc()[-800:],
            "stdout_tail": stdout.getvalue()[-1500:],
        }
    base["seconds"] = round(time.perf_counter() - t, 1)
    text = stdout.getvalue()
    if code not in (0, None):
        return {**base, "status": "failed", "reason": f"exit {code}", "stdout_tail": text[-1500:]}
    data = None
    if out.exists():
        try:
            data = json.loads(out.read_text())
        except json.JSONDecodeError:
            data = None
    if data is None:
        data = _last_json(text)
    if data is None:
        return {**base, "status": "ran", "reason": "no JSON output found", "stdout_tail": text[-1500:]}
    return {**base, "status": "ok", "results": data, "stdout_tail": text[-1500:]}


def run_all(
    quick: bool,
    index_dir: Path,
    catalog: Path | None,
    mapping: Path | None,
    only: set[str] | None = None,
    shared: dict[str, Any] | None = None,
    work_dir: Path | None = None,
) -> dict:
    out = {}
    for name, rel in SCRIPTS.items():
        if only is not None and name not in only:
            out[name] = {"status": "skipped", "script": rel, "reason": "not selected with --external"}
            continue
        print(f"[bench] external: {rel}", flush=True)
        out[name] = run_one(name, rel, quick, index_dir, catalog, mapping, shared, work_dir)
        print(f"[bench]   {out[name]['status']} in {out[name].get('seconds', 0)} s", flush=True)
    return out
