"""A shop's personalization state over the session's tiny index, through the real SQLite store: what the
signal tests build their scenarios with."""

from __future__ import annotations

import json
import time

from assistant.settings import Settings
from assistant.shoppers.recommend import recommendations
from assistant.shoppers.service import Shoppers

DAY = 86400.0


def make_shop(
    engine, embedder, tmp_path, name: str = "state", weights: dict | None = None, history_ttl_s: int = 0
) -> Shoppers:
    """A Shoppers with its own data folder `tmp_path/name`, learning at once (no TTLs unless given) and, given
    `weights`, blending with those (written as a fitted-weights file)."""
    path = None
    if weights is not None:
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"weights": weights}))
    settings = Settings.from_env(
        env={}, data_dir=tmp_path / name, segments_refresh_s=0, history_ttl_s=history_ttl_s, blend_weights=path
    )
    return Shoppers(settings, lambda: engine, embedder.encode_query)


def buy(sh: Shoppers, sid: str, pids, days_ago: float) -> None:
    ts = time.time() - days_ago * DAY
    sh.record(sid, [{"type": "purchase", "product_id": p, "ts": ts} for p in pids])


def ids(engine, *rows: int) -> list[str]:
    return [engine.products[r].id for r in rows]


def feed(sh: Shoppers, engine, sid: str, k: int = 20) -> dict:
    """The home feed as {product id: item}."""
    return {engine.products[it["row"]].id: it for it in recommendations(sh, engine, sid, {}, k)}
