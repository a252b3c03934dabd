"""Autocomplete's edge: load the phrases of an index version, and fold the shop's search log into them.

The phrases and their vectors are written by the index build (index/suggestions.py). An index built
before autocomplete existed has none: they are then built once at load time with the same embedder.
The search log (decayed `search` event counts from the shoppers store) is folded in by a refresh that
runs off the request path every `autocomplete_refresh_s`; accepted suggestions count at once
(Suggester.learn). Nothing here runs per keystroke.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from assistant.heap import release_free_heap
from assistant.search.query import Vocabulary, parse_query
from assistant.suggest.rows import Rows
from assistant.suggest.spans import word_spans
from assistant.suggest.suggester import Suggester, Weights
from assistant.suggest.table import PhraseTable
from index.store import LoadedIndex
from index.suggestions import (
    Phrase,
    PhraseMatcher,
    best_rows,
    build_suggestions,
    display_form,
    group_ids,
    phrase_key,
    read_suggestions,
    type_spread,
    write_suggestions,
)

log = logging.getLogger("shopmate.autocomplete")
Embed = Callable[[Sequence[str]], np.ndarray]
_NO_BRANDS = Vocabulary()
EMBED_CHUNK = 16  # log phrases embedded per call, so a refresh never holds the model for long
# Product masks kept while phrases are checked, by filter. Unbounded, the ~14,000 distinct filters of the 20k
# catalog's phrases held 136 MB of small arrays that freeing at the end did not give back to the OS.
MASK_CACHE = 64


class Autocomplete:
    """The Suggester of one loaded index version, and what refreshing it from the search log needs."""

    def __init__(
        self,
        index: LoadedIndex,
        phrases: list[Phrase],
        vectors: np.ndarray,
        vocab=None,
        mask: Callable | None = None,
        weights: Weights | None = None,
        understand: Callable | None = None,
    ):
        self.index = index
        self.understand = understand  # engine.understand(text) -> Understanding: the filters search applies
        self.matcher = PhraseMatcher(index.products)
        self.groups = group_ids(index.products)
        self.vocab = vocab  # query_parser.Vocabulary of the engine: phrases' filters count as search reads them
        self.mask = mask  # engine.mask(Filters) -> row mask | None
        self._masks: OrderedDict[tuple, np.ndarray | None] = OrderedDict()  # LRU of product masks by filter
        self.base_phrases = phrases
        self.base_vectors = vectors
        self._build_top: Sequence[np.ndarray] = Rows.pack(
            [[index.id_to_row[i] for i in ph.top if i in index.id_to_row] for ph in phrases]
        )
        for ph in phrases:  # held as rows from here on: ~10 id strings per phrase are ~10 MB at 20k products
            ph.top = []
        self.base_top = self._build_top
        if vocab is not None and mask is not None:
            self.base_phrases, self.base_vectors, self.base_top = self._verified()
            self._masks.clear()
        for ph in self.base_phrases:
            if not ph.distinct:  # phrases stored before distinct products were counted
                ph.distinct = len(np.unique(self.groups[self.matcher.rows(ph.text)])) or ph.count
        self.spread = type_spread(index.products, self.matcher, self._words(self.base_phrases))
        # the build's phrases as matched: made once, shared by every refresh's Suggester (table.py)
        self.base_table = PhraseTable(self.base_phrases, self.spread)
        self.suggester = Suggester(self.base_table, self.base_vectors, self.base_top, weights=weights or Weights())
        # the Suggester holds the vectors as float32: the base phrases' rows of that array, not a second copy
        self.base_vectors = self.suggester.vectors[: len(self.base_phrases)]
        self.base_top = self.suggester.top_rows
        self._build_top = []
        self.cache: OrderedDict = OrderedDict()  # rendered anonymous answers (api_autocomplete), LRU
        self.refreshed_at = float("-inf")
        self.refreshing = False
        self._log_vectors: dict[str, np.ndarray] = {}
        self._last_log: list[tuple[str, float]] | None = None
        self._lock = threading.Lock()

    def rows_for(self, text: str) -> np.ndarray:
        """Products that searching for text finds by its words, with the filters search would parse out of
        it (price, gender, colour, brand) applied, as /api/search does. Empty: do not offer it."""
        if self.vocab is None or self.mask is None:
            return self.matcher.rows(text)
        parsed = parse_query(text, _NO_BRANDS)  # brands below: parse_query scans every brand per call
        f = parsed.filters
        f.brand = self._brand_in(parsed.text)
        if self.understand is not None:  # search's hard filters as search reads them ("mom" is for women)
            u = self.understand(text + " ")  # a whole phrase: no half-typed last word
            f.gender = u.gender or f.gender
            f.price_min = u.price_min if u.price_min is not None else f.price_min
            f.price_max = u.price_max if u.price_max is not None else f.price_max
        key = tuple(sorted(f.as_dict().items()))
        if key in self._masks:
            self._masks.move_to_end(key)
        else:
            self._masks[key] = self.mask(f)
            if len(self._masks) > MASK_CACHE:
                self._masks.popitem(last=False)
        allowed = self._masks[key]
        if not parsed.text.strip() and allowed is None:
            return np.zeros(0, np.int64)
        return self.matcher.rows(parsed.text or text, allowed)

    def _brand_in(self, text: str) -> str | None:
        """The longest catalog brand among the word n-grams of text (parse_query's brand rule, by lookup)."""
        words = text.split()
        best = None
        for i in range(len(words)):
            for j in range(i + 1, min(len(words), i + 6) + 1):
                nb = " ".join(words[i:j])
                if nb in self.vocab.brands and (best is None or len(nb) > len(best)):
                    best = nb
        return self.vocab.brands[best] if best else None

    def _verified(self) -> tuple[list[Phrase], np.ndarray, Rows]:
        """The build's phrases re-checked the way search reads them: a phrase such as "infant wear" is a
        gender filter plus "wear" to search, and is dropped if that finds nothing."""
        keep, tops = [], []
        for i, ph in enumerate(self.base_phrases):
            rows = self.rows_for(ph.text)
            if not len(rows):
                continue
            found = set(rows.tolist())
            top = np.array([r for r in self._build_top[i].tolist() if r in found], np.int64)
            if not len(top):
                top = best_rows(rows, self.index.vectors, self.base_vectors[i])
            keep.append(i)
            tops.append(top)
            ph.count = len(rows)
            ph.distinct = len(np.unique(self.groups[rows]))
        return [self.base_phrases[i] for i in keep], self.base_vectors[keep], Rows.pack(tops)

    def refresh(self, popular: list[tuple[str, float]], embed: Embed, max_new: int = 300) -> bool:
        """Rebuild the Suggester with the search log's counts and its new phrases (those that find ≥1
        product). Blocking (run it in a worker thread); the old Suggester serves until the swap."""
        with self._lock:
            self.refreshed_at = time.monotonic()
            if popular == self._last_log:
                return False
            known = set(self.base_table.key_to_pid)  # the same strings, no new ones
            new: list[Phrase] = []
            new_rows: list[np.ndarray] = []
            for text, _ in popular:
                disp = display_form(text)
                key = phrase_key(disp)
                if len(key) < 2 or key in known or len(new) >= max_new:
                    continue
                rows = self.rows_for(disp)
                if len(rows):
                    known.add(key)
                    new.append(Phrase(disp, "query", len(rows), distinct=len(np.unique(self.groups[rows]))))
                    new_rows.append(rows)
            self._masks.clear()
            todo = [ph.text for ph in new if ph.text not in self._log_vectors]
            for start in range(0, len(todo), EMBED_CHUNK):
                chunk = todo[start : start + EMBED_CHUNK]
                for t, v in zip(chunk, embed(chunk), strict=False):
                    self._log_vectors[t] = v
            dim = self.base_vectors.shape[1]
            vecs = np.array([self._log_vectors[ph.text] for ph in new], np.float32).reshape(-1, dim)
            tops = [best_rows(rows, self.index.vectors, v) for rows, v in zip(new_rows, vecs, strict=False)]
            for ph, top in zip(new, tops, strict=False):
                ph.top = [self.index.products[r].id for r in top.tolist()]
            old = self.suggester
            searches: dict[str, float] = {}
            for text, c in popular:
                searches[phrase_key(text)] = searches.get(phrase_key(text), 0.0) + float(c)
            for key, c in old.unlogged.items():  # anonymous accepts that no log holds
                searches[key] = searches.get(key, 0.0) + c
            sugg = Suggester(
                self.base_table.extended(new, type_spread(self.index.products, self.matcher, self._words(new))),
                np.vstack([self.base_vectors, vecs.astype(self.base_vectors.dtype)]),
                self.base_top.extended(tops),
                searches=searches,
                weights=old.weights,
            )
            sugg.unlogged = dict(old.unlogged)
            self.base_vectors = sugg.vectors[: len(self.base_phrases)]  # lets the old array go
            self.base_top = Rows(sugg.top_rows.flat, sugg.top_rows.offsets[: len(self.base_phrases) + 1])
            # Picks are by phrase key, so they survive the new phrase numbering: shared, not copied (a copy per
            # refresh remade every small dict of them), with the lock learn() adds them under.
            sugg.picks, sugg._lock = old.picks, old._lock
            self.suggester = sugg  # one reference swap (cached answers are keyed by Suggester: now unused)
            self.cache = OrderedDict()
            self._last_log = list(popular)
            log.info("autocomplete refreshed: %d phrases (%d from the search log)", len(sugg), len(new))
            del old
            release_free_heap()  # the replaced arrays were freed as a whole (worker thread: no request waits)
            return True

    @staticmethod
    def _words(phrases: Sequence[Phrase]) -> set[str]:
        return {key for ph in phrases for key, _, _ in word_spans(ph.text)}


def load_autocomplete(
    index_dir: Path,
    index: LoadedIndex,
    embed: Embed,
    vocab=None,
    mask: Callable | None = None,
    weights: Weights | None = None,
    understand: Callable | None = None,
) -> Autocomplete:
    """The phrases written with the index version; built (and embedded) now if the version has none."""
    got = read_suggestions(Path(index_dir) / index.version)
    if got is None:
        log.warning(
            "index version %s has no autocomplete phrases; building them now (rebuild the index to store them with it)",
            index.version,
        )
        phrases, vectors = build_suggestions(index.products, index.vectors, embed)
        try:  # keep them with the version, so that the next load (and other workers) just read them
            write_suggestions(Path(index_dir) / index.version, phrases, vectors)
        except OSError as e:
            log.warning("could not store the autocomplete phrases with the index: %s", e)
    else:
        phrases, vectors = got
    return Autocomplete(index, phrases, vectors, vocab, mask, weights, understand)
