"""What the app holds while it runs: settings, the embedder, the (swappable) search engine and one service
per capability. Built once at start-up (`Services.start`), reached by routes through `api.deps`."""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass, field

from assistant.chat.session import ChatRuntime
from assistant.errors import Unavailable
from assistant.heap import limit_heaps, release_free_heap
from assistant.looks.service import Looks
from assistant.search.engine import SearchEngine
from assistant.settings import Settings
from assistant.shoppers.segments import SegmentScheduler
from assistant.shoppers.service import Shoppers
from assistant.suggest.service import load_autocomplete
from index.embedder import Embedder
from index.store import IndexNotFound, load_index

log = logging.getLogger("shopmate")


def settle_heap() -> None:
    """Move the loaded index's long-lived objects out of the garbage collector's scans.

    Tens of thousands of products and phrases otherwise get re-scanned by every full collection, which
    shows up as tail latency on the per-keystroke path. Frozen objects are never collected, and a replaced
    engine holds reference cycles (its autocomplete keeps the engine's bound methods), so reference counting
    alone does not free it: unfreeze first, so the collection below frees what the last swap replaced.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    release_free_heap()


@dataclass
class Services:
    settings: Settings
    embedder: Embedder
    shoppers: Shoppers
    looks: Looks
    chat: ChatRuntime
    _engine: SearchEngine | None = None
    load_error: str | None = None
    _scheduler: SegmentScheduler | None = None
    _reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def start(cls, settings: Settings, embedder: Embedder) -> Services:
        """Load the serving index (if any), open the shopper store and start the segment refresher (blocking)."""
        limit_heaps()  # before the server's worker threads allocate
        holder: list[Services] = []
        shoppers = Shoppers(settings, lambda: holder[0].engine, embedder.encode_query)
        svc = cls(settings, embedder, shoppers, Looks(settings), ChatRuntime(settings, shoppers.store))
        holder.append(svc)
        svc.try_initial_load()
        shoppers.check_index()  # profiles follow the product rows of the loaded index
        shoppers.on_peer_reload(svc.reload_from_peer)  # replicas: another one's admin reload
        svc._scheduler = SegmentScheduler(shoppers, lambda: svc.engine, settings.segments_refresh_s)
        return svc

    def close(self) -> None:
        """Stop background work and drain queued writes before the process exits."""
        if self._scheduler is not None:
            self._scheduler.stop()
        self.shoppers.close()

    @property
    def engine(self) -> SearchEngine:
        if self._engine is None:
            raise Unavailable(self.load_error or "the index is not loaded yet; try again in a moment")
        return self._engine

    def load_engine(self) -> SearchEngine:
        """Read the serving index version from disk (blocking; run it off the event loop)."""
        s = self.settings
        index = load_index(s.index_dir, self.embedder.name, self.embedder.dim)
        engine = SearchEngine(index, self.embedder, candidates=s.search_candidates, rrf_k=s.rrf_k)
        # autocomplete's phrases belong to the index version: loaded (and swapped) with the engine
        engine.autocomplete = load_autocomplete(
            s.index_dir, index, self.embedder.encode, engine.vocab, engine.mask, understand=engine.understand
        )
        return engine

    def try_initial_load(self) -> None:
        try:
            self._engine = self.load_engine()
            settle_heap()
            log.info("index %s loaded: %d products", self._engine.index.version, len(self._engine.products))
        except IndexNotFound as e:
            self.load_error = str(e)
            log.warning("%s", e)

    async def reload(self) -> SearchEngine:
        """Load the new index in a worker thread; the old engine serves until the swap."""
        async with self._reload_lock:
            engine = await asyncio.to_thread(self.load_engine)
            self._engine, self.load_error = engine, None  # one reference swap
            await asyncio.to_thread(self.shoppers.check_index)  # profile rebuild off the event loop
            await asyncio.to_thread(settle_heap)  # frees the replaced engine; a full collection takes a while
            await asyncio.to_thread(self.shoppers.announce_reload)
            return engine

    def reload_from_peer(self) -> None:
        """Another replica reloaded: load the version now on the shared index volume (blocking; called from
        the store's listener thread). The old engine serves until the swap."""
        engine = self.load_engine()
        self._engine, self.load_error = engine, None
        self.shoppers.check_index()
        settle_heap()
        log.info("index %s loaded after another replica's reload", engine.index.version)
