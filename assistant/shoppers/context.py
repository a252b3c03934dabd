"""Small pure helpers of the shoppers service: the request context a cold start reads (referrer terms,
device), the check of explicit preferences, and whether the caller runs on the event loop."""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from itertools import combinations
from typing import Any
from urllib.parse import parse_qs, urlparse

from assistant.errors import BadInput
from assistant.shoppers.store import valid_text

PREF_KEYS = {"sizes": list, "colours": list, "brands": list, "price_band": list, "gender": str, "categories": list}
MAX_PREF_ITEMS, MAX_PREF_CHARS = 50, 100


def referrer_terms(referrer: str | None) -> str:
    """Search terms a shopper arrived with (?q=, ?query=, ?p=, ?k= of the referring page)."""
    if not referrer:
        return ""
    try:
        qs = parse_qs(urlparse(referrer).query)
    except ValueError:
        return ""
    for key in ("q", "query", "p", "k", "search", "keywords"):
        if qs.get(key):
            return " ".join(qs[key][0].split())[:100]
    return ""


def device_of(user_agent: str | None) -> str:
    ua = (user_agent or "").lower()
    return "mobile" if any(w in ua for w in ("mobi", "android", "iphone")) else "desktop"


def on_event_loop() -> bool:
    """True in the event loop's thread (where nothing may block), False in worker threads."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def check_preference(key: str, value: Any) -> None:
    """BadInput unless value is a storable preference: known key, right type, valid text, finite numbers."""
    if key not in PREF_KEYS:
        shown = key if valid_text(key) and len(key) < 50 else "?"
        raise BadInput(f"unknown preference {shown!r}; known: {sorted(PREF_KEYS)}")
    if value is None:
        return
    if not isinstance(value, PREF_KEYS[key]):
        raise BadInput(f"preference {key} must be a {PREF_KEYS[key].__name__}")
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_PREF_ITEMS:
        raise BadInput(f"preference {key} has over {MAX_PREF_ITEMS} values")
    for v in items:
        if isinstance(v, str):
            if len(v) > MAX_PREF_CHARS or not valid_text(v):
                raise BadInput(f"preference {key}: each value must be valid text of at most {MAX_PREF_CHARS} chars")
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            try:
                finite = math.isfinite(float(v))
            except OverflowError:
                finite = False
            if not finite:
                raise BadInput(f"preference {key}: numbers must be finite")
        else:
            raise BadInput(f"preference {key}: values must be strings or numbers")


def copurchase_counts(cart_pairs: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
    """(a, b, shoppers) for product pairs in the same shopper's cart or orders, most shared first."""
    by: dict[str, list[str]] = {}
    for sid, pid in cart_pairs:
        by.setdefault(sid, []).append(pid)
    pairs: Counter = Counter()
    for items in by.values():
        for a, b in combinations(sorted(items)[:50], 2):
            pairs[(a, b)] += 1
    return [(a, b, n) for (a, b), n in pairs.most_common()]
