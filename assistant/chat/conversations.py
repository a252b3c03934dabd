"""Conversations kept for resume: in memory (a cache, least recently used dropped first) and in the shopper
store, written after every completed turn, so a reconnect resumes on any replica and after a restart.

Who may resume: the conversation's owner only (the shopper whose token started it, or, for an anonymous
conversation, a connection without a token that presents its id); anyone else gets `Forbidden`.

Two replicas answering turns of the same conversation at once: every save carries the turn number, and the
store keeps a save only when its turn number is higher than the stored one, so the first replica to save
turn n wins; the other's reply was sent, but its state change is not kept, and its next turn starts from the
stored state (each turn re-reads the stored turn number first). An erase (or "forget me") that removed the
stored conversation resets the one in memory on every replica at its next turn or reconnect.

Every method here blocks on the store: async callers run them in a worker thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from typing import Any

from assistant.chat.state import DialogueState
from assistant.errors import Forbidden
from assistant.shoppers.store import Conversation as Stored
from assistant.shoppers.store import ShopperStore

log = logging.getLogger("shopmate.chat")
FORMAT = 1  # the serialised state's layout; a stored state of another layout starts the conversation afresh
PRUNE_EVERY_S = 300.0  # how often expired conversations are deleted from the store


@dataclass
class Conversation:
    id: str
    owner: str | None = None  # shopper id; None for an anonymous conversation
    state: DialogueState = field(default_factory=DialogueState)
    turn: int = 0  # completed turns, as saved: the store keeps the highest
    stored: bool = False  # the store holds this conversation's state after `turn`
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    seen: float = field(default_factory=time.monotonic)


# --- the state as JSON (pure) -------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(type(value).__name__)


def dump_state(state: DialogueState) -> str:
    """The dialogue state as JSON; a field holding something JSON cannot carry is left out (it restarts empty)."""
    out = {}
    for f in fields(state):
        try:
            out[f.name] = _plain(getattr(state, f.name))
        except TypeError as e:
            log.warning("conversation field %s is not kept for resume (%s)", f.name, e)
    return json.dumps({"format": FORMAT, "state": out}, allow_nan=False)


def _build(cls: type, data: dict[str, Any]) -> Any:
    """cls from a dict of its fields: unknown keys ignored, missing ones take their defaults; a field whose
    default is a dataclass is rebuilt as one (the constraints inside the dialogue state)."""
    kw = {}
    for f in fields(cls):
        if not f.init or f.name not in data:
            continue
        value = data[f.name]
        default = f.default_factory() if f.default_factory is not MISSING else f.default
        if is_dataclass(default) and isinstance(value, dict):
            value = _build(type(default), value)
        kw[f.name] = value
    return cls(**kw)


def load_state(text: str) -> DialogueState:
    """The dialogue state saved by `dump_state`; ValueError when it cannot be read back."""
    try:
        doc = json.loads(text)
        if doc.get("format") != FORMAT or not isinstance(doc.get("state"), dict):
            raise ValueError("unknown conversation format")
        return _build(DialogueState, doc["state"])
    except (TypeError, AttributeError, json.JSONDecodeError) as e:
        raise ValueError(f"unreadable conversation state: {type(e).__name__}") from None


# --- memory and store ---------------------------------------------------------------------------------
class Conversations:
    """The runtime's conversations: a bounded in-memory cache in front of the store (None: memory only)."""

    def __init__(self, store: ShopperStore | None, resume_s: float, max_items: int):
        self.store, self.resume_s, self.max_items = store, resume_s, max_items
        self._items: OrderedDict[str, Conversation] = OrderedDict()
        self._latest: dict[str, str] = {}  # shopper -> their latest conversation id in memory
        self._lock = threading.Lock()  # open() runs in worker threads
        self._pruned = -PRUNE_EVERY_S  # the first connection or turn after a start prunes

    # memory
    def _cached(self, conv_id: str) -> Conversation | None:
        with self._lock:
            conv = self._items.get(conv_id)
            if conv is not None and time.monotonic() - conv.seen > self.resume_s:
                self._forget(conv_id)
                return None
            return conv

    def _keep(self, conv: Conversation) -> None:
        with self._lock:
            conv.seen = time.monotonic()
            self._items[conv.id] = conv
            self._items.move_to_end(conv.id)
            if conv.owner:
                self._latest[conv.owner] = conv.id
            while len(self._items) > self.max_items:
                self._forget(next(iter(self._items)))

    def _forget(self, conv_id: str) -> None:
        conv = self._items.pop(conv_id, None)
        if conv is not None and conv.owner and self._latest.get(conv.owner) == conv_id:
            del self._latest[conv.owner]

    def _from_store(self, row: Stored) -> Conversation | None:
        try:
            state = load_state(row.state)
        except ValueError as e:
            log.warning("stored conversation not resumed: %s", e)
            return None
        return Conversation(row.key, row.owner, state, row.turn, stored=True)

    # connections
    def open(self, conv_id: str | None, owner: str | None) -> tuple[Conversation, bool]:
        """(conversation, resumed?) for a new connection: the one named by conv_id (or, for a shopper who names
        none, their latest), from memory or else the store, if it is within the resume window; else a new one.
        Forbidden when the named conversation belongs to someone else."""
        if not conv_id and owner:
            conv_id = self._latest_of(owner)
        conv = self._find(conv_id) if conv_id else None
        if conv is not None and conv.owner != owner:
            raise Forbidden(
                "conversation_id belongs to another shopper"
                if conv.owner
                else "conversation_id belongs to an anonymous conversation: reconnect without a token to resume it"
            )
        resumed = conv is not None
        if conv is None:
            conv = Conversation(secrets.token_urlsafe(18), owner)
        self._keep(conv)
        self._prune()
        return conv, resumed

    def _latest_of(self, owner: str) -> str | None:
        if self.store is not None:
            try:
                row = self.store.latest_conversation(owner, time.time() - self.resume_s)
            except Exception as e:  # the store is down: memory still knows this replica's conversations
                log.warning("could not read the latest conversation: %s", type(e).__name__)
            else:
                if row is not None:
                    return row.key
        return self._latest.get(owner)

    def _find(self, conv_id: str) -> Conversation | None:
        conv = self._cached(conv_id)
        if self.store is None or (conv is not None and not conv.stored):
            return conv  # memory only, or never saved (no turn yet, or the store refused): memory is the truth
        try:
            row = self.store.conversation(conv_id)
        except Exception as e:
            log.warning("could not read a stored conversation: %s", type(e).__name__)
            return conv
        if row is None or row.updated < time.time() - self.resume_s:
            if conv is not None:  # erased, or expired: not resumed anywhere
                with self._lock:
                    self._forget(conv_id)
            return None
        if conv is not None and row.owner != conv.owner:  # moved to the account its device was linked to
            with self._lock:
                self._forget(conv_id)
            conv.owner = row.owner  # kept again, under its new owner, by the open() that asked
        if conv is None or row.turn > conv.turn:  # unknown here, or another replica took turns since
            fresh = self._from_store(row)
            if fresh is None:
                return None
            if conv is not None:
                conv.state, conv.turn, conv.stored = fresh.state, fresh.turn, True
                return conv
            return fresh
        return conv

    # turns
    def refresh(self, conv: Conversation) -> None:
        """Before a turn: take up turns another replica saved since, or start afresh when the stored
        conversation was erased."""
        if self.store is None or not conv.stored:
            return
        try:
            row = self.store.conversation(conv.id)
        except Exception as e:
            log.warning("could not re-read the conversation: %s", type(e).__name__)
            return
        if row is None:  # the turn number goes on, so a stale copy elsewhere never outranks what follows
            conv.state, conv.stored = DialogueState(), False
        elif row.turn > conv.turn:
            fresh = self._from_store(row)
            if fresh is not None:
                conv.state, conv.turn = fresh.state, fresh.turn

    def save(self, conv: Conversation) -> bool:
        """After a completed turn: the state goes to the store (durable when this returns). False when it was
        not kept: another replica saved this turn first, or the store failed (memory carries on)."""
        conv.turn += 1
        if self.store is None:
            return False
        try:
            kept = self.store.save_conversation(conv.id, conv.owner, conv.turn, dump_state(conv.state), time.time())
        except Exception as e:  # the chat goes on from memory
            log.warning("conversation not saved: %s", type(e).__name__)
            conv.stored = False
            return False
        if not kept:
            log.info("a conversation's turn was saved first by another replica; its next turn starts from that")
            conv.turn -= 1  # so the stored turn counts as newer at the next refresh
        conv.stored = True
        self._prune()
        return kept

    def drop(self, conv: Conversation) -> None:
        """The conversation is forgotten (the shopper said "forget me"): gone from the store and memory."""
        conv.stored = False
        if self.store is not None:
            try:
                self.store.drop_conversation(conv.id)
            except Exception as e:
                log.warning("stored conversation not dropped: %s", type(e).__name__)

    def _prune(self) -> None:
        """Delete conversations past the resume window from the store (at most every PRUNE_EVERY_S): the state
        of a conversation nobody can resume is not kept."""
        now = time.monotonic()
        if self.store is None or now - self._pruned < PRUNE_EVERY_S:
            return
        self._pruned = now
        try:
            self.store.drop_conversations_before(time.time() - self.resume_s)
        except Exception as e:
            log.warning("expired conversations not pruned: %s", type(e).__name__)
