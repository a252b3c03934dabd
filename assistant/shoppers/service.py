"""The `shoppers` service facade: identity, durable events, profiles, consent, export, erasure and linking.

The store (`store.py`, SQLite or PostgreSQL) is the truth; profiles, popularity and nudge state live in
memory (`state.py`) and are rebuilt from the store on start. Every write is durable before memory is
updated and the caller is answered. Methods that touch the store block: async callers run them in a
worker thread. The in-memory reads (profile, consent, cart...) never touch the disk on the event loop.

With a shared store (replicas on PostgreSQL) a request's shopper is re-validated against the store's
per-shopper version when it is authenticated, so a write on another replica shows on the next request.
Sessions, consent and device linking are the facade's base class, `ShopperAccounts` (`accounts.py`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from assistant.settings import Settings
from assistant.shoppers import basket, tokens
from assistant.shoppers.accounts import ShopperAccounts
from assistant.shoppers.backends import open_store
from assistant.shoppers.context import (
    PREF_KEYS,
    check_preference,
    device_of,
    on_event_loop,
    referrer_terms,
)
from assistant.shoppers.export import export_document
from assistant.shoppers.nudges import NudgeRules
from assistant.shoppers.popularity import Popularity
from assistant.shoppers.profiles import BASKET_EVENTS, Profile
from assistant.shoppers.rebuy import Basket
from assistant.shoppers.state import ShopperState, item_meta
from assistant.shoppers.store import EXPLICIT_KEEPS, Event, ShopperStore, validate_events

log = logging.getLogger("shopmate.shoppers")
__all__ = ["PREF_KEYS", "Shoppers", "device_of", "item_meta", "referrer_terms"]


class Shoppers(ShopperAccounts):
    def __init__(
        self,
        settings: Settings,
        engine_fn: Callable[[], Any],
        embed_fn: Callable[[str], np.ndarray],
        now_fn: Callable[[], float] = time.time,
        store: ShopperStore | None = None,
    ):
        self.settings = settings
        self._engine = engine_fn
        self._embed = embed_fn
        self.now = now_fn
        self.secret = tokens.load_secret(settings.secret, settings.data_dir)
        self.shop_secret = settings.shop_secret.encode()
        self.store: ShopperStore = store if store is not None else open_store(settings)
        self.rules = NudgeRules.load(settings.nudges_file)
        self.state = ShopperState(settings.half_life_days * 86400.0, settings.popularity_half_life_days * 86400.0)
        self._lock = self.state.lock  # guards the maps; a profile, once published there, never changes (state.py)
        self._origin = tokens.new_shopper_id()  # names this process in notifications to replicas
        # caches kept elsewhere (a reranker's terms) that must forget erased shoppers too: hook(self, ids)
        self.forget_hooks: list[Callable[[Shoppers, list[str]], None]] = []
        # told of recorded purchase/cart events once they are stored and folded in (the purchase terms' warming
        # thread queues the shopper): hook(self, shopper id, the events kept, the engine); must not block
        self.basket_hooks: list[Callable[[Shoppers, str, list[Event], Any], None]] = []
        self.purge_expired(rebuild=False)
        self.rebuild()

    @property
    def segments(self) -> dict[int, dict]:
        return self.state.segments

    @property
    def popularity(self) -> Popularity:
        return self.state.popularity

    # ------------------------------------------------------------------ the interface others use
    def authenticate(self, token: str) -> str:
        sid = tokens.verify_token(self.secret, token, self.now())
        if self.store.shared and not on_event_loop():
            self.refresh(sid)
        with self._lock:
            return self.state.alias.get(sid, sid)

    def refresh(self, shopper_id: str) -> None:
        """Re-read the shopper from a shared store when another replica changed it (blocking)."""
        version = self.store.shopper_version(shopper_id)
        with self._lock:
            known = self.state.versions.get(shopper_id, -1)
            in_memory = shopper_id in self.state.meta or shopper_id in self.state.alias
        if version == known or (version is None and not in_memory):
            return
        try:
            eng = self._engine()
        except Exception:
            return
        self.state.rebuild_one(self.store, eng, shopper_id)
        target = self.state.alias.get(shopper_id)
        if target is not None and self.store.shopper_version(target) != self.state.versions.get(target, -1):
            self.state.rebuild_one(self.store, eng, target)

    def has_consent(self, shopper_id: str) -> bool:
        return self._meta_of(shopper_id).consent_personalization

    def nudges_allowed(self, shopper_id: str) -> bool:
        return self._meta_of(shopper_id).consent_nudges

    def profile(self, shopper_id: str) -> Profile | None:
        """The shopper's current profile when they consent to personalization (None otherwise): read it at leisure,
        without the lock; it never changes (events fold into a copy that replaces it)."""
        if not self.has_consent(shopper_id):
            return None
        with self._lock:
            return self.state.profiles.get(shopper_id)

    def profile_vector(self, shopper_id: str) -> np.ndarray | None:
        prof = self.profile(shopper_id)
        return None if prof is None else prof.vector()

    def basket(self, shopper_id: str, index: Any) -> Basket:
        """The shopper's purchases and cart as rows of `index`, kept until their next purchase/cart event (`record`
        works it out then); empty without consent."""
        consent = self.has_consent(shopper_id)
        with self._lock:
            return self.state.basket(shopper_id, self.state.profiles.get(shopper_id) if consent else None, index)

    def popularity_vector(
        self, id_to_row: dict[str, int], n_rows: int, device: str | None, now: float
    ) -> np.ndarray | None:
        """Aggregate product popularity per catalog row, 0..1 (None before any event); no shopper data."""
        with self._lock:
            return self.state.popularity.vector(id_to_row, n_rows, device, now)

    def embed(self, text: str) -> np.ndarray:
        """The query embedding of `text` (the engine's encoder)."""
        return self._embed(text)

    def recent_searches(self, shopper_id: str, n: int = 5) -> list[str]:
        prof = self.profile(shopper_id)
        if prof is None:
            return []
        out: list[str] = []
        for _, q in reversed(prof.searches):
            if q not in out:
                out.append(q)
            if len(out) == n:
                break
        return out

    def record(self, shopper_id: str, events: object) -> dict:
        """Validate, durably store, then fold into the profile. Returns {stored, dropped, nudges}."""
        eng = self._engine()
        now = self.now()
        s = self.settings
        evs = validate_events(
            events,
            lambda pid: pid in eng.index.id_to_row,
            now,
            s.max_event_batch,
            s.max_event_future_s,
            s.retention_days * 86400.0,
        )
        meta = self._meta_of(shopper_id)
        learn = meta.consent_personalization
        keep = evs if learn else [e for e in evs if e.type in EXPLICIT_KEEPS]
        st = self.state
        with self._lock:
            generation = st.generation
        if keep:
            self.store.append_events(self._new(shopper_id, meta), keep, learn)
        nudges: list[dict] = []
        with self._lock:
            st.meta.setdefault(shopper_id, meta)
            st.touched(shopper_id)
            if self.store.shared:
                st.versions[shopper_id] = None
            swapped = st.generation != generation  # a full rebuild swapped its maps in meanwhile
            if not swapped:
                nudges = st.fold_in(shopper_id, keep, learn, eng, self.rules if meta.consent_nudges else None, now)
        if swapped:
            st.rebuild_one(self.store, eng, shopper_id)
            if meta.consent_nudges:
                with self._lock:
                    nudges = st.fold_in(shopper_id, [], learn, eng, self.rules, now, nudge_on=keep)
        if learn and any(e.type in BASKET_EVENTS for e in keep):
            self.basket(shopper_id, eng.index)  # now, rather than in the shopper's next search
            for hook in self.basket_hooks:
                hook(self, shopper_id, keep, eng)
        if nudges:
            self.store.record_nudges(shopper_id, [(n["rule"], n.get("product_id")) for n in nudges], now)
        return {"stored": len(keep), "dropped": len(evs) - len(keep), "nudges": nudges}

    def cart(self, shopper_id: str) -> list[str]:
        with self._lock:
            prof = self.state.profiles.get(shopper_id)
            return list(prof.cart) if prof else []

    def preferences(self, shopper_id: str) -> dict:
        """Explicit preferences (from chat/settings) over learned ones; {} without consent."""
        meta = self._meta_of(shopper_id)
        if not meta.consent_personalization:
            return {}
        with self._lock:
            prof = self.state.profiles.get(shopper_id)
            learned = prof.learned_preferences() if prof else {}
        return {**learned, **meta.prefs}

    def set_preference(self, shopper_id: str, key: str, value: Any) -> None:
        check_preference(key, value)
        meta = self._meta_of(shopper_id)
        if not meta.consent_personalization:
            return  # nothing is learned or kept without consent
        prefs = {**meta.prefs}
        if value is None:
            prefs.pop(key, None)
        else:
            prefs[key] = value
        self.store.set_prefs(self._new(shopper_id, meta), prefs)
        with self._lock:  # onto the current meta: a concurrent consent change must not be undone
            cur = self.state.meta.get(shopper_id, meta)
            cur.prefs = prefs
            self.state.meta[shopper_id] = cur
            self._written(shopper_id)

    def copurchase_pairs(self) -> list[tuple[str, str, int]]:
        """Product pairs put in the cart or bought together (one basket: no gap over an hour), with counts."""
        return basket.copurchase_pairs(basket.cart_and_purchase_rows(self.store))

    def popular_searches(self, n: int = 10) -> list[tuple[str, float]]:
        with self._lock:
            return self.state.popularity.searches.top(n, self.now())

    def take_nudges(self, shopper_id: str) -> list[dict]:
        """Nudges waiting for the shopper's next response or chat turn (each handed out once)."""
        with self._lock:
            return self.state.pending_nudges.pop(shopper_id, [])

    def segment_of(self, shopper_id: str) -> dict | None:
        """The shopper's segment: assigned at the last refresh, else the nearest one to their profile."""
        st = self.state
        with self._lock:
            seg = st.segment_of.get(shopper_id)
            if seg is not None:
                return st.segments.get(seg)
            prof = st.profiles.get(shopper_id)
            v = prof.vector() if prof is not None else None
            if v is None or not st.segments:
                return None
            return max(st.segments.values(), key=lambda s: float(s["centroid"] @ v))

    # ------------------------------------------------------------------ the shopper's data: export, erasure, retention
    def export(self, shopper_id: str) -> dict:
        seg = self.segment_of(shopper_id)
        return export_document(self.store, shopper_id, self.preferences(shopper_id), seg["name"] if seg else None)

    def erase(self, shopper_id: str) -> dict:
        n, aliases = self.store.erase(shopper_id)
        self.state.forget([shopper_id, *aliases])
        for hook in self.forget_hooks:
            hook(self, [shopper_id, *aliases])
        return {"erased_events": n, "unlinked_devices": len(aliases)}

    def purge_expired(self, rebuild: bool = True) -> int:
        """Delete events older than the retention period (and forget what was learned from them)."""
        cutoff = self.now() - self.settings.retention_days * 86400.0
        n = self.store.purge_before(cutoff)
        if n:
            log.info("retention: purged %d events older than %s days", n, self.settings.retention_days)
            if rebuild:
                self.rebuild()
        return n

    # ------------------------------------------------------------------ rebuilds and segments
    def check_index(self) -> None:
        """Profiles hold product vectors: rebuild them when a reload brought a new index version."""
        try:
            version = self._engine().index.version
        except Exception:
            return
        if version != self.state.index_version:
            self.rebuild()

    def rebuild(self) -> None:
        """Rebuild every in-memory profile, alias and counter from the store (blocking)."""
        try:
            eng = self._engine()
        except Exception:
            return
        self.state.rebuild(self.store, eng)

    def all_profiles(self) -> dict[str, Profile]:
        """Consenting shoppers' profiles (for segment refresh)."""
        return self.state.all_profiles()

    def set_segments(self, segments: dict[int, dict], assignment: dict[str, int]) -> None:
        self.store.set_segments(segments, assignment, self.now())
        with self._lock:
            self.state.segments, self.state.segment_of = segments, dict(assignment)

    def announce_reload(self) -> None:
        """Tell the other replicas this one loaded a new index version (they load it too)."""
        self.store.notify("reload:" + self._origin)

    def on_peer_reload(self, callback: Callable[[], None]) -> None:
        """Call callback (in a background thread) when another replica announces a reload."""
        mine = "reload:" + self._origin
        self.store.listen(lambda payload: callback() if payload.startswith("reload:") and payload != mine else None)

    def close(self) -> None:
        self.store.close()
