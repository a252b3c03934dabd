"""What the shoppers service keeps in memory: profiles, consent/preferences, device aliases, nudge state,
segments and popularity, all derived from the store and rebuilt from it (`rebuild`, `rebuild_one`).

Every map is guarded by one lock. A full rebuild reads the store without the lock and swaps the maps in
one step; shoppers written to while it ran are rebuilt again from the store right after the swap, so no
acknowledged event is missing from memory afterwards.

A profile in `profiles` is published, never changed: events fold into a copy (`fold_in`) or a new profile (a
rebuild), which then replaces it under the lock. A request takes the reference under the lock and reads it
without: no lock held while it ranks, no copy per request, no half-folded batch seen.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from assistant.shoppers.lru import SizedLru
from assistant.shoppers.nudges import NudgeRules, evaluate_nudges
from assistant.shoppers.popularity import Popularity
from assistant.shoppers.profiles import ItemMeta, Profile
from assistant.shoppers.rebuy import Basket, basket_of
from assistant.shoppers.store import Event, ShopperRow, ShopperStore
from index.catalog import Product

BASKET_CACHE, BASKET_CACHE_BYTES = 16384, 32 << 20


@dataclass
class Meta:
    consent_personalization: bool
    consent_nudges: bool
    prefs: dict = field(default_factory=dict)
    account_id: str | None = None

    @classmethod
    def of(cls, row: ShopperRow) -> Meta:
        return cls(row.consent_personalization, row.consent_nudges, dict(row.prefs), row.account_id)


def item_meta(p: Product) -> ItemMeta:
    return ItemMeta(p.title, p.colour, p.brand, p.gender, " > ".join(p.category[:2]) or None, p.product_type, p.price)


def fold(prof: Profile, e: Event, learn: bool, eng: Any, popularity: Popularity | None) -> None:
    """Fold one event into a profile (and the popularity counters, when given)."""
    if not learn:
        prof.add_list_only(e.type, e.ts, e.product_id)
        return
    row = eng.index.id_to_row.get(e.product_id) if e.product_id else None
    p = eng.products[row] if row is not None else None
    prof.add(
        e.type,
        e.ts,
        e.product_id,
        eng.index.vectors[row] if row is not None else None,
        item_meta(p) if p else None,
        e.query,
        e.context,
    )
    if e.type == "view" and e.context and e.context.get("page") == "size_chart":
        prof.size_chart_views += 1
    if popularity is not None:
        popularity.add(e.type, e.ts, e.product_id, e.query, (e.context or {}).get("device"))


class ShopperState:
    """The in-memory maps, rebuilt from a `ShopperStore`."""

    def __init__(self, half_life_s: float, popularity_half_life_s: float):
        self.half_life_s = half_life_s
        self.popularity_half_life_s = popularity_half_life_s
        # guards the maps (the references in them), not the profiles they point to: those are never changed once
        # published here (`fold_in` folds into a copy, then replaces it), so readers need the lock only to look
        # a profile up; whoever changes a published profile in place breaks every reader holding it
        self.lock = threading.RLock()
        self.profiles: dict[str, Profile] = {}
        self.meta: dict[str, Meta] = {}
        self.alias: dict[str, str] = {}
        self.pending_nudges: dict[str, list[dict]] = {}
        self.nudge_counts: dict[str, Counter] = {}
        self.segment_of: dict[str, int] = {}
        self.segments: dict[int, dict] = {}
        self.popularity = Popularity(popularity_half_life_s)
        self.versions: dict[str, int | None] = {}  # store version each shopper's memory was read at
        self.index_version: str | None = None
        self.generation = 0  # bumped by every full rebuild's swap
        self._dirty: set[str] | None = None  # shoppers written to during a running full rebuild
        # shopper -> their basket as catalog rows: a few arrays as long as their distinct purchases (~8 KB at 200)
        self.baskets: SizedLru[Basket] = SizedLru(BASKET_CACHE, BASKET_CACHE_BYTES, lambda b: b.nbytes)

    def new_profile(self, eng: Any) -> Profile:
        return Profile(self.half_life_s, eng.index.vectors.shape[1])

    def fold_in(
        self,
        sid: str,
        events: list[Event],
        learn: bool,
        eng: Any,
        rules: NudgeRules | None,
        now: float,
        nudge_on: list[Event] | None = None,
    ) -> list[dict]:
        """Fold events into a copy of sid's profile, evaluate the nudge rules (None: nudges off) on the new events
        (`nudge_on`, default `events`), then publish the copy (call under the lock). Returns the nudges."""
        cur = self.profiles.get(sid)
        prof = self.new_profile(eng) if cur is None else cur.copy()
        for e in events:
            fold(prof, e, learn, eng, self.popularity)
        nudges: list[dict] = []
        if rules is not None:
            counts = self.nudge_counts.setdefault(sid, Counter())
            new = events if nudge_on is None else nudge_on
            nudges = evaluate_nudges(rules, prof, new, counts, now, eng.index.product)  # they note stock in prof
            for n in nudges:
                counts[n["rule"]] += 1
                self.pending_nudges.setdefault(sid, []).append(n)
        self.profiles[sid] = prof
        return nudges

    def touched(self, sid: str) -> None:
        """Note a write to sid (call under the lock): a running full rebuild re-reads it after its swap."""
        if self._dirty is not None:
            self._dirty.add(sid)

    def basket(self, sid: str, prof: Profile | None, index: Any) -> Basket:
        """sid's purchases and cart as rows of `index` (`rebuy.basket_of`), read off the live profile (call under the
        lock) once per purchase/cart change and index version."""
        if prof is None:
            return basket_of({}, {}, (), index.id_to_row)
        key = (prof.basket_version, index.version)
        got = self.baskets.get(sid, key)
        if got is None:
            got = basket_of(prof.bought_at, prof.bought, prof.cart, index.id_to_row)
            self.baskets.put(sid, key, got)
        return got

    def forget(self, sids: list[str]) -> None:
        with self.lock:
            for sid in sids:
                for m in (self.profiles, self.meta, self.pending_nudges, self.nudge_counts, self.segment_of):
                    m.pop(sid, None)
                self.alias.pop(sid, None)
                self.versions.pop(sid, None)
                self.baskets.pop(sid)

    def rebuild(self, store: ShopperStore, eng: Any) -> None:
        """Every profile, alias, counter and segment from the store (blocking: run it off the event loop)."""
        with self.lock:
            self._dirty = set()
        try:
            profiles: dict[str, Profile] = {}
            metas: dict[str, Meta] = {}
            alias: dict[str, str] = {}
            versions: dict[str, int | None] = {}
            for row in store.all_shoppers():
                versions[row.id] = row.version
                if row.merged_into:
                    alias[row.id] = row.merged_into
                else:
                    metas[row.id] = Meta.of(row)
            counts: dict[str, Counter] = {}
            for sid, rule, n in store.nudge_counts():
                counts.setdefault(sid, Counter())[rule] = n
            pop = Popularity(self.popularity_half_life_s)
            for se in store.all_events():
                prof = profiles.get(se.shopper_id)
                if prof is None:
                    prof = profiles[se.shopper_id] = self.new_profile(eng)
                fold(prof, se.event, se.profiled, eng, pop)
            segments, seg_of = store.segments(), store.segment_assignment()
            with self.lock:
                self.profiles, self.meta, self.alias, self.versions = profiles, metas, alias, versions
                self.nudge_counts, self.segments, self.segment_of = counts, segments, seg_of
                self.popularity = pop
                self.index_version = eng.index.version
                self.generation += 1
                dirty, self._dirty = self._dirty, None
            for sid in dirty or ():
                self.rebuild_one(store, eng, sid)
        finally:
            with self.lock:
                self._dirty = None

    def rebuild_one(self, store: ShopperStore, eng: Any, sid: str) -> None:
        """One shopper's meta, profile and nudge counts from the store (popularity is not re-counted)."""
        row = store.shopper(sid)
        if row is None:
            self.forget([sid])
            return
        if row.merged_into:
            with self.lock:
                self.alias[sid] = row.merged_into
                self.versions[sid] = row.version
            return
        prof = self.new_profile(eng)
        for se in store.events_of(sid):
            fold(prof, se.event, se.profiled, eng, None)
        counts = Counter({rule: n for _, rule, n in store.nudge_counts(sid)})
        with self.lock:
            self.meta[sid] = Meta.of(row)
            self.profiles[sid] = prof
            self.nudge_counts[sid] = counts
            self.versions[sid] = row.version
            for a in store.aliases_of(sid):
                self.alias[a] = sid

    def all_profiles(self) -> dict[str, Profile]:
        with self.lock:
            ok = {sid for sid, m in self.meta.items() if m.consent_personalization}
            return {sid: p for sid, p in self.profiles.items() if sid in ok}
