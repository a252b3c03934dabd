"""A shopper's purchase terms (repeat, co-purchase, basket share) against the shop's learned history: cached per
shopper, and worked out off the request path where a shop can.

`terms_for` is what a request calls: the cached terms, or computed there and cached. They are keyed on the shopper's
basket (a new stamp on every purchase/cart event), the index version, the hour (decay) and the fitted decay, and held
per learned history. Two things warm them before the shopper's next request (`TermsWarmer`, one thread per Shoppers):
- a live purchase/cart event (`Shoppers.record`'s basket hook): the shopper's terms are worked out after the write,
  off the request; requests for a shopper coalesce while they wait, and an import of past events warms no one (the
  relearning after it does);
- a relearned history: a background relearning works out the most recently active shoppers' terms against it before
  it is published, so no request meets them cold; the first learning (in a request) hands them to the thread.
An event still changes the next request: a request that finds no terms for the current basket computes them itself.
An erased shopper's terms leave every cache at once, and terms worked out while they were erased are never stored.
"""

from __future__ import annotations

import heapq
import json
import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.shoppers.basket import HistoryCache, ShopHistory
from assistant.shoppers.lru import SizedLru
from assistant.shoppers.personalize import Weights
from assistant.shoppers.profiles import BASKET_EVENTS, Profile
from assistant.shoppers.rebuy import PurchaseTerms, terms_from
from assistant.shoppers.service import Shoppers
from assistant.shoppers.store import Event

log = logging.getLogger("shopmate.shoppers")

HISTORY_BUCKETS = (0, 1, 3, 6)  # purchase baskets: none, 1-2, 3-5, 6 or more
_HISTORY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Per Shoppers: the history the entries were computed with, and shopper -> ((basket version, index version, hour,
# half-life), purchase terms). A relearned history starts them over (warmed, see above), from the shoppers' baskets
# (`Shoppers.basket`, kept: worked out when the purchase or cart event was recorded).
_TERMS: weakref.WeakKeyDictionary[Shoppers, tuple[ShopHistory, SizedLru[PurchaseTerms]]] = weakref.WeakKeyDictionary()
_BUILDING: weakref.WeakKeyDictionary[Shoppers, SizedLru[PurchaseTerms]] = weakref.WeakKeyDictionary()
_ERASED: weakref.WeakKeyDictionary[Shoppers, int] = weakref.WeakKeyDictionary()  # erasures so far (see _store)
TERMS_CACHE = 4096
# An entry holds arrays over the shopper's own items and their co-purchases (`rebuy.RowValues`): ~10-30 KB for a
# retail customer of a few hundred orders; bounded by bytes too, the least recently used shoppers' terms go first.
TERMS_CACHE_BYTES = 64 << 20
LIVE_EVENT_S = 3600.0  # a basket event this recent is a live shopper's (warmed); older ones are an import's
_CACHE_LOCK = threading.Lock()
_WEIGHTS: dict[tuple, tuple[dict, Weights]] = {}  # weights_for's answers, with the fitted table they were read from


def history_bucket(n_baskets: int) -> int:
    return max(b for b in HISTORY_BUCKETS if n_baskets >= b)


@lru_cache(maxsize=8)
def _fitted(path: Path | None) -> dict[int, dict]:
    """Fitted weights per history bucket (file written by the evaluation's --fit on a validation split):
    one set for every shopper ("weights") or, in older files, one per bucket ("buckets")."""
    if path is None or not Path(path).exists():
        return {}
    data = json.loads(Path(path).read_text())
    if "weights" in data:
        return dict.fromkeys(HISTORY_BUCKETS, data["weights"])
    return {int(b): w for b, w in data["buckets"].items()}


def weights_for(shoppers: Shoppers, n_baskets: int | None = None, **changes) -> Weights:
    """Defaults (SHOPMATE_PROFILE_WEIGHT), then the fitted blend for this length of history, then `changes`."""
    path = shoppers.settings.blend_weights
    table = _fitted(path)
    bucket = None if n_baskets is None else history_bucket(n_baskets)
    key = (shoppers.settings.profile_weight, path, bucket, tuple(sorted(changes.items())))
    hit = _WEIGHTS.get(key)
    if hit is not None and hit[0] is table:  # the same fitted file as read: building a Weights costs ~20 us
        return hit[1]
    base = Weights(profile=shoppers.settings.profile_weight)
    fitted = table.get(bucket) if bucket is not None else None
    if fitted:
        base = replace(base, **fitted)
    weights = replace(base, **changes)
    if len(_WEIGHTS) > 256:
        _WEIGHTS.clear()
    _WEIGHTS[key] = (table, weights)
    return weights


def history_of(shoppers: Shoppers, engine: Any) -> ShopHistory:
    """The shop's learned repeat rates and co-purchases (cached per Shoppers for settings.history_ttl_s)."""
    cache = _HISTORY.get(shoppers)
    if cache is None:
        ref = weakref.ref(shoppers)

        def prepare(hist: ShopHistory, background: bool) -> Callable[[], None] | None:
            sh = ref()
            return None if sh is None else _warm_history(sh, engine, hist, background)

        cache = _HISTORY.setdefault(shoppers, HistoryCache(shoppers.settings.history_ttl_s, prepare))
    return cache.get(shoppers.store, engine.index)


def n_baskets(prof: Profile | None) -> int:
    """Orders the shopper placed (distinct purchase hours)."""
    return 0 if prof is None else prof.n_baskets()


def terms_for(shoppers: Shoppers, engine: Any, shopper_id: str, prof: Profile, now: float) -> PurchaseTerms:
    """The shopper's repeat/co-purchase terms, computed once per purchase/cart change (and per hour, for decay):
    views, clicks and searches leave them cached; a relearned shop history or a new index version recomputes them
    (from the basket, kept)."""
    hist = history_of(shoppers, engine)
    return _terms(shoppers, engine, hist, _held(shoppers, hist)[1], shopper_id, prof, now)


def _held(shoppers: Shoppers, hist: ShopHistory) -> tuple[ShopHistory, SizedLru[PurchaseTerms]]:
    held = _TERMS.get(shoppers)
    if held is None or held[0] is not hist:
        with _CACHE_LOCK:
            held = _TERMS.get(shoppers)
            if held is None or held[0] is not hist:
                held = _TERMS[shoppers] = (hist, _new_cache())
                if _forget_terms not in shoppers.forget_hooks:
                    shoppers.forget_hooks.append(_forget_terms)
    return held


def _new_cache() -> SizedLru[PurchaseTerms]:
    return SizedLru(TERMS_CACHE, TERMS_CACHE_BYTES, terms_bytes)


def _terms(
    shoppers: Shoppers,
    engine: Any,
    hist: ShopHistory,
    cache: SizedLru[PurchaseTerms],
    shopper_id: str,
    prof: Profile,
    now: float,
) -> PurchaseTerms:
    """The cached terms in `cache`, else computed against `hist` and stored there."""
    idx = engine.index
    fitted = weights_for(shoppers, n_baskets(prof))
    half_life, min_rate = fitted.repeat_half_life_days, fitted.hide_below_rate
    key = (prof.basket_version, idx.version, int(now // 3600), half_life, min_rate)
    terms = cache.get(shopper_id, key)
    if terms is not None:
        return terms
    with _CACHE_LOCK:
        erased = _ERASED.get(shoppers, 0)
    consumable = [c.strip().lower() for c in shoppers.settings.consumable_categories.split(",") if c.strip()]

    def fallback(row: int) -> bool:  # a shop too young to have learned rates: the configured list
        return any(c in idx.products[row].category_path.lower() for c in consumable)

    basket = shoppers.basket(shopper_id, idx)
    n = len(idx.products)
    terms = terms_from(basket, now, n, hist.rates, hist.together_of, fallback, half_life, min_rate, prof.n_baskets())
    with _CACHE_LOCK:  # an erasure meanwhile: these may be made of erased purchases, and must not be kept
        if _ERASED.get(shoppers, 0) == erased:
            terms = cache.put_if_absent(shopper_id, key, terms)  # the warming thread may have been first
    return terms


def _forget_terms(shoppers: Shoppers, shopper_ids: list[str]) -> None:
    """An erased shopper's terms leave the caches at once, not when evicted (also those being warmed)."""
    with _CACHE_LOCK:
        _ERASED[shoppers] = _ERASED.get(shoppers, 0) + 1
        caches = [c for c in (_TERMS.get(shoppers, (None, None))[1], _BUILDING.get(shoppers)) if c is not None]
        for cache in caches:
            for sid in shopper_ids:
                cache.pop(sid)


def terms_bytes(t: PurchaseTerms) -> int:
    """The bytes of a shopper's arrays (rows shared by several terms counted once)."""
    rows = {id(a.rows): a.rows.nbytes for a in (t.repeat, t.together, t.rebuy, t.share) if a is not None}
    values = sum(a.values.nbytes for a in (t.repeat, t.together, t.rebuy, t.share) if a is not None)
    return sum(rows.values()) + values + (t.together_anchor.nbytes if t.together_anchor is not None else 0)


# ---------------------------------------------------------------------------------------------- warming
def recent_buyers(shoppers: Shoppers, n: int = TERMS_CACHE) -> list[str]:
    """The n most recently active consenting shoppers with purchases or a cart, the most recent first."""
    profs = shoppers.all_profiles()
    with_basket = ((p.last_ts, sid) for sid, p in profs.items() if p.purchased or p.cart)
    return [sid for _, sid in heapq.nlargest(n, with_basket)]


def _warm_history(shoppers: Shoppers, engine: Any, hist: ShopHistory, background: bool) -> Callable[[], None]:
    """Before a new history is published: in a background relearning, the recent shoppers' terms against it, installed
    once it is published; learned in a request, the same handed to the warming thread once published."""
    if shoppers.settings.history_ttl_s <= 0:
        return lambda: None  # relearned on every request: nothing lasts long enough to warm
    sids = recent_buyers(shoppers)
    if not background:
        return lambda: warmer(shoppers).submit(engine, sids)
    cache = _new_cache()
    with _CACHE_LOCK:
        _BUILDING[shoppers] = cache
    try:
        now = shoppers.now()
        for sid in sids:
            prof = shoppers.profile(sid)
            if prof is not None and (prof.purchased or prof.cart):
                _terms(shoppers, engine, hist, cache, sid, prof, now)
    finally:
        with _CACHE_LOCK:
            _BUILDING.pop(shoppers, None)

    def install() -> None:
        with _CACHE_LOCK:
            _TERMS[shoppers] = (hist, cache)
            if _forget_terms not in shoppers.forget_hooks:
                shoppers.forget_hooks.append(_forget_terms)

    return install


class TermsWarmer:
    """One daemon thread per Shoppers working out queued shoppers' terms against the published history (it never
    learns one); a shopper queued again before their turn is queued once. The thread ends when idle."""

    IDLE_S = 5.0

    def __init__(self, shoppers: Shoppers):
        self._shoppers = weakref.ref(shoppers)  # the thread must not keep a closed service alive
        self._cond = threading.Condition()
        self._pending: OrderedDict[str, None] = OrderedDict()
        self._engine: Any = None
        self._busy = False
        self._thread: threading.Thread | None = None
        self.warmed = 0  # terms worked out (observable by tests)

    def submit(self, engine: Any, shopper_ids: list[str]) -> None:
        with self._cond:
            self._engine = engine
            for sid in shopper_ids:
                self._pending.setdefault(sid)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="shopper-terms", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def settle(self, timeout: float = 30.0) -> bool:
        """Wait until nothing is queued or being worked out (True) or timeout seconds passed (False)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending:
                    if not self._cond.wait(self.IDLE_S) and not self._pending:
                        self._thread = None
                        return
                sid, _ = self._pending.popitem(last=False)
                engine, self._busy = self._engine, True
            try:
                self._warm(sid, engine)
            except Exception:  # a closed store, a reload meanwhile: the shopper's next request computes them
                log.debug("warming a shopper's purchase terms failed", exc_info=True)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _warm(self, sid: str, engine: Any) -> None:
        shoppers = self._shoppers()
        if shoppers is None:
            return
        prof = shoppers.profile(sid)  # None: erased, or no consent
        cache = _HISTORY.get(shoppers)
        hist = cache.peek(engine.index) if cache is not None else None
        if prof is None or hist is None or not (prof.purchased or prof.cart):
            return
        _terms(shoppers, engine, hist, _held(shoppers, hist)[1], sid, prof, shoppers.now())
        prof.learned_preferences()  # kept on the profile until its next event: the request finds it worked out
        self.warmed += 1


_WARMERS: weakref.WeakKeyDictionary[Shoppers, TermsWarmer] = weakref.WeakKeyDictionary()


def warm_recent(shoppers: Shoppers, engine: Any, wait_s: float | None = None) -> bool:
    """Queue the recent buyers' terms (those already worked out for the current basket and weights are found at
    once) and, given wait_s, wait that long at most for the thread to finish; True once it has. For a caller that
    changed what the terms depend on (another weights file), or that starts serving and wants them ready."""
    w = warmer(shoppers)
    w.submit(engine, recent_buyers(shoppers))
    return True if wait_s is None else w.settle(wait_s)


def warmer(shoppers: Shoppers) -> TermsWarmer:
    """The shoppers' warming thread's queue (made on first use; the record hook is registered with it)."""
    with _CACHE_LOCK:
        w = _WARMERS.get(shoppers)
        if w is None:
            w = _WARMERS[shoppers] = TermsWarmer(shoppers)
            if _on_basket_event not in shoppers.basket_hooks:
                shoppers.basket_hooks.append(_on_basket_event)
    return w


def _on_basket_event(shoppers: Shoppers, shopper_id: str, events: list[Event], engine: Any) -> None:
    """After a recorded purchase/cart event: a live one queues the shopper's terms (an import's old events do not)."""
    now = shoppers.now()
    if any(e.type in BASKET_EVENTS and e.ts >= now - LIVE_EVENT_S for e in events):
        warmer(shoppers).submit(engine, [shopper_id])
