"""Runs the other workstreams' evaluation/benchmark scripts and collects their JSON, unchanged.

scripts/bench.py does not reimplement them: each script is run as a subprocess with the flags it
declares in its --help (--quick, --out, --index-dir, --catalog, --mapping); a script that does not
exist yet is recorded as "not available", one that fails as "failed" with the end of its stderr.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# report section -> (script, extra arguments for --quick when the script has no --quick of its own);
# personalization (issue 5), autocomplete (6), outfits (7), chat (8).
SCRIPTS: dict[str, str] = {
    "personalization_quality": "scripts/eval_personalization.py",
    "personalization_speed": "scripts/bench_personalization.py",
    "autocomplete_quality": "scripts/eval_autocomplete.py",
    "autocomplete_speed": "scripts/bench_autocomplete.py",
    "outfits": "scripts/eval_outfits.py",
    "chat": "scripts/bench_chat.py",
}
QUICK_ARGS: dict[str, dict[str, str]] = {
    "personalization_quality": {"--shoppers": "100", "--limit": "1500"},
    "personalization_speed": {"--queries": "40", "--events": "200"},
    "autocomplete_speed": {"--requests": "40"},
    "chat": {"--conversations": "3"},
    "outfits": {"--anchors": "60", "--cold": "10"},
}
# Scripts that evaluate on a catalog of their own (outfits: the fashion catalog) get no catalog flags.
OWN_CATALOG = {"outfits"}


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


def run_one(name: str, rel: str, quick: bool, index_dir: Path, catalog: Path | None, mapping: Path | None,
            timeout: float) -> dict:
    script = ROOT / rel
    if not script.exists():
        return {"status": "not available", "script": rel, "reason": f"{rel} does not exist yet"}
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    if name not in OWN_CATALOG:
        env["SHOPMATE_INDEX_DIR"] = str(index_dir)
        if catalog:
            env["SHOPMATE_CATALOG"] = str(catalog)
        if mapping:
            env["SHOPMATE_MAPPING"] = str(mapping)
    declared = _flags(script)
    out = Path(tempfile.mkdtemp(prefix=f"bench-{name}-")) / "out.json"
    cmd = [sys.executable, str(script)]
    if quick and "--quick" in declared:
        cmd.append("--quick")
    elif quick:  # only the flags the script really declares
        for flag, value in QUICK_ARGS.get(name, {}).items():
            if flag in declared:
                cmd += [flag, value]
    if "--out" in declared:
        cmd += ["--out", str(out)]
    for flag, value in (("--index-dir", index_dir), ("--catalog", catalog), ("--mapping", mapping)):
        if value and flag in declared and name not in OWN_CATALOG:
            cmd += [flag, str(value)]
    t = time.perf_counter()
    try:
        r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": "failed", "script": rel, "reason": f"timed out after {timeout:.0f}s"}
    secs = round(time.perf_counter() - t, 1)
    base = {"script": rel, "command": " ".join(Path(c).name if i == 0 else c for i, c in enumerate(cmd)),
            "seconds": secs}
    if r.returncode != 0:
        return {**base, "status": "failed", "reason": f"exit {r.returncode}: {r.stderr.strip()[-800:]}"}
    data = None
    if out.exists():
        try:
            data = json.loads(out.read_text())
        except json.JSONDecodeError:
            data = None
    if data is None:
        data = _last_json(r.stdout)
    if data is None:
        return {**base, "status": "ran", "reason": "no JSON output found", "stdout_tail": r.stdout[-1500:]}
    return {**base, "status": "ok", "results": data, "stdout_tail": r.stdout[-1500:]}


def run_all(quick: bool, index_dir: Path, catalog: Path | None, mapping: Path | None,
            only: set[str] | None = None) -> dict:
    timeout = 300 if quick else 600
    out = {}
    for name, rel in SCRIPTS.items():
        if only is not None and name not in only:
            out[name] = {"status": "skipped", "script": rel, "reason": "not selected with --external"}
            continue
        print(f"[bench] external: {rel}", flush=True)
        out[name] = run_one(name, rel, quick, index_dir, catalog, mapping, timeout)
    return out
