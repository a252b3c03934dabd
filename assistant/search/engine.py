"""Hybrid product search: the query understood, filters and exclusions applied inside retrieval, dense (FAISS)
and lexical (BM25) fused on their normalised scores, then what the query asks for ranked first.

The one scoring path shared by REST search, chat and autocomplete's product hits. Ranking, in tiers above the
fused score: a product of the detected type, then one made for the named device, then one whose colour or
material is known to match (unknown next; a known mismatch never shows). A colour or material is known when the
catalog states it or the title names it (assistant.search.materials). Filters given as parameters, and
price/gender/brand read from the query, are hard; parsed colour and material are preferences.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from assistant.search.columns import Codes, Lexical, Spans, admits, top_rows
from assistant.search.kinds import Kinds
from assistant.search.materials import material_reading
from assistant.search.notices import Shop, not_found, notice_for, only_of_kind
from assistant.search.preferences import Stated, apply_preferences
from assistant.search.query import Filters, Vocabulary
from assistant.search.ranking import (
    PageIndex,
    Postings,
    Tiers,
    excluded_mask,
    filled,
    fuse_arrays,
    fused_scale,
    order_rows,
    other_shelf,
    rrf,
    take_reasons,
)
from assistant.search.results import Hit, Reranker, SearchResult
from assistant.search.titles import named_as, named_by_use
from assistant.search.understand import QueryVocab, Understanding, understand
from assistant.search.variants import Asked, Variants
from assistant.search.vocab import title_colours
from index.attributes import BABYS_TOO, names_a_baby
from index.catalog import Product
from index.embedder import Embedder
from index.lexical import LexicalIndex, lexical_text
from index.store import LoadedIndex
from index.text import normalise, stem, terms, tokenize

if TYPE_CHECKING:  # autocomplete is built on the engine's vocabulary; this only names its type
    from assistant.suggest.service import Autocomplete

MODES = ("hybrid", "dense", "lexical")
SORTS = ("relevance", "price_asc", "price_desc", "rating")
__all__ = ["MODES", "SORTS", "Hit", "Reranker", "SearchEngine", "SearchResult", "rrf"]


class SearchEngine:
    """Holds one loaded index with its lexical side and filter columns; swapped whole on reload."""

    def __init__(
        self,
        index: LoadedIndex,
        embedder: Embedder,
        candidates: int = 200,
        rrf_k: int = 60,
        fusion: str = "score",
        alpha: float = 0.5,
    ):
        self.index = index
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.top = 2.0 / (rrf_k + 1)  # the most a fused score adds (RRF's scale); the tiers' steps sit above it
        self.fusion = fusion  # "score" (normalised scores, convex) or "rrf" (ranks only)
        self.alpha = alpha  # the dense side's weight in score fusion
        products = index.products
        n = len(products)
        lex_terms = [terms(lexical_text(p)) for p in products]  # tokenized once for BM25 and the postings
        self.lexical = LexicalIndex(products, lex_terms)
        self.vocab = Vocabulary.from_products(products)
        self.qvocab = QueryVocab.from_products(products, self.vocab.brands)
        self._price = np.array([p.price if p.price is not None else np.nan for p in products], np.float64)
        self._price_or_low = np.nan_to_num(self._price, nan=-1.0)  # no price: below any minimum
        self._price_or_high = np.nan_to_num(self._price, nan=np.inf)  # ... and above any maximum
        self._rating = np.array([p.rating if p.rating is not None else np.nan for p in products], np.float64)
        self._gender = np.array([p.gender or "" for p in products], dtype=object)
        self._colour = np.array([p.colour or "" for p in products], dtype=object)
        self._brand = np.array([normalise(p.brand or "") for p in products], dtype=object)
        self._stock = np.array([p.in_stock for p in products], dtype=bool)
        self._category = [normalise(" > ".join(p.category)) for p in products]
        roots: dict[str, int] = {}  # the department (root category) of each product, -1 when it has none
        self._root = np.array([roots.setdefault(p.category[0], len(roots)) if p.category else -1 for p in products])
        # The text columns as codes into their distinct values: a filter compares the few distinct values once
        # and indexes the result by code, instead of comparing 20k Python strings per request.
        self._codes = {name: Codes(col) for name, col in (("gender", self._gender), ("colour", self._colour))}
        self._codes["brand"] = Codes(self._brand)
        self._codes["category"] = Codes(np.array(self._category, dtype=object))
        self._gender_known = self._gender != ""
        # girls' and boys' products that are a baby's too ("Baby Girl's Dress"), for a "baby" preference or filter
        babys = np.array([names_a_baby(p.title, p.category) for p in products], dtype=bool)
        self._babys = babys & self._codes["gender"].isin(BABYS_TOO)
        self._colour_known = self._colour != ""
        # (each product's term set is not kept: at 20k products those sets held ~14 MB; lex_post answers the
        # few "does the product have this term" questions of the results shown)
        self.lex_post = Postings.build([set(ts) for ts in lex_terms], n)
        del lex_terms
        names = self.qvocab.type_names  # the shop's types and their other words
        self.type_post = Postings.build([{t for name in names(p) for t in terms(name)} for p in products], n)
        self.head_post = Postings(self.qvocab.head_rows, n)  # the kinds each product is (type_heads)
        self.title_post = Postings.build([set(terms(p.title)) for p in products], n)
        self.title_colour = Postings.build([title_colours(p) for p in products], n)  # a colour the title says
        # what pages state beyond the lexical fields, and the devices titles say a product is made for
        self.pages = PageIndex.build(products, self.qvocab.types, self.qvocab.device_terms)
        heads = frozenset(self.qvocab.heads)
        self.kinds = Kinds.build(
            products, self.qvocab.aliases, self.type_post, self.head_post, self.title_post, self.pages.listed, heads
        )
        # what a page says it is made of: its material specifications and the materials its title names
        # ("Striped Cotton Sari" is known to be cotton, whatever its specifications leave out)
        named = [material_reading(p, self.qvocab.materials) for p in products]
        self._material_known = np.array([known for known, _, _ in named], dtype=bool)
        self.material_post = Postings.build([set(stems) for _, stems, _ in named], n)
        self.blend_post = Postings.build([set(blends) for _, _, blends in named], n)  # "Poly Cotton": part cotton
        # variants apart when they answer a material query differently: the same materials read the same way
        self.variants = Variants(products, title_colours, [" ".join(sorted(stems)) for _, stems, _ in named])
        del named
        # (the readers hold the columns, not the engine: no reference cycle keeps a replaced engine alive)
        codes, title_colour, babys = self._codes, self.title_colour, self._babys
        material_post, blend_post = self.material_post, self.blend_post
        self._stated = Stated(
            self._gender_known,
            self._colour_known,
            self._material_known,
            brand=lambda b: codes["brand"].equals(normalise(b)),
            gender=lambda g: codes["gender"].isin(admits(g)) | (babys if g == "baby" else False),
            # the catalog's (or derived) colour, or one the title names ("Gold Diamond Ring" with a Color line of
            # Yellow; a multicolour "Blue, Red Dress")
            colour=lambda c: codes["colour"].equals(c) | title_colour.all_of((c,)),
            material=lambda m: material_post.all_of((m,)),
            blend=lambda m: blend_post.all_of((m,)),
        )
        self.autocomplete: Autocomplete | None = None  # set by Services.load_engine

    @property
    def products(self) -> list[Product]:
        return self.index.products

    def understand(self, query: str, correct: bool = True) -> Understanding:
        """The query read against this catalog (see assistant.search.understand)."""
        return understand(query, self.qvocab, correct)

    def mask(self, f: Filters) -> np.ndarray | None:
        """Boolean row mask of products that satisfy every filter (None: no filter)."""
        if f.is_empty():
            return None
        m = np.ones(len(self.products), dtype=bool)
        if f.price_min is not None:
            m &= self._price_or_low >= f.price_min
        if f.price_max is not None:
            m &= self._price_or_high <= f.price_max
        if f.gender:
            m &= self._codes["gender"].isin(admits(f.gender)) | (self._babys if f.gender == "baby" else False)
        if f.colour:
            m &= self._codes["colour"].equals(f.colour)
        if f.brand:
            m &= self._codes["brand"].equals(normalise(f.brand))
        if f.in_stock:
            m &= self._stock
        if f.category:
            want = normalise(f.category)
            m &= self._codes["category"].where(lambda c: want in c)
        return m

    def _retrieve(
        self, qv: np.ndarray | None, lexical: Lexical | None, allowed: np.ndarray | None, n: int, spans: Spans
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Fused candidates within allowed: (rows, their fused scores, rows the dense side scored, their cosines).
        qv: the query's vector (None: no dense side); lexical: BM25 of every row and the rows it scored (None: no
        lexical side)."""
        rankings: list[np.ndarray] = []
        d, dense_rows = np.zeros(0, np.float32), np.zeros(0, np.int64)
        if qv is not None:
            spans.mark("fusion")  # (what came since: the fusion of a first retrieval)
            d, dense_rows = self.index.vector_index.search(qv, n, allowed)
            rankings.append(dense_rows)
            spans.mark("dense_search")
        if lexical is not None:
            scored = lexical.rows if allowed is None else lexical.rows[allowed[lexical.rows]]
            rankings.append(top_rows(lexical.scores, scored, n))
        if not rankings:  # browsing, or only filter words ("for girls"): every allowed product, in catalog order
            rows = np.flatnonzero(allowed) if allowed is not None else np.arange(len(self.products))
            rankings.append(rows[:n])
        if self.fusion == "rrf" or len(rankings) < 2 or qv is None or lexical is None:
            by_rank = rrf(rankings, self.rrf_k)
            keys = np.fromiter(by_rank.keys(), np.int64, len(by_rank))
            return keys, np.fromiter(by_rank.values(), np.float64, len(by_rank)), dense_rows, d
        # score-aware: both sides scored over the union of candidates (the exact cosine of a lexical-only one)
        mark = np.zeros(len(self.products), dtype=bool)  # rows marked: one pass, no sort of the candidates
        mark[np.concatenate(rankings)] = True
        union = np.flatnonzero(mark)  # = np.union1d (sorted, each row once): holds every dense row
        cos = np.zeros(len(union), np.float64)
        found = np.zeros(len(union), dtype=bool)
        at = np.searchsorted(union, dense_rows)
        cos[at], found[at] = d, True
        missing = union[~found]
        if len(missing):
            cos[~found] = self.index.vectors[missing] @ np.asarray(qv, np.float32).reshape(-1)
        fused = fuse_arrays(cos, lexical.scores[union], self.alpha)  # every union row is within allowed
        return union, fused * self.top, union, cos  # on RRF's scale, so the tiers above it stay where they were

    def search(
        self,
        query: str,
        k: int = 10,
        filters: Filters | None = None,
        parse: bool = True,
        mode: str = "hybrid",
        rerank: Reranker | None = None,
        distinct: bool = False,
        sort: str = "relevance",
        correct: bool = True,
        within: np.ndarray | None = None,
    ) -> SearchResult:
        """Top-k products for a query; explicit filters win over filters parsed from the query. correct=False:
        no spelling correction (the shopper chose "search instead for" what they typed). within: a row mask the
        caller keeps to, as a filter (the chat's kind asked, of_kind)."""
        spans = Spans(time.perf_counter())
        given = filters or Filters()
        u = self.understand(query, correct) if parse and query.strip() else None
        spans.mark("understand")
        f = given
        prefs: dict = {}
        tiers = Tiers()
        if u is not None:
            f = given.merged(Filters(price_min=u.price_min, price_max=u.price_max))
            if u.brand and not given.brand:  # the maker's first; another maker's product of the type next
                prefs["brand"] = u.brand
            if u.gender and not given.gender:  # who it is for, read from the query: unknown is not a mismatch
                prefs["gender"] = u.gender
            if u.colour and not given.colour:
                prefs["colour"] = u.colour
            if u.material:
                prefs["material"] = u.material
        allowed = self.mask(f)
        if within is not None:
            allowed = within if allowed is None else allowed & within
        if u is not None and u.exclude_terms:  # negations exclude inside retrieval, never after a cut
            out = excluded_mask(self.lex_post, self.pages.negated, u.exclude_terms)
            allowed = (allowed if allowed is not None else self._all()) & ~out
        typed = None
        compat = self.pages.devices(u, self.title_post, tiers) if u is not None else None  # made for the device
        if u is not None and u.type_terms:
            # of the type: a type or shelf of the product names it as its head ("Mouse Pads" are not mice)
            typed = self.type_post.all_of(u.type_terms) & self.head_post.any_of(u.type_terms[-1:])
            # ... or the shop shelves it beside them and its title names it the kind ("Sparx Sneakers" under Casual
            # Shoes: "white sneakers" showed the one product on the shop's Sneakers shelf, then white heels)
            typed[self.kinds.beside_rows(u.type_terms)] = True
            if compat is not None:  # made for the device and named as the type by its title: of the type too
                named = compat & self.title_post.all_of(u.type_terms)
                typed = typed | named_as(self.products, named, u.type_terms, u.compat_terms)
                typed = typed | named_by_use(self.products, compat, u.type_terms)  # a charging cable: a charger
            tiers.add("type", typed, 1.0)
            # named by another thing after the kind's word: a "Hair Dryer Bonnet" after the hair dryers
            accessory = self.qvocab.named_after(u.type_terms[-1], terms(u.search_text))
            if len(accessory):
                named_after = np.zeros_like(typed)
                named_after[accessory] = True
                tiers.add("named_after", named_after & typed, -0.5)
            near = compat if compat is None or compat.any() else self.pages.n_devices > 0  # (none: what any is)
            if near is not None and (away := other_shelf(near, typed, self._root)) is not None:
                tiers.add("other_shelf", away, -0.9)  # after those made for it, and for another device
        relaxed: list[str] = []
        after = None  # the type's products of a known other material, shown after its fits (see preferences.py)
        if prefs:
            # of an interest and no kind ("my wife loves cooking"), a cooking thing tagged for women is no better
            # than one tagged for no one: the recipient keeps another person's out, it ranks nothing first
            weigh = not (u is not None and u.interest and typed is None)
            allowed, relaxed, after = apply_preferences(prefs, allowed, tiers, typed, self._stated, weigh_gender=weigh)
        if u is not None and (u.cheap or u.dear):  # "cheap earrings": the cheaper half of what fits first
            fits = (allowed if allowed is not None else self._all()) & (typed if typed is not None else True)
            fits = fits if after is None else fits & ~after
            priced = self._price[fits & ~np.isnan(self._price)]
            if len(priced) and u.cheap:
                tiers.add("cheap", self._price_or_high <= np.median(priced), 0.25)
                prefs["price"] = "low"
            elif len(priced):  # "expensive watch": the dearer half of what fits (not every dear thing: diamonds)
                tiers.add("dear", fits & (self._price_or_low >= np.median(priced)), 0.25)
                prefs["price"] = "high"
        stated = self.pages.tiers(u, tiers, typed, self.lex_post, self.title_post) if u is not None else None
        if u is not None and u.thing and u.thing not in self.qvocab.heads and stated is not None and stated.any():
            tiers.restrict("gender", stated)  # a thing no type names: "earphones for girls" are not girls' dresses
        dense_text = (u.dense_text if u else query).strip()
        lex_text = (u.search_text if u else query).strip()
        extra = (*u.prefix_terms, *(j for *_, j in u.joined)) if u else ()
        n_cand = max(self.candidates, k * 4 if distinct else k)
        primary = allowed
        if typed is not None:
            within = typed if allowed is None else allowed & typed
            if within.any():
                primary = within if after is None else within & ~after
        spans.mark("filters")
        lexical = None  # BM25 of every product, scored once for every retrieval below
        if mode in ("hybrid", "lexical") and (terms(lex_text) or extra):
            lexical = Lexical.of(self.lexical.scores(lex_text, extra))
        spans.mark("lexical")
        qv = self.embedder.encode_query(dense_text) if mode in ("hybrid", "dense") and dense_text else None
        spans.mark("encode")
        rows, scores, dense_rows, cos = self._retrieve(qv, lexical, primary, n_cand, spans)
        dense_scores = np.full(len(self.products), np.nan)  # cosine of each row the dense side scored
        dense_scores[dense_rows] = cos
        if typed is not None and primary is not None and primary is not allowed:
            # too few fits of the type: its products of other materials next, then the rest when it may show (filled)
            rest, group = ~typed if allowed is None else allowed & ~typed, self.variants.group if distinct else None
            full = sort == "relevance" and filled(rows, tiers, rest, k, self.top, group, rerank is not None)
            for more in (after, None if full else rest):
                if more is None or len(rows) >= n_cand:
                    continue
                more_rows, more_scores, dense_rows, cos = self._retrieve(qv, lexical, more, n_cand, spans)
                new = ~np.isin(more_rows, rows)
                rows, scores = np.concatenate((rows, more_rows[new])), np.concatenate((scores, more_scores[new]))
                dense_scores[dense_rows] = cos
        if stated is not None:  # pages stating what was asked are candidates even where retrieval ranked them low
            within = primary if primary is not None else allowed if allowed is not None else self._all()
            said = np.flatnonzero(stated & within)[:n_cand]
            taken = np.zeros(len(self.products), dtype=bool)  # = np.isin(said, rows), without sorting
            taken[rows] = True
            said = said[~taken[said]]
            rows, scores = np.concatenate((rows, said)), np.concatenate((scores, np.zeros(len(said))))
        order = np.lexsort((rows, -scores))  # fused score descending, row ascending on ties
        rows, scores = rows[order], scores[order]
        spans.mark("fusion")
        reasons: Sequence[list[str]] = ()  # per candidate (position in rows); none without a reranker
        if rerank is not None and len(rows):
            scores, reasons = rerank(rows, scores)
            scores = fused_scale(scores, self.top)  # it orders within the tiers, not across them
        spans.mark("rerank")
        scores = scores + tiers.boost(rows)
        pos = order_rows(rows, scores, sort, self._price, self._rating, tiers)
        rows, scores = rows[pos], scores[pos]
        final = allowed if allowed is not None else self._all()
        asked = Asked(
            colour="colour" in prefs and "colour" not in relaxed,
            material="material" in prefs and "material" not in relaxed,
            stated=stated,
            compatible=compat,
        )
        answer = self.variants.answer(asked)  # variants answering what was asked differently are apart
        lex_all = lexical.scores if lexical is not None else None  # (only rows within allowed are shown)
        hits = self._hits(rows, scores, reasons, pos, k, distinct, (allowed, answer), u, dense_scores, lex_all, query)
        spans.mark("order_hits")
        shop = Shop(self.mask, self._price, self.products)
        rows_shown = [h.row for h in hits]
        notice = notice_for(u, f, tiers, rows_shown, relaxed, shop, after) if u is not None else None
        if u is None and not hits and not f.is_empty():
            notice = "Nothing matches all of the filters."
        elif u is not None and hits and notice is None and mode != "dense":
            notice = not_found(u, f, final, typed, self.lexical.vocabulary, self.lex_post, self.products)
        if u is not None and hits and notice is None:  # the page runs out of the kind asked for
            page = (rows_shown, [h.variants for h in hits], [h.dense for h in hits])
            notice = only_of_kind(u, f, tiers, page, final, shop, relaxed)
        spans.mark("notice")
        took = (time.perf_counter() - spans.t0) * 1000
        return SearchResult(query, hits, f, took, None, u, prefs, notice, spans.times)

    def _all(self) -> np.ndarray:  # every row, as a mask
        return np.ones(len(self.products), dtype=bool)

    def _hits(self, rows, scores, why_of, pos, k, distinct, variants, u, dense_scores, lex_all, query) -> list[Hit]:
        """The first k rows (one card per group and answer when distinct, see variants.py), with what they match;
        why_of[pos[i]] are the reranker's reasons for row i, read only for the rows shown."""
        shown = {stem(t): t for t in tokenize(u.search_text if u else query)}  # say the word as typed
        shown |= {t: t for t in (u.prefix_terms if u else ())}
        allowed, answer = variants
        picked = self.variants.pick(rows, k, answer) if distinct else list(range(min(k, len(rows))))
        whys = take_reasons(why_of, pos[picked].tolist()) if len(why_of) else [[] for _ in picked]
        counts = self.variants.counts([int(rows[i]) for i in picked], allowed, answer)
        shown_rows = rows[picked]
        has = {t: self.lex_post.holds(t, shown_rows).tolist() for t in shown if t in self.lex_post.rows}
        hits: list[Hit] = []
        for j, (i, why, n_var) in enumerate(zip(picked, whys, counts, strict=True)):
            row = int(rows[i])
            words = sorted(t for t, on in has.items() if on[j])
            base = [f"matches {', '.join(repr(shown[w]) for w in words)}"] if words else []
            cos = float(dense_scores[row])  # NaN: not scored by the dense side
            if cos == cos and not words:
                base.append("close in meaning to your search")
            lex = float(lex_all[row]) if lex_all is not None else 0.0
            hits.append(
                Hit(self.products[row], row, float(scores[i]), cos if cos == cos else 0.0, lex, why + base, n_var)
            )
        return hits

    def coloured(self, colour: str) -> np.ndarray:
        """Rows of the colour as a query's colour is read: the catalog's (or derived) colour, or one the title names."""
        return self._stated.colour(colour)

    def of_kind(self, words: str, titles: bool = False) -> np.ndarray | None:
        """Rows of the kind the words name, read as a query's type is read (a type or shelf of the product names it
        as its head: "Saree Falls" are not sarees); None when they name no type of this shop's products. titles:
        also those whose title names them the kind (Kinds.of_kind)."""
        key = self.understand(words + " ", correct=False).type_terms  # the space: no word is still being typed
        return self.kinds.of_kind(key, titles)
