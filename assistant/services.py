"""What the app holds while it runs: settings, the embedder and the (swappable) search engine."""
from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass, field
from typing import Any

from assistant.errors import Unavailable
from assistant.search import SearchEngine
from assistant.suggest_index import load_autocomplete
from assistant.settings import Settings
from index.embedder import Embedder
from index.store import IndexNotFound, load_index

log = logging.getLogger("shopmate")


def settle_heap() -> None:
    """Move the loaded index's long-lived objects out of the garbage collector's scans.

    Tens of thousands of products and phrases otherwise get re-scanned by every full collection, which
    shows up as tail latency on the per-keystroke path. They are freed by reference counting on reload.
    """
    gc.collect()
    gc.freeze()


@dataclass
class Services:
    settings: Settings
    embedder: Embedder
    _engine: SearchEngine | None = None
    load_error: str | None = None
    shoppers: Any = None  # assistant.shoppers.Shoppers, set in the app lifespan (profiles, events, consent)
    _reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

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
        engine.autocomplete = load_autocomplete(s.index_dir, index, self.embedder.encode, engine.vocab, engine.mask)
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
            settle_heap()
            return engine
