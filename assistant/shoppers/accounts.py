"""Who a shopper is and what they allow: sessions, consent and device linking, the `Shoppers` facade's base class."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from assistant.settings import Settings
from assistant.shoppers import tokens
from assistant.shoppers.context import on_event_loop
from assistant.shoppers.state import Meta, ShopperState
from assistant.shoppers.store import NewShopper, ShopperStore


class ShopperAccounts:
    """Sessions, consent and linking, and the per-shopper record (`Meta`) the whole facade reads and writes.

    Every write is durable in the store before memory is updated, as in the rest of the facade (service.py).
    """

    # set by `Shoppers.__init__` (service.py)
    settings: Settings
    store: ShopperStore
    state: ShopperState
    secret: bytes
    shop_secret: bytes
    now: Callable[[], float]
    _engine: Callable[[], Any]
    _lock: threading.RLock

    def create_session(self) -> dict:
        sid = tokens.new_shopper_id()
        s = self.settings
        meta = Meta(s.consent_default, s.consent_default, {})
        self.store.create_shopper(self._new(sid, meta))
        with self._lock:
            self.state.meta[sid] = meta
            self._written(sid)
        return {
            "shopper_id": sid,
            "token": tokens.issue_token(self.secret, sid, s.token_ttl_s, self.now()),
            "expires_in": s.token_ttl_s,
            "consent": self.consent(sid),
        }

    def consent(self, shopper_id: str) -> dict:
        m = self._meta_of(shopper_id)
        return {"personalization": m.consent_personalization, "nudges": m.consent_nudges}

    def set_consent(self, shopper_id: str, personalization: bool | None, nudges: bool | None) -> dict:
        m = self._meta_of(shopper_id)
        new = Meta(
            m.consent_personalization if personalization is None else personalization,
            m.consent_nudges if nudges is None else nudges,
            m.prefs,
            m.account_id,
        )
        self.store.set_consent(self._new(shopper_id, m), new.consent_personalization, new.consent_nudges)
        with self._lock:
            cur = self.state.meta.get(shopper_id)
            if cur is not None:  # preferences may have changed meanwhile
                new.prefs, new.account_id = cur.prefs, cur.account_id
            self.state.meta[shopper_id] = new
            self._written(shopper_id)
            if not new.consent_nudges:
                self.state.pending_nudges.pop(shopper_id, None)
        return self.consent(shopper_id)

    def link(self, shopper_id: str, assertion: dict) -> dict:
        """Merge this device's shopper into the account's profile (the first device's shopper)."""
        account = tokens.verify_login(self.shop_secret, assertion, self.settings.login_max_age_s, self.now())
        meta = self._meta_of(shopper_id)
        target, moved = self.store.link(self._new(shopper_id, meta), account)
        st = self.state
        if target != shopper_id:
            with self._lock:
                for a, t in list(st.alias.items()):
                    if t == shopper_id:
                        st.alias[a] = target
                st.alias[shopper_id] = target
                st.profiles.pop(shopper_id, None)
                st.meta.pop(shopper_id, None)
            st.rebuild_one(self.store, self._engine(), target)  # merged events and preferences
        else:
            with self._lock:
                meta.account_id = account
                st.meta[shopper_id] = meta
                self._written(shopper_id)
        return {
            "shopper_id": target,
            "token": tokens.issue_token(self.secret, target, self.settings.token_ttl_s, self.now()),
            "merged_events": moved,
            "account_id": account,
        }

    # ------------------------------------------------------------------ the shopper's record
    def _new(self, shopper_id: str, meta: Meta) -> NewShopper:
        return NewShopper(shopper_id, self.now(), meta.consent_personalization, meta.consent_nudges)

    def _written(self, shopper_id: str) -> None:
        """After our own write (under the lock): a full rebuild re-reads the shopper; replicas re-validate."""
        self.state.touched(shopper_id)
        if self.store.shared:
            self.state.versions[shopper_id] = None

    def _meta_of(self, shopper_id: str) -> Meta:
        with self._lock:
            m = self.state.meta.get(shopper_id)
        if m is not None:
            return m
        d = self.settings.consent_default  # a token whose shopper was erased starts over as a new one
        if on_event_loop():
            return Meta(d, d, {})  # memory holds every known shopper; no disk read on the event loop
        row = self.store.shopper(shopper_id)
        if row is None or row.merged_into:
            return Meta(d, d, {})
        m = Meta.of(row)
        with self._lock:
            self.state.meta.setdefault(shopper_id, m)
        return m
