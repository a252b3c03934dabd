"""`python -m assistant` in its own process, as a shop runs it (its own model, state and uvicorn options): the one
way the benchmarks, `make stress` and the process-level tests start a server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """One server on a free port; `settings` are its SHOPMATE_* variables (over this process's environment).
    With a log_path its whole output is kept there (where unhandled exceptions would show), else discarded."""

    def __init__(self, settings: Mapping[str, str], log_path: Path | None = None):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws/chat"
        self.env = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",  # the bundled model only: nothing is downloaded
            "TOKENIZERS_PARALLELISM": "false",
            "SHOPMATE_PORT": str(self.port),
            **settings,
        }
        self.log_path = log_path
        out = open(log_path, "wb") if log_path is not None else subprocess.DEVNULL  # noqa: SIM115 (closed in stop)
        self._log = out if log_path is not None else None
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant"], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 600, path: str = "/readyz") -> float:
        """Seconds until `path` answers 200 (the model and the index are loaded)."""
        t0 = time.perf_counter()
        with httpx.Client(base_url=self.base_url, timeout=10) as c:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the server exited ({self.proc.returncode}): {self.log_text()[-3000:]}")
                try:
                    if c.get(path).status_code == 200:
                        return time.perf_counter() - t0
                except httpx.HTTPError:
                    pass
                if time.perf_counter() - t0 > timeout:
                    raise RuntimeError(f"the server did not become ready in {timeout:.0f} s: {self.log_text()[-3000:]}")
                time.sleep(0.2)

    def rss_mb(self) -> float:
        """The server process's resident memory (MB)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
        raise RuntimeError("no VmRSS for the server process")

    def log_text(self) -> str:
        """Its output so far ("" when not kept)."""
        if self._log is None or self.log_path is None:
            return ""
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self._log is not None:
            self._log.close()
