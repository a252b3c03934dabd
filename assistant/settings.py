"""The one settings object: SHOPMATE_* environment variables with defaults that work."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Mapping

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
    search_candidates: int = 200  # per retriever, before fusion
    rrf_k: int = 60
    max_k: int = 100
    log_level: str = "info"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Settings":
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
            elif f.type.startswith("Path"):
                values[f.name] = Path(raw)
            else:
                values[f.name] = raw
        values.update(overrides)
        return cls(**values)
