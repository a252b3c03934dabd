"""The one settings object: SHOPMATE_* environment variables with defaults that work."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    catalog: Path = ROOT / "data" / "catalog" / "flipkart-20k.csv"
    mapping: Path | None = ROOT / "data" / "catalog" / "flipkart.mapping.json"
    index_dir: Path = ROOT / "data" / "index"
    data_dir: Path = ROOT / "data" / "state"  # SQLite and generated secrets
    admin_token: str = ""  # empty: admin endpoints are disabled
    embed_batch_size: int = 64
    # Encoder backend: "onnx" (default: same vectors as torch, faster), "onnx-int8" (fastest, its own vector
    # space: build the index with it) or "torch". docs/index.md, "Encoder backends".
    encoder: str = "onnx"
    compute_threads: int = 1  # model and BLAS threads per call in the server (see server.limit_compute_threads)
    search_candidates: int = 200  # per retriever, before fusion
    rrf_k: int = 60
    log_level: str = "info"
    # Origins of the shops allowed to embed the widget and call the API from their pages (comma-separated;
    # "*" = any). Safe as a default: personal calls carry a bearer token, never cookies.
    cors_origins: str = "*"
    # --- chat over websockets (README: "Chat assistant over websockets")
    chat_max_frame_bytes: int = 8192
    chat_rate_per_s: float = 10.0  # frames per second per connection (bursts up to the same number)
    chat_idle_timeout_s: float = 300.0  # idle connections are closed (code 1001)
    chat_send_timeout_s: float = 10.0  # a client that stops reading for this long is closed (code 1008)
    chat_abuse_errors: int = 20  # errors within 10 s that close the connection (code 1008)
    chat_resume_s: float = 1800.0  # a reconnecting shopper gets the conversation back within this time
    chat_max_conversations: int = 10000  # kept in memory; the least recently used are dropped
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

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Read SHOPMATE_<FIELD> for each field; explicit overrides win."""
        env = os.environ if env is None else env
        values = {}
        for f in fields(cls):
            raw = env.get(f"SHOPMATE_{f.name.upper()}")
            if raw is None:
                continue
            if f.name == "mapping" and raw == "":
                values[f.name] = None
            elif f.type in ("int",):
                values[f.name] = int(raw)
            elif f.type in ("float",):
                values[f.name] = float(raw)
            elif f.type in ("bool",):
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            elif f.type.startswith("Path"):
                values[f.name] = Path(raw)
            else:
                values[f.name] = raw
        values.update(overrides)
        return cls(**values)
