"""Per-client protections that are not middleware: the websocket Origin allow-list, caps on open chat
connections, rate limits (the `limits` package, in memory, per process) and keeping tokens out of logs."""

from __future__ import annotations

import logging
import math
import re
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from assistant.errors import TooManyRequests


def parse_origins(raw: str) -> tuple[str, ...]:
    """SHOPMATE_CORS_ORIGINS -> normalised origins ("*" kept as is)."""
    return tuple(o.strip().rstrip("/").lower() for o in raw.split(",") if o.strip())


def origin_allowed(origin: str | None, host: str | None, scheme: str, allowed: tuple[str, ...]) -> bool:
    """May a websocket with this Origin header be opened? No Origin: not a browser (nothing to protect: a
    non-browser client can send any Origin it likes), allowed. `null` (sandboxed frames, file: pages) and
    anything else not same-origin or listed are refused; "*" allows any origin but only when configured."""
    if origin is None:
        return True
    origin = origin.strip().rstrip("/").lower()
    if not origin or origin == "null":  # opaque origins, even with "*": nothing says which page it is
        return False
    if "*" in allowed or origin in allowed:
        return True
    parts = urlsplit(origin)
    if not parts.hostname or host is None:
        return False
    http_scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
    return parts.scheme == http_scheme and parts.netloc == host.strip().lower()


@dataclass
class ConnectionCaps:
    """Open chat websockets, in total and per client address (this process)."""

    total_cap: int
    per_client_cap: int
    total: int = 0
    by_client: Counter[str] = field(default_factory=Counter)

    def enter(self, client: str) -> str | None:
        """Count a connection in; the reason it is refused (nothing counted) or None."""
        if self.total >= self.total_cap:
            return f"the server has {self.total} chat connections open, its limit; try again shortly"
        if self.by_client[client] >= self.per_client_cap:
            return f"{self.per_client_cap} chat connections are open from your address, the limit"
        self.total += 1
        self.by_client[client] += 1
        return None

    def leave(self, client: str) -> None:
        self.total -= 1
        self.by_client[client] -= 1
        if self.by_client[client] <= 0:
            del self.by_client[client]


class RateLimits:
    """Named moving-window limits ("120/minute", "10/second;500/hour"; "" disables one) keyed per client."""

    def __init__(self, specs: Mapping[str, str]):
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.items = {name: parse_many(spec) for name, spec in specs.items() if spec.strip()}

    def retry_after(self, name: str, key: str) -> float | None:
        """Count one hit of `name` for `key`: None when allowed, else seconds until a retry can succeed."""
        for item in self.items.get(name, ()):
            if not self.limiter.hit(item, name, key):
                reset = self.limiter.get_window_stats(item, name, key).reset_time
                return max(1.0, reset - time.time())
        return None

    def check(self, name: str, key: str) -> None:
        """TooManyRequests (429 + Retry-After) when `key` is over the `name` limit."""
        wait = self.retry_after(name, key)
        if wait is not None:
            limit = "; ".join(str(i) for i in self.items[name])
            raise TooManyRequests(f"rate limit {limit} reached; retry in {math.ceil(wait)} s", math.ceil(wait))


_SECRETS = re.compile(r"((?:token|access_token|sig)=)[^&\s\"']+|(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.I)


def redact(text: str) -> str:
    """Replace token values (query parameters, bearer headers) with ***."""
    return _SECRETS.sub(lambda m: (m.group(1) or m.group(2)) + "***", text)


_installed = False


def keep_tokens_out_of_logs() -> None:
    """Redact tokens in every log record of the process, whoever logs it. uvicorn's websocket line
    ('"WebSocket /ws/chat?token=..." [accepted]') goes to the `uvicorn.error` logger at INFO, so
    access_log=False does not stop it, and the websockets library logs handshakes at DEBUG."""
    global _installed
    if _installed:
        return
    _installed = True
    make = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = make(*args, **kwargs)
        if record.args:
            try:
                msg = record.getMessage()
            except Exception:  # a broken format string is the logger's problem, not ours
                return record
            if "=" in msg or "Bearer" in msg:
                record.msg, record.args = redact(msg), None
        elif isinstance(record.msg, str) and ("=" in record.msg or "Bearer" in record.msg):
            record.msg = redact(record.msg)
        return record

    logging.setLogRecordFactory(factory)
