"""The one settings object: SHOPMATE_* environment variables with defaults that work."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    # /healthz and /readyz also on this port, answered by a thread of their own, never behind the event loop
    # (docs/api.md "Limits"); 0 = off. Point orchestrator probes here; do not publish it through the proxy.
    health_port: int = 0
    catalog: Path = ROOT / "data" / "catalog" / "flipkart-20k.csv"
    mapping: Path | None = ROOT / "data" / "catalog" / "flipkart.mapping.json"
    index_dir: Path = ROOT / "data" / "index"
    data_dir: Path = ROOT / "data" / "state"  # SQLite and generated secrets
    # empty: shopper state in data_dir's SQLite file; postgresql://...: a shared database for replicas
    database_url: str = ""
    admin_token: str = ""  # empty: admin endpoints are disabled
    embed_batch_size: int = 64
    # Encoder backend: "onnx" (default: same vectors as torch, faster), "onnx-int8" (fastest, its own vector
    # space: build the index with it) or "torch". docs/index.md, "Encoder backends".
    encoder: str = "onnx"
    compute_threads: int = 1  # model and BLAS threads per call in the server (see server.limit_compute_threads)
    search_candidates: int = 200  # per retriever, before fusion
    rrf_k: int = 60
    log_level: str = "info"
    # Origins of the shops allowed to embed the widget and call the API (and open /ws/chat) from their pages,
    # comma-separated. Empty: same-origin only (the bundled demo page). "*" = any, only when set explicitly.
    cors_origins: str = ""
    # --- chat over websockets (README: "Chat assistant over websockets")
    chat_max_frame_bytes: int = 8192
    chat_rate_per_s: float = 10.0  # frames per second per connection (bursts up to the same number)
    chat_idle_timeout_s: float = 300.0  # idle connections are closed (code 1001)
    chat_send_timeout_s: float = 10.0  # a client that stops reading for this long is closed (code 1008)
    chat_abuse_errors: int = 20  # errors within 10 s that close the connection (code 1008)
    chat_resume_s: float = 1800.0  # a reconnecting shopper gets the conversation back within this time
    chat_max_conversations: int = 10000  # kept in memory; the least recently used are dropped
    # --- hardening (docs/api.md "Limits"): added fields, plain defaults
    ws_max_message_bytes: int = 65536  # uvicorn's ws_max_size: bigger (or bigger-when-inflated) frames close 1009
    ws_max_connections: int = 1000  # open chat websockets in this process; more are closed with 1013
    ws_max_connections_per_client: int = 20  # per client address; more are closed with 1013
    max_json_depth: int = 32  # nesting of JSON bodies and chat frames
    max_body_bytes: int = 1 << 20  # request bodies; bigger ones are refused with 413
    # Expensive requests (search, browse, ...) in flight at once: they are CPU-bound, so more than the cores
    # only adds GIL contention, which is what slowed /healthz during a burst (docs/api.md "Limits").
    shed_max_concurrent: int = max(2, os.cpu_count() or 2)
    shed_queue: int = 32  # more wait their turn (not in the thread pool); beyond that: 503 + Retry-After at once
    shed_max_wait_s: float = 2.0  # a queued request still waiting after this gets the 503
    shed_retry_after_s: int = 1
    # Freed heap pages are given back to the OS once a burst of work is over, at most this often (assistant/heap.py
    # IdleTrimmer); 0 = never.
    heap_trim_interval_s: float = 10.0
    rate_sessions: str = "120/minute"  # POST /api/sessions per client address ("limits" notation; "" = off)
    rate_events: str = "50/second"  # POST /api/events per shopper
    rate_chat: str = "30/second"  # chat frames per client address, over all its connections
    llm_url: str = ""  # OpenAI-compatible base URL, e.g. http://localhost:11434/v1; empty: templates only
    llm_model: str = ""
    llm_api_key: str = ""
    llm_first_token_s: float = 3.0
    llm_total_s: float = 12.0
    # --- shopper profiles and personalization (README: "Shopper profiles and personalization")
    secret: str = ""  # signs shopper tokens; empty: generated on first run into data_dir/shopmate.secret
    shop_secret: str = ""  # the shop signs login assertions with it; empty: account linking is disabled
    token_ttl_s: int = 30 * 86400
    login_max_age_s: int = 300
    half_life_days: float = 7.0  # profile recency weighting
    popularity_half_life_days: float = 3.0
    retention_days: int = 365  # events older than this are purged
    max_event_batch: int = 500
    max_event_future_s: int = 300  # clock skew allowed for client timestamps
    sqlite_synchronous: str = "FULL"  # FULL: an acknowledged event survives a power cut, not just kill -9
    consent_default: bool = True  # personalization and nudges consent of a new session
    profile_weight: float = 0.6  # w for vague queries; shrinks with query specificity
    nudges_file: Path | None = ROOT / "data" / "nudges.json"
    # Blend weights fitted on a validation split (scripts/eval_basket.py --fit), per length of purchase history;
    # empty: the built-in defaults. Consumables below are only the fallback for a shop without learned rates.
    blend_weights: Path | None = None
    history_ttl_s: int = 300  # how long the learned co-purchase / repeat-rate model is reused
    consumable_categories: str = "Beauty and Personal Care,Baby Care,Pet Supplies,Health & Personal Care Appliances"
    segments_k: int = 0  # 0: chosen by silhouette
    segments_refresh_s: int = 6 * 3600  # 0: only by scripts/refresh_segments.py
    # --- search-box autocomplete (README: "Search-box autocomplete")
    autocomplete_refresh_s: int = 60  # how often the search log is folded into the suggestions
    autocomplete_log_size: int = 500  # most popular logged searches considered per refresh
    autocomplete_cache_size: int = 4096  # rendered anonymous answers kept per index version; 0: no cache
    # --- complete the look (README: "Complete the look")
    outfit_rules: Path = ROOT / "data" / "outfits" / "complementarity.json"  # slots, complements, occasions
    outfit_palette: Path = ROOT / "data" / "outfits" / "palette.json"  # neutrals and clashing colours
    outfit_copurchase_ttl_s: int = 60  # how long the co-purchase lift from the event log is reused

    def __post_init__(self) -> None:
        for f in fields(self):
            _check(f.name, getattr(self, f.name))
        if self.health_port == self.port:
            raise SettingsError(f"{var('health_port')}={self.health_port} is the main port; use another (0 = off)")
        object.__setattr__(self, "log_level", self.log_level.lower())  # uvicorn knows the lower-case names
        object.__setattr__(self, "sqlite_synchronous", self.sqlite_synchronous.upper())

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read SHOPMATE_<FIELD> for each field; explicit overrides win. Raises SettingsError naming the variable."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(var(f.name))
            if raw is not None:
                values[f.name] = _parse(f.name, str(f.type), raw)
        values.update(overrides)
        return cls(**values)

    def require_files(self, *names: str) -> None:
        """Raise SettingsError if a path setting the caller needs is not an existing file (None: not needed)."""
        for name in names:
            path = getattr(self, name)
            if path is not None and not Path(path).is_file():
                raise SettingsError(f"{var(name)}={path}: no such file")


class SettingsError(ValueError):
    """A setting with a value that cannot work; the message names the SHOPMATE_* variable."""


# Numbers must be >= 0; these must be > 0 as well (0 would stall or break what cannot be switched off).
POSITIVE = frozenset(
    {
        "port",
        "embed_batch_size",
        "compute_threads",
        "search_candidates",
        "chat_max_frame_bytes",
        "chat_rate_per_s",
        "chat_idle_timeout_s",
        "chat_send_timeout_s",
        "chat_abuse_errors",
        "chat_max_conversations",
        "llm_first_token_s",
        "llm_total_s",
        "token_ttl_s",
        "login_max_age_s",
        "half_life_days",
        "popularity_half_life_days",
        "retention_days",
        "max_event_batch",
        # hardening limits: 0 would refuse every frame, body or connection (shed_max_concurrent 0 = off)
        "ws_max_message_bytes",
        "ws_max_connections",
        "ws_max_connections_per_client",
        "max_json_depth",
        "max_body_bytes",
        "shed_retry_after_s",
        "shed_max_wait_s",
    }
)
UPPER_BOUNDS: dict[str, float] = {"port": 65535, "health_port": 65535, "profile_weight": 1.0}
CHOICES: dict[str, tuple[str, ...]] = {
    "log_level": ("critical", "error", "warning", "info", "debug"),
    "sqlite_synchronous": ("OFF", "NORMAL", "FULL", "EXTRA"),
}
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def var(name: str) -> str:
    """The environment variable of a settings field."""
    return f"SHOPMATE_{name.upper()}"


def _parse(name: str, kind: str, raw: str) -> Any:
    """One environment string as the field's type (`kind` is the annotation as written, e.g. "int | None")."""
    optional, kind = kind.endswith("| None"), kind.removesuffix("| None").strip()
    if optional and raw == "":
        return None
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        raise SettingsError(f"{var(name)}={raw!r} is not {'an integer' if kind == 'int' else 'a number'}") from None
    if kind == "bool":
        if raw.strip().lower() not in TRUE + FALSE:
            raise SettingsError(f"{var(name)}={raw!r} is not one of {', '.join(TRUE + FALSE[:-1])}")
        return raw.strip().lower() in TRUE
    if kind == "Path":
        if raw == "":
            raise SettingsError(f"{var(name)} is empty; a path is needed")
        return Path(raw)
    return raw


def _check(name: str, value: Any) -> None:
    """Raise SettingsError if a value is out of its range or not one of its choices."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise SettingsError(f"{var(name)}={value} is not a finite number")
        if value < 0 or (value == 0 and name in POSITIVE):
            raise SettingsError(f"{var(name)}={value} must be {'> 0' if name in POSITIVE else '>= 0'}")
        if value > UPPER_BOUNDS.get(name, math.inf):
            raise SettingsError(f"{var(name)}={value} must be <= {UPPER_BOUNDS[name]:g}")
    elif name in CHOICES and str(value).lower() not in (c.lower() for c in CHOICES[name]):
        raise SettingsError(f"{var(name)}={value!r} is not one of {', '.join(CHOICES[name])}")
