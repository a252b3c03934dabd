"""Journey nudges: pure rules over a shopper's profile state and the events that just arrived.

The rules and their texts live in one settings file (data/nudges.json). Each nudge says which rule
fired and why, in terms of the shopper's own events.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.shoppers.profiles import Profile

DEFAULT_RULES: dict = {
    "abandoned_cart": {
        "enabled": True,
        "after_minutes": 30,
        "max_per_shopper": 3,
        "message": "You left {n} item(s) in your cart: {title} is still waiting.",
    },
    "repeated_views": {
        "enabled": True,
        "nth_view": 3,
        "max_per_shopper": 2,
        "incentive": {"kind": "discount_code", "code": "SHOPMATE10", "percent": 10},
        "message": "Still thinking about {title}? Here is {percent}% off with code {code}.",
    },
    "size_guide": {
        "enabled": True,
        "after_size_chart_views": 2,
        "max_per_shopper": 1,
        "message": "Not sure about the size? Our size guide compares brands' measurements.",
    },
    "restock": {"enabled": True, "max_per_shopper": 10, "message": "{title} from your wishlist is back in stock."},
}


@dataclass
class NudgeRules:
    rules: dict = field(default_factory=lambda: json.loads(json.dumps(DEFAULT_RULES)))

    @classmethod
    def load(cls, path: Path | None) -> NudgeRules:
        rules = json.loads(json.dumps(DEFAULT_RULES))
        if path is not None and Path(path).exists():
            data = json.loads(Path(path).read_text())
            unknown = set(data) - set(rules) - {"_doc"}
            if unknown:
                raise ValueError(f"{path}: unknown nudge rules {sorted(unknown)}; known: {sorted(rules)}")
            for name, cfg in data.items():
                if name != "_doc":
                    rules[name].update(cfg)
        return cls(rules)

    def on(self, name: str, counts: Counter) -> dict | None:
        cfg = self.rules[name]
        if not cfg.get("enabled", True) or counts[name] >= cfg.get("max_per_shopper", 1):
            return None
        return cfg


def evaluate_nudges(
    rules: NudgeRules,
    prof: Profile,
    new_events: Iterable,
    counts: Counter,
    now: float,
    product: Callable[[str], object | None],
) -> list[dict]:
    """Nudges triggered by `new_events` (already folded into prof). counts: nudges already sent per rule."""
    out: list[dict] = []
    evs = list(new_events)

    def title(pid: str) -> str:
        p = product(pid)
        return getattr(p, "title", None) or "an item"

    cfg = rules.on("repeated_views", counts)
    if cfg:
        for e in evs:
            tr = prof.items.get(e.product_id) if e.type == "view" else None
            if tr is not None and tr.views == cfg["nth_view"]:
                inc = cfg.get("incentive") or {}
                out.append(
                    {
                        "rule": "repeated_views",
                        "product_id": e.product_id,
                        "incentive": inc,
                        "message": cfg["message"].format(title=title(e.product_id), **inc),
                        "why": f"you viewed {title(e.product_id)} {tr.views} times without adding it to your cart",
                    }
                )
                break
    cfg = rules.on("abandoned_cart", counts)
    if cfg and prof.cart and evs:
        last_add = max(prof.cart.values())
        last_buy = max(prof.purchased.values(), default=0.0)
        idle_min = (now - last_add) / 60.0
        if (
            idle_min >= cfg["after_minutes"]
            and last_buy < last_add
            and not any(e.type in ("add_to_cart", "purchase") for e in evs)
        ):
            pid = next(reversed(prof.cart))
            out.append(
                {
                    "rule": "abandoned_cart",
                    "product_id": pid,
                    "message": cfg["message"].format(n=len(prof.cart), title=title(pid)),
                    "why": f"{len(prof.cart)} item(s) in your cart for {idle_min:.0f} minutes with no purchase",
                }
            )
    cfg = rules.on("size_guide", counts)
    if (
        cfg
        and prof.size_chart_views >= cfg["after_size_chart_views"]
        and any(e.type == "view" and (e.context or {}).get("page") == "size_chart" for e in evs)
    ):
        out.append(
            {
                "rule": "size_guide",
                "message": cfg["message"],
                "why": f"you opened size charts {prof.size_chart_views} times",
            }
        )
    cfg = rules.on("restock", counts)
    for e in evs:
        if e.type == "wishlist":
            p = product(e.product_id)
            prof.wish_stock[e.product_id] = bool(getattr(p, "in_stock", True))
    if cfg:
        for pid, was_in in list(prof.wish_stock.items()):
            p = product(pid)
            if not was_in and p is not None and getattr(p, "in_stock", False) and pid in prof.wishlist:
                prof.wish_stock[pid] = True
                out.append(
                    {
                        "rule": "restock",
                        "product_id": pid,
                        "message": cfg["message"].format(title=title(pid)),
                        "why": f"you wishlisted {title(pid)} while it was out of stock",
                    }
                )
    return out
