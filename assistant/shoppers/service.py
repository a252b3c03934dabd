"""The `shoppers` service: identity, durable events, in-memory profiles, consent, export and erasure.

SQLite is the truth; profiles, popularity and nudge state live in memory and are rebuilt from the
events on start. Every write is committed (see events.Store) before memory is updated and the caller
is answered. Other features use the small public interface at the top of the class.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np

from assistant.errors import BadInput
from assistant.settings import Settings
from assistant.shoppers import basket, tokens
from assistant.shoppers.nudges import NudgeRules, evaluate_nudges
from assistant.shoppers.popularity import Popularity
from assistant.shoppers.profiles import ItemMeta, Profile
from assistant.shoppers.store import EXPLICIT_KEEPS, Event, Store, insert_events, row_to_event, validate_events
from index.catalog import Product

log = logging.getLogger("shopmate.shoppers")
PREF_KEYS = {"sizes": list, "colours": list, "brands": list, "price_band": list, "gender": str, "categories": list}


@dataclass
class Meta:
    consent_personalization: bool
    consent_nudges: bool
    prefs: dict
    account_id: str | None = None


def item_meta(p: Product) -> ItemMeta:
    return ItemMeta(p.title, p.colour, p.brand, p.gender, " > ".join(p.category[:2]) or None, p.product_type, p.price)


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


class Shoppers:
    def __init__(
        self,
        settings: Settings,
        engine_fn: Callable[[], Any],
        embed_fn: Callable[[str], np.ndarray],
        now_fn: Callable[[], float] = time.time,
    ):
        self.settings = settings
        self._engine = engine_fn
        self._embed = embed_fn
        self.now = now_fn
        self.secret = tokens.load_secret(settings.secret, settings.data_dir)
        self.shop_secret = settings.shop_secret.encode()
        self.store = Store(settings.data_dir / "shoppers.sqlite3", synchronous=settings.sqlite_synchronous)
        self.rules = NudgeRules.load(settings.nudges_file)
        self.half_life_s = settings.half_life_days * 86400.0
        self._lock = threading.RLock()
        self._profiles: dict[str, Profile] = {}
        self._meta: dict[str, Meta] = {}
        self._alias: dict[str, str] = {}
        self._pending_nudges: dict[str, list[dict]] = {}
        self._nudge_counts: dict[str, Counter] = {}
        self._segment_of: dict[str, int] = {}
        self.segments: dict[int, dict] = {}
        self.popularity = Popularity(settings.popularity_half_life_days * 86400.0)
        self._index_version: str | None = None
        self.purge_expired(rebuild=False)
        self.rebuild()

    # ------------------------------------------------------------------ the interface others use
    def authenticate(self, token: str) -> str:
        sid = tokens.verify_token(self.secret, token, self.now())
        with self._lock:
            return self._alias.get(sid, sid)

    def has_consent(self, shopper_id: str) -> bool:
        return self._meta_of(shopper_id).consent_personalization

    def nudges_allowed(self, shopper_id: str) -> bool:
        return self._meta_of(shopper_id).consent_nudges

    def profile(self, shopper_id: str) -> Profile | None:
        """The live profile when the shopper consents to personalization (None otherwise)."""
        if not self.has_consent(shopper_id):
            return None
        with self._lock:
            return self._profiles.get(shopper_id)

    def profile_vector(self, shopper_id: str) -> np.ndarray | None:
        prof = self.profile(shopper_id)
        return None if prof is None else prof.vector()

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
        evs = validate_events(
            events,
            lambda pid: pid in eng.index.id_to_row,
            now,
            self.settings.max_event_batch,
            self.settings.max_event_future_s,
            self.settings.retention_days * 86400.0,
        )
        meta = self._meta_of(shopper_id)
        learn = meta.consent_personalization
        keep = evs if learn else [e for e in evs if e.type in EXPLICIT_KEEPS]
        if keep:
            self.store.write(self._ensure_row_then(shopper_id, insert_events(shopper_id, keep, learn)))
        nudges: list[dict] = []
        with self._lock:
            self._meta.setdefault(shopper_id, meta)
            prof = self._profiles.setdefault(shopper_id, Profile(self.half_life_s, eng.index.vectors.shape[1]))
            for e in keep:
                self._fold(prof, e, learn, eng)
            if meta.consent_nudges:
                nudges = self._nudges_after(shopper_id, prof, keep, eng, now)
        return {"stored": len(keep), "dropped": len(evs) - len(keep), "nudges": nudges}

    def cart(self, shopper_id: str) -> list[str]:
        with self._lock:
            prof = self._profiles.get(shopper_id)
            return list(prof.cart) if prof else []

    def preferences(self, shopper_id: str) -> dict:
        """Explicit preferences (from chat/settings) over learned ones; {} without consent."""
        meta = self._meta_of(shopper_id)
        if not meta.consent_personalization:
            return {}
        with self._lock:
            prof = self._profiles.get(shopper_id)
            learned = prof.learned_preferences() if prof else {}
        return {**learned, **meta.prefs}

    def set_preference(self, shopper_id: str, key: str, value: Any) -> None:
        if key not in PREF_KEYS:
            raise BadInput(f"unknown preference {key!r}; known: {sorted(PREF_KEYS)}")
        if value is not None and not isinstance(value, PREF_KEYS[key]):
            raise BadInput(f"preference {key} must be a {PREF_KEYS[key].__name__}")
        meta = self._meta_of(shopper_id)
        if not meta.consent_personalization:
            return  # nothing is learned or kept without consent
        prefs = {**meta.prefs}
        if value is None:
            prefs.pop(key, None)
        else:
            prefs[key] = value
        self.store.write(
            self._ensure_row_then(
                shopper_id,
                lambda c: c.execute("UPDATE shoppers SET prefs=? WHERE id=?", (json.dumps(prefs), shopper_id)),
            )
        )
        with self._lock:
            meta.prefs = prefs
            self._meta[shopper_id] = meta

    def copurchase_pairs(self) -> list[tuple[str, str, int]]:
        """Product pairs put in the cart or bought together (one basket: no gap over an hour), with counts."""
        return basket.copurchase_pairs(basket.cart_and_purchase_rows(self.store))

    def popular_searches(self, n: int = 10) -> list[tuple[str, float]]:
        with self._lock:
            return self.popularity.searches.top(n, self.now())

    def take_nudges(self, shopper_id: str) -> list[dict]:
        """Nudges waiting for the shopper's next response or chat turn (each handed out once)."""
        with self._lock:
            return self._pending_nudges.pop(shopper_id, [])

    def segment_of(self, shopper_id: str) -> dict | None:
        """The shopper's segment: assigned at the last refresh, else the nearest one to their profile."""
        with self._lock:
            seg = self._segment_of.get(shopper_id)
            if seg is not None:
                return self.segments.get(seg)
            prof = self._profiles.get(shopper_id)
            v = prof.vector() if prof is not None else None
            if v is None or not self.segments:
                return None
            return max(self.segments.values(), key=lambda s: float(s["centroid"] @ v))

    # ------------------------------------------------------------------ sessions, consent, privacy
    def create_session(self) -> dict:
        sid = tokens.new_shopper_id()
        s = self.settings
        meta = Meta(s.consent_default, s.consent_default, {})
        self.store.write(
            lambda c: c.execute(
                "INSERT INTO shoppers(id, created, consent_personalization, consent_nudges) VALUES(?,?,?,?)",
                (sid, self.now(), int(meta.consent_personalization), int(meta.consent_nudges)),
            )
        )
        with self._lock:
            self._meta[sid] = meta
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
        self.store.write(
            self._ensure_row_then(
                shopper_id,
                lambda c: c.execute(
                    "UPDATE shoppers SET consent_personalization=?, consent_nudges=? WHERE id=?",
                    (int(new.consent_personalization), int(new.consent_nudges), shopper_id),
                ),
            )
        )
        with self._lock:
            self._meta[shopper_id] = new
            if not new.consent_nudges:
                self._pending_nudges.pop(shopper_id, None)
        return self.consent(shopper_id)

    def export(self, shopper_id: str) -> dict:
        rows = self.store.query("SELECT * FROM shoppers WHERE id=?", (shopper_id,))
        aliases = [r["id"] for r in self.store.query("SELECT id FROM shoppers WHERE merged_into=?", (shopper_id,))]
        events = [
            dict(row_to_event(r).to_dict(), kept_without_consent=not r["profiled"])
            for r in self.store.query("SELECT * FROM events WHERE shopper_id=? ORDER BY seq", (shopper_id,))
        ]
        nudges = [
            dict(r)
            for r in self.store.query(
                "SELECT rule, product_id, ts FROM nudges_sent WHERE shopper_id=? ORDER BY ts", (shopper_id,)
            )
        ]
        seg = self.segment_of(shopper_id)
        if not rows and not events:
            return {
                "shopper_id": shopper_id,
                "shopper": None,
                "events": [],
                "nudges": [],
                "linked_devices": [],
                "preferences": {},
                "segment": None,
            }
        r = rows[0] if rows else None
        return {
            "shopper_id": shopper_id,
            "shopper": None
            if r is None
            else {
                "created": r["created"],
                "account_id": r["account_id"],
                "explicit_preferences": json.loads(r["prefs"]),
                "consent": {"personalization": bool(r["consent_personalization"]), "nudges": bool(r["consent_nudges"])},
            },
            "events": events,
            "nudges": nudges,
            "linked_devices": aliases,
            "preferences": self.preferences(shopper_id),
            "segment": seg and seg["name"],
        }

    def erase(self, shopper_id: str) -> dict:
        def job(c):
            n = c.execute("DELETE FROM events WHERE shopper_id=?", (shopper_id,)).rowcount
            c.execute("DELETE FROM nudges_sent WHERE shopper_id=?", (shopper_id,))
            c.execute("DELETE FROM shopper_segment WHERE shopper_id=?", (shopper_id,))
            c.execute("DELETE FROM accounts WHERE shopper_id=?", (shopper_id,))
            aliases = [r[0] for r in c.execute("SELECT id FROM shoppers WHERE merged_into=?", (shopper_id,))]
            c.execute("DELETE FROM shoppers WHERE id=? OR merged_into=?", (shopper_id, shopper_id))
            return n, aliases

        n, aliases = self.store.write(job)
        with self._lock:
            for sid in [shopper_id, *aliases]:
                self._profiles.pop(sid, None)
                self._meta.pop(sid, None)
                self._pending_nudges.pop(sid, None)
                self._nudge_counts.pop(sid, None)
                self._segment_of.pop(sid, None)
            for a in aliases:
                self._alias.pop(a, None)
        return {"erased_events": n, "unlinked_devices": len(aliases)}

    def link(self, shopper_id: str, assertion: dict) -> dict:
        """Merge this device's shopper into the account's profile (the first device's shopper)."""
        account = tokens.verify_login(self.shop_secret, assertion, self.settings.login_max_age_s, self.now())
        meta = self._meta_of(shopper_id)

        def job(c):
            row = c.execute("SELECT shopper_id FROM accounts WHERE account_id=?", (account,)).fetchone()
            c.execute(
                "INSERT OR IGNORE INTO shoppers(id, created, consent_personalization, consent_nudges) VALUES(?,?,?,?)",
                (shopper_id, self.now(), int(meta.consent_personalization), int(meta.consent_nudges)),
            )
            if row is None or row[0] == shopper_id:
                c.execute("INSERT OR REPLACE INTO accounts(account_id, shopper_id) VALUES(?,?)", (account, shopper_id))
                c.execute("UPDATE shoppers SET account_id=? WHERE id=?", (account, shopper_id))
                return shopper_id, 0
            target = row[0]
            moved = c.execute("UPDATE events SET shopper_id=? WHERE shopper_id=?", (target, shopper_id)).rowcount
            c.execute("UPDATE shoppers SET merged_into=? WHERE id=? OR merged_into=?", (target, shopper_id, shopper_id))
            tprefs = c.execute("SELECT prefs FROM shoppers WHERE id=?", (target,)).fetchone()
            merged = {**meta.prefs, **json.loads(tprefs[0] if tprefs else "{}")}
            c.execute("UPDATE shoppers SET prefs=? WHERE id=?", (json.dumps(merged), target))
            return target, moved

        target, moved = self.store.write(job)
        with self._lock:
            if target != shopper_id:
                for a, t in list(self._alias.items()):
                    if t == shopper_id:
                        self._alias[a] = target
                self._alias[shopper_id] = target
                self._profiles.pop(shopper_id, None)
                self._meta.pop(shopper_id, None)
                self._meta.pop(target, None)  # re-read (merged prefs)
            else:
                self._meta_of(shopper_id).account_id = account
        if target != shopper_id:
            self._rebuild_one(target)
        return {
            "shopper_id": target,
            "token": tokens.issue_token(self.secret, target, self.settings.token_ttl_s, self.now()),
            "merged_events": moved,
            "account_id": account,
        }

    def purge_expired(self, rebuild: bool = True) -> int:
        """Delete events older than the retention period (and forget what was learned from them)."""
        cutoff = self.now() - self.settings.retention_days * 86400.0
        n = self.store.write(lambda c: c.execute("DELETE FROM events WHERE ts < ?", (cutoff,)).rowcount)
        if n:
            log.info("retention: purged %d events older than %s days", n, self.settings.retention_days)
            if rebuild:
                self.rebuild()
        return n

    # ------------------------------------------------------------------ internals
    def _meta_of(self, shopper_id: str) -> Meta:
        with self._lock:
            m = self._meta.get(shopper_id)
        if m is not None:
            return m
        rows = self.store.query(
            "SELECT consent_personalization, consent_nudges, prefs, account_id FROM shoppers WHERE id=?", (shopper_id,)
        )
        if rows:
            r = rows[0]
            m = Meta(bool(r[0]), bool(r[1]), json.loads(r[2]), r[3])
            with self._lock:
                self._meta[shopper_id] = m
            return m
        d = self.settings.consent_default  # a token whose shopper was erased starts over as a new one
        return Meta(d, d, {})

    def _ensure_row_then(self, shopper_id: str, job: Callable) -> Callable:
        m = self._meta_of(shopper_id)

        def wrapped(c):
            c.execute(
                "INSERT OR IGNORE INTO shoppers(id, created, consent_personalization, consent_nudges) VALUES(?,?,?,?)",
                (shopper_id, self.now(), int(m.consent_personalization), int(m.consent_nudges)),
            )
            return job(c)

        return wrapped

    def _fold(self, prof: Profile, e: Event, learn: bool, eng, count_popularity: bool = True) -> None:
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
        if count_popularity:
            self.popularity.add(e.type, e.ts, e.product_id, e.query, (e.context or {}).get("device"))

    def _nudges_after(self, sid: str, prof: Profile, evs: list[Event], eng, now: float) -> list[dict]:
        counts = self._nudge_counts.setdefault(sid, Counter())
        out = evaluate_nudges(self.rules, prof, evs, counts, now, eng.index.product)
        for n in out:
            counts[n["rule"]] += 1
            self._pending_nudges.setdefault(sid, []).append(n)
        if out:
            self.store.write(
                lambda c: c.executemany(
                    "INSERT INTO nudges_sent(shopper_id, rule, product_id, ts) VALUES(?,?,?,?)",
                    [(sid, n["rule"], n.get("product_id"), now) for n in out],
                )
            )
        return out

    def check_index(self) -> None:
        """Profiles hold product vectors: rebuild them when a reload brought a new index version."""
        try:
            version = self._engine().index.version
        except Exception:
            return
        if version != self._index_version:
            self.rebuild()

    def rebuild(self) -> None:
        """Rebuild every in-memory profile, alias and counter from the SQLite truth."""
        try:
            eng = self._engine()
        except Exception:
            return
        profiles: dict[str, Profile] = {}
        metas: dict[str, Meta] = {}
        alias: dict[str, str] = {}
        pop = Popularity(self.settings.popularity_half_life_days * 86400.0)
        dim = eng.index.vectors.shape[1]
        for r in self.store.query(
            "SELECT id, consent_personalization, consent_nudges, prefs, account_id, merged_into FROM shoppers"
        ):
            if r["merged_into"]:
                alias[r["id"]] = r["merged_into"]
            else:
                metas[r["id"]] = Meta(bool(r[1]), bool(r[2]), json.loads(r[3]), r[4])
        counts: dict[str, Counter] = {}
        for r in self.store.query("SELECT shopper_id, rule, COUNT(*) n FROM nudges_sent GROUP BY shopper_id, rule"):
            counts.setdefault(r[0], Counter())[r[1]] = r[2]
        saved_pop, self.popularity = self.popularity, pop
        try:
            for r in self.store.query("SELECT * FROM events ORDER BY seq"):
                prof = profiles.setdefault(r["shopper_id"], Profile(self.half_life_s, dim))
                self._fold(prof, row_to_event(r), bool(r["profiled"]), eng)
        except BaseException:
            self.popularity = saved_pop
            raise
        seg_rows = self.store.query("SELECT id, name, size, summary, centroid FROM segments")
        segments = {
            r["id"]: {
                "id": r["id"],
                "name": r["name"],
                "size": r["size"],
                "summary": json.loads(r["summary"]),
                "centroid": np.frombuffer(r["centroid"], dtype=np.float32),
            }
            for r in seg_rows
        }
        seg_of = {r[0]: r[1] for r in self.store.query("SELECT shopper_id, segment_id FROM shopper_segment")}
        with self._lock:
            self._profiles, self._meta, self._alias = profiles, metas, alias
            self._nudge_counts, self.segments, self._segment_of = counts, segments, seg_of
            self._index_version = eng.index.version

    def _rebuild_one(self, sid: str) -> None:
        eng = self._engine()
        prof = Profile(self.half_life_s, eng.index.vectors.shape[1])
        rows = self.store.query("SELECT * FROM events WHERE shopper_id=? ORDER BY seq", (sid,))
        with self._lock:
            for r in rows:  # popularity already counted these events once
                self._fold(prof, row_to_event(r), bool(r["profiled"]), eng, count_popularity=False)
            self._profiles[sid] = prof

    def all_profiles(self) -> dict[str, Profile]:
        """Consenting shoppers' profiles (for segment refresh)."""
        with self._lock:
            return {
                sid: p
                for sid, p in self._profiles.items()
                if sid in self._meta and self._meta[sid].consent_personalization
            }

    def set_segments(self, segments: dict[int, dict], assignment: dict[str, int]) -> None:
        def job(c):
            c.execute("DELETE FROM segments")
            c.execute("DELETE FROM shopper_segment")
            now = self.now()
            c.executemany(
                "INSERT INTO segments(id, name, size, centroid, summary, refreshed) VALUES(?,?,?,?,?,?)",
                [
                    (
                        i,
                        s["name"],
                        s["size"],
                        np.asarray(s["centroid"], np.float32).tobytes(),
                        json.dumps(s["summary"]),
                        now,
                    )
                    for i, s in segments.items()
                ],
            )
            c.executemany("INSERT INTO shopper_segment(shopper_id, segment_id) VALUES(?,?)", assignment.items())

        self.store.write(job)
        with self._lock:
            self.segments, self._segment_of = segments, dict(assignment)

    def close(self) -> None:
        self.store.close()
