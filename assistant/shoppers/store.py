"""The shopper event store: the validated event shape (pure), the records the store hands back, and
`ShopperStore`, the one interface every backend implements with a named method per query the app needs.

Backends: `SqliteStore` (default, embedded: one writer thread, a bounded reader pool) and `PostgresStore`
(chosen by `SHOPMATE_DATABASE_URL=postgresql://...`, for several replicas). Both share the versioned
schema and the portable SQL in `sqlstore.py`. `backends.open_store` picks one from the settings.

Whatever a backend stores must be serialisable again later: `validate_events` refuses non-finite numbers
and text that is not valid Unicode, so a stored event can never make a later response fail.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

from assistant.errors import BadInput

EVENT_TYPES = ("view", "click", "add_to_cart", "remove_from_cart", "purchase", "dismiss", "search", "wishlist")
NEEDS_PRODUCT = frozenset(EVENT_TYPES) - {"search"}
CONTEXT_KEYS = {"device": 40, "referrer": 500, "page": 40, "size": 20}  # key -> max length
# Kept even without personalization consent: the shopper asked for them to be kept (cart, wishlist, orders).
EXPLICIT_KEEPS = frozenset({"add_to_cart", "remove_from_cart", "wishlist", "purchase"})
MAX_QUERY_CHARS = 500
MAX_TS = 1e11  # unix seconds: year 5138; anything above is not a time


@dataclass(frozen=True)
class Event:
    type: str
    ts: float
    product_id: str | None = None
    query: str | None = None
    context: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def valid_text(value: str) -> bool:
    """True when the string can be encoded as UTF-8 (no lone surrogates from JSON's \\ud800 escapes)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parse_ts(raw: Any, where: str) -> float:
    if isinstance(raw, bool):
        raise BadInput(f"{where}.ts must be unix seconds or an ISO-8601 time, got {raw!r}")
    if isinstance(raw, (int, float)):
        try:
            ts = float(raw)
        except OverflowError:
            raise BadInput(f"{where}.ts is not a time: too large") from None
        if not math.isfinite(ts) or abs(ts) > MAX_TS:
            raise BadInput(f"{where}.ts must be a finite unix time in seconds")
        return ts
    if isinstance(raw, str):
        try:
            dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise BadInput(f"{where}.ts is not an ISO-8601 time (e.g. 2026-01-31T12:00:00Z)") from None
        if dt.tzinfo is None:
            raise BadInput(f"{where}.ts has no timezone: add 'Z' or an offset")
        return dt.timestamp()
    raise BadInput(f"{where}.ts must be unix seconds or an ISO-8601 time, got {type(raw).__name__}")


def _check_text(value: str, where: str) -> None:
    if not valid_text(value):
        raise BadInput(f"{where} is not valid Unicode text (lone surrogate)")


def validate_events(
    body: Any, known_product: Callable[[str], bool], now: float, max_batch: int, max_future_s: float, max_age_s: float
) -> list[Event]:
    """Every event of a request, validated; BadInput naming the first bad one (so nothing is half-written)."""
    raw = body.get("events") if isinstance(body, dict) and "events" in body else body
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise BadInput('no events: send one event object, a list of them or {"events": [...]}')
    if len(items) > max_batch:
        raise BadInput(f"batch of {len(items)} events is over the limit of {max_batch}: split it")
    return [_one_event(e, f"events[{i}]", known_product, now, max_future_s, max_age_s) for i, e in enumerate(items)]


def _one_event(
    e: Any, where: str, known_product: Callable[[str], bool], now: float, max_future_s: float, max_age_s: float
) -> Event:
    if not isinstance(e, dict):
        raise BadInput(f'{where} must be an object like {{"type": "view", "product_id": "..."}}')
    extra = {k for k in e if k not in ("type", "product_id", "query", "ts", "context")}
    if extra:
        names = sorted(k if valid_text(k) else repr(k) for k in map(str, extra))
        raise BadInput(f"{where} has unknown fields {names}; allowed: type, product_id, query, ts, context")
    etype = e.get("type")
    if etype not in EVENT_TYPES:
        shown = etype if isinstance(etype, str) and valid_text(etype) and len(etype) < 50 else "?"
        raise BadInput(f"{where}.type {shown!r} is unknown; use one of {list(EVENT_TYPES)}")
    pid = e.get("product_id")
    if etype in NEEDS_PRODUCT:
        if not isinstance(pid, str) or not pid:
            raise BadInput(f"{where}: a {etype} event needs a product_id")
        _check_text(pid, f"{where}.product_id")
        if not known_product(pid):
            raise BadInput(f"{where}.product_id {pid[:100]!r} is not in the catalog; ids come from search results")
    elif pid is not None:
        raise BadInput(f"{where}: a search event takes a query, not a product_id")
    query = e.get("query")
    if etype == "search":
        if not isinstance(query, str) or not query.strip():
            raise BadInput(f"{where}: a search event needs a non-empty query")
        if len(query) > MAX_QUERY_CHARS:
            raise BadInput(f"{where}.query is over {MAX_QUERY_CHARS} characters")
        _check_text(query, f"{where}.query")
        query = " ".join(query.split())
    elif query is not None:
        raise BadInput(f"{where}: only search events carry a query")
    ts = now if e.get("ts") is None else _parse_ts(e["ts"], where)
    if ts > now + max_future_s:
        raise BadInput(f"{where}.ts is {ts - now:.0f}s in the future; send the time the event happened")
    if ts < now - max_age_s:
        raise BadInput(f"{where}.ts is older than the retention period; such events are not stored")
    ctx = e.get("context")
    if ctx is not None:
        if not isinstance(ctx, dict):
            raise BadInput(f"{where}.context must be an object with device/referrer/page/size")
        bad = {k for k in ctx if k not in CONTEXT_KEYS}
        if bad:
            names = sorted(k if valid_text(k) else repr(k) for k in map(str, bad))
            raise BadInput(f"{where}.context has unknown keys {names}; allowed: {sorted(CONTEXT_KEYS)}")
        for k, v in ctx.items():
            if not isinstance(v, str) or len(v) > CONTEXT_KEYS[k]:
                raise BadInput(f"{where}.context.{k} must be a string of at most {CONTEXT_KEYS[k]} chars")
            _check_text(v, f"{where}.context.{k}")
        ctx = dict(ctx) or None
    return Event(etype, ts, pid, query, ctx)


# --- what the store hands back -------------------------------------------------------------------------
@dataclass(frozen=True)
class NewShopper:
    """The row to create first when a write reaches a shopper the store has no row for yet."""

    id: str
    created: float
    consent_personalization: bool
    consent_nudges: bool


@dataclass(frozen=True)
class ShopperRow:
    id: str
    created: float
    consent_personalization: bool
    consent_nudges: bool
    prefs: dict[str, Any]
    account_id: str | None
    merged_into: str | None
    version: int  # bumped by every write that changes what the app knows of the shopper


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    shopper_id: str
    event: Event
    profiled: bool  # learned from (consent), or kept only as a list entry (cart, wishlist, orders)


@dataclass(frozen=True)
class Conversation:
    """A chat conversation's resumable state after its last saved turn, serialised by the chat (opaque here)."""

    key: str
    owner: str | None  # who started it (None: anonymous), or the account its device was linked to; not saves
    turn: int  # completed turns: a save with a turn number not above the stored one is refused
    state: str
    updated: float  # unix seconds of the save


class ShopperStore(Protocol):
    """Everything the app reads from or writes to durable shopper state. Every write returns only after
    it is durable (committed); reads see every write that returned before them."""

    # writes
    def create_shopper(self, new: NewShopper) -> None: ...
    def append_events(self, new: NewShopper, events: list[Event], profiled: bool) -> int: ...
    def set_prefs(self, new: NewShopper, prefs: dict[str, Any]) -> None: ...
    def set_consent(self, new: NewShopper, personalization: bool, nudges: bool) -> None: ...
    def link(self, new: NewShopper, account_id: str) -> tuple[str, int]:
        """Attach the account to this shopper, or merge this shopper into the account's: (target, moved)."""
        ...

    def erase(self, shopper_id: str) -> tuple[int, list[str]]:
        """Delete the shopper, its linked devices and all their data: (events deleted, alias ids)."""
        ...

    def record_nudges(self, shopper_id: str, nudges: list[tuple[str, str | None]], ts: float) -> None: ...
    def purge_before(self, cutoff: float) -> int: ...
    def set_segments(self, segments: dict[int, dict], assignment: dict[str, int], now: float) -> None: ...
    def save_conversation(self, key: str, owner: str | None, turn: int, state: str, updated: float) -> bool:
        """Store the state after turn `turn`; False (nothing written) when the stored turn is not older or the
        conversation belongs to someone else (two replicas answered the same turn: the first save wins)."""
        ...

    def drop_conversation(self, key: str) -> None: ...
    def drop_conversations_before(self, cutoff: float) -> int: ...
    # reads
    def shopper(self, shopper_id: str) -> ShopperRow | None: ...
    def shopper_version(self, shopper_id: str) -> int | None: ...
    def aliases_of(self, shopper_id: str) -> list[str]: ...
    def events_of(self, shopper_id: str) -> list[StoredEvent]: ...
    def nudges_of(self, shopper_id: str) -> list[dict[str, Any]]: ...
    def nudge_counts(self, shopper_id: str | None = None) -> list[tuple[str, str, int]]: ...
    def all_shoppers(self) -> list[ShopperRow]: ...
    def all_events(self) -> Iterator[StoredEvent]: ...
    def cart_pairs(self) -> list[tuple[str, str]]:
        """(shopper, product) for every product a shopper put in the cart or bought."""
        ...

    def item_events(self, types: tuple[str, ...], shopper_prefix: str = "") -> list[tuple[str, str, float]]:
        """(shopper, product, ts) of every event of these types, oldest first (baskets, re-buy rates)."""
        ...

    def segments(self) -> dict[int, dict]: ...
    def segment_assignment(self) -> dict[str, int]: ...
    def conversation(self, key: str) -> Conversation | None: ...
    def latest_conversation(self, owner: str, since: float) -> Conversation | None:
        """The shopper's most recently saved conversation updated at or after `since` (a token-only reconnect)."""
        ...

    def conversations_of(self, owner: str) -> list[Conversation]:
        """Every stored conversation the shopper owns, newest first (their data export)."""
        ...

    # replicas
    def notify(self, payload: str) -> None: ...
    def listen(self, callback: Callable[[str], None]) -> None: ...
    # lifecycle
    @property
    def shared(self) -> bool:
        """True when other processes write to the same store (replicas): memory must be re-validated."""
        ...

    def close(self) -> None: ...
