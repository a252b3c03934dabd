"""Hostile-client stress run against a real server process (`make stress`) -> bench/stress.json.

Starts `python -m assistant` over an index (default: data/index, else the tiny catalog built into
bench/tmp/stress-index), captures its whole log at DEBUG, then: a seeded fuzz of 10,000 chat frames; 20
compressed 16 MiB frames (RSS before/after); 3 bursts of 300 concurrent searches with /healthz polled during
them on the main port and on the health port (SHOPMATE_HEALTH_PORT, set here); 5 index reloads (RSS after
each); schemathesis with all checks against the app's OpenAPI. Every figure is measured on this machine as it
is (label them "measured under load" when other work shares the cores; each burst records the load average).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.burst import burst  # noqa: E402
from bench.fuzz import BOMB_BYTES, compressed_bombs, frames  # noqa: E402
from bench.server import ServerProcess, free_port  # noqa: E402

# One connection per request: a client stalled by the burst could otherwise reuse a connection just as
# uvicorn closes it for keep-alive idleness (5 s), which is the client's race, not the server failing.
FRESH = httpx.Limits(max_keepalive_connections=0)
ADMIN = "stress-admin"
# All checks on. One adjustment, on purpose: a schema-valid request may get 422 (positive_data_acceptance),
# because some rules are about the data, not the shape, and no schema can state them: a product_id must be
# in the catalog, a colour must be one the catalog knows, a login assertion's signature must verify, an
# event's ts must fall within the retention window, a category must have products.
SCHEMATHESIS_CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "422"]
"""


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return round(v[min(len(v) - 1, int(len(v) * q))], 2) if v else float("nan")


class Server(ServerProcess):
    """The stressed server: its whole log at DEBUG (where unhandled exceptions and tokens would show), probes on
    their own port."""

    def __init__(self, index_dir: Path, catalog: Path, mapping: Path, work: Path, **env: str):
        self.health_port = free_port()
        state = work / f"state-{self.health_port}"
        settings = {
            "SHOPMATE_INDEX_DIR": str(index_dir),
            "SHOPMATE_CATALOG": str(catalog),
            "SHOPMATE_MAPPING": str(mapping),
            "SHOPMATE_DATA_DIR": str(state),
            "SHOPMATE_HEALTH_PORT": str(self.health_port),
            "SHOPMATE_ADMIN_TOKEN": ADMIN,
            "SHOPMATE_LOG_LEVEL": "debug",
            **env,
        }
        super().__init__(settings, log_path=work / f"server-{self.health_port}.log")
        self.base, self.ws = self.base_url, self.ws_url
        self.wait_ready(600)

    def exceptions(self) -> int:
        return sum(1 for ln in self.log_text().splitlines() if "Traceback" in ln or "Exception in ASGI" in ln)


def fuzz(srv: Server, n: int, seed: int) -> dict:
    rng = random.Random(seed)
    answered = reconnects = abnormal = 0
    kinds: dict[str, int] = {}
    t0 = time.perf_counter()
    ws = connect(srv.ws, open_timeout=30, max_size=None)
    ws.recv(timeout=30)
    for kind, payload in frames(rng, n):
        kinds[kind] = kinds.get(kind, 0) + 1
        try:
            ws.send(payload)
            in_turn = False
            while True:
                ev = json.loads(ws.recv(timeout=60))
                in_turn = in_turn or ev["type"] == "turn_start"
                if ev["type"] == "done" or (ev["type"] in ("error", "pong") and not in_turn):
                    break
            answered += 1
        except ConnectionClosed as e:
            code = e.rcvd.code if e.rcvd else None
            abnormal += code not in (1000, 1009)
            reconnects += 1
            ws = connect(srv.ws, open_timeout=30, max_size=None)
            ws.recv(timeout=30)
    ws.close()
    return {
        "frames": n,
        "seed": seed,
        "answered": answered,
        "closed_1009_or_normal_then_reconnected": reconnects - abnormal,
        "abnormal_closes": abnormal,
        "by_kind": kinds,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def bombs(srv: Server, n: int = 20) -> dict:
    before = srv.rss_mb()
    codes = compressed_bombs(srv.ws, n)
    after = srv.rss_mb()
    return {
        "connections": n,
        "frame_bytes": BOMB_BYTES,
        "close_codes": sorted(set(map(str, codes))),
        "rss_before_mb": before,
        "rss_after_mb": after,
        "rss_growth_mb": round(after - before, 1),
    }


def burst_runs(srv: Server, n: int) -> dict:
    """`n` bursts a few seconds apart; each run's figures, and the load average when it started."""
    runs = []
    for i in range(n):
        if i:
            time.sleep(3)
        load = os.getloadavg()[0]
        runs.append({"load_avg_1min": round(load, 2), **burst(srv.port, health_port=srv.health_port)})
    keys = ("healthz_ms_p99", "health_port_ms_p99")
    return {"runs": runs, **{f"worst_{k}": max(r[k] for r in runs) for k in keys}}


STEPS = ("fuzz", "compressed_16mib_frames", "burst", "reloads", "schemathesis")


def reloads(srv: Server, n: int = 5) -> dict:
    rss = []
    for _ in range(n):
        r = httpx.post(srv.base + "/api/admin/reload", headers={"Authorization": f"Bearer {ADMIN}"}, timeout=600)
        r.raise_for_status()
        rss.append(srv.rss_mb())
    return {"reloads": n, "rss_mb_after_each": rss, "last_over_first": round(rss[-1] / rss[0], 3)}


def schema_run(srv: Server, work: Path, max_examples: int) -> dict:
    tok = httpx.post(srv.base + "/api/sessions", timeout=30).json()["token"]
    report = work / "schemathesis.json"
    (work / "schemathesis.toml").write_text(SCHEMATHESIS_CONFIG)
    cmd = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        srv.base + "/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(max_examples),
        "--seed",
        "16",
        "-H",
        f"Authorization: Bearer {tok}",
        "--request-timeout",
        "60",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--no-color",
    ]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=work)
    text = out.stdout + out.stderr
    (work / "schemathesis.txt").write_text(text)
    cases = sum(int(x) for x in re.findall(r"(\d+) generated", text)) or None
    failures = re.search(r"(\d+) failures?", text.split("SUMMARY")[-1]) if "SUMMARY" in text else None
    return {
        "exit_code": out.returncode,
        "max_examples_per_operation": max_examples,
        "test_cases": cases,
        "failures": int(failures.group(1)) if failures else (0 if out.returncode == 0 else None),
        "seconds": round(time.perf_counter() - t0, 1),
        "summary": text.split("SUMMARY")[-1].strip()[:2000] if "SUMMARY" in text else text[-2000:],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index-dir", type=Path, default=ROOT / "data" / "index")
    ap.add_argument("--catalog", type=Path, default=ROOT / "data" / "catalog" / "flipkart-20k.csv")
    ap.add_argument("--mapping", type=Path, default=ROOT / "data" / "catalog" / "flipkart.mapping.json")
    ap.add_argument("--frames", type=int, default=10_000)
    ap.add_argument("--bursts", type=int, default=3, help="bursts in a row (the first right after start-up)")
    ap.add_argument("--schema-examples", type=int, default=50)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "stress.json")
    ap.add_argument(
        "--only", choices=STEPS, action="append", help="run only these steps (repeatable); the default runs all"
    )
    args = ap.parse_args()
    if not (args.index_dir / "CURRENT").exists():
        args.index_dir = ROOT / "bench" / "tmp" / "stress-index"
        args.catalog = ROOT / "data" / "catalog" / "tiny.csv"
        if not (args.index_dir / "CURRENT").exists():
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "scripts" / "rebuild_index.py"),
                    "--catalog",
                    str(args.catalog),
                    "--mapping",
                    str(args.mapping),
                    "--index-dir",
                    str(args.index_dir),
                ],
                check=True,
            )
    results: dict = {
        "index_dir": args.index_dir.name,
        "catalog": args.catalog.name,
        "cpus": os.cpu_count(),
        "load_avg_at_start": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # the fuzz sends frames back to back: the per-connection and per-address frame limits are lifted
        srv = Server(
            args.index_dir,
            args.catalog,
            args.mapping,
            work,
            SHOPMATE_CHAT_RATE_PER_S="100000",
            SHOPMATE_CHAT_ABUSE_ERRORS="100000",
            SHOPMATE_RATE_CHAT="",
            SHOPMATE_RATE_SESSIONS="",
            SHOPMATE_RATE_EVENTS="",
            SHOPMATE_WS_MAX_CONNECTIONS_PER_CLIENT="100",
        )
        try:
            results["rss_at_start_mb"] = srv.rss_mb()
            steps = {
                "fuzz": lambda: fuzz(srv, args.frames, seed=16),
                "compressed_16mib_frames": lambda: bombs(srv),
                "burst": lambda: burst_runs(srv, args.bursts),
                "reloads": lambda: reloads(srv),
                "schemathesis": lambda: schema_run(srv, work, args.schema_examples),
            }
            for name, step in steps.items():
                if args.only and name not in args.only:
                    continue
                print(f"{name}...", flush=True)
                # labelled per step: a partial run (--only) keeps the other steps' figures, maybe from another index
                results[name] = {**step(), "index_dir": args.index_dir.name, "catalog": args.catalog.name}
            results["server_exceptions_in_log"] = srv.exceptions()
        finally:
            srv.stop()
    results["load_avg_at_end"] = os.getloadavg()
    if args.only and args.out.exists():  # a partial run updates its steps and keeps the others' figures
        results = {**json.loads(args.out.read_text()), **results}
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
