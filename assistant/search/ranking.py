"""Ranking pieces of the engine, pure over NumPy arrays: rank fusion, term postings, preference tiers, sort
orders, and how a search describes what was asked (the notices are in assistant.search.notices)."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.search.aliases import name_end
from assistant.search.product_types import list_heads
from assistant.search.query import Filters
from assistant.search.statements import negated_terms, page_terms
from assistant.search.understand import Understanding
from assistant.search.vocab import title_phrases
from index.catalog import Product
from index.lexical import lexical_text
from index.text import terms


def rrf(rankings: list[np.ndarray], k: int = 60) -> dict[int, float]:
    """Reciprocal rank fusion of several ranked row lists."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking.tolist()):
            fused[row] = fused.get(row, 0.0) + 1.0 / (k + rank + 1)
    return fused


def fuse_scores(dense: dict[int, float], lexical: dict[int, float], alpha: float) -> dict[int, float]:
    """Score-aware fusion: alpha * dense + (1 - alpha) * lexical, each min-max normalised over the candidates
    (a candidate one side did not return scores that side's floor). Unlike RRF it keeps how far apart the
    scores are, so one exact model-number match is not levelled with the 50th loose one."""
    rows = set(dense) | set(lexical)
    out = dict.fromkeys(rows, 0.0)
    for side, w in ((dense, alpha), (lexical, 1.0 - alpha)):
        if not side or w == 0:
            continue
        lo, hi = min(side.values()), max(side.values())
        span = hi - lo
        for r, v in side.items():
            out[r] += w * ((v - lo) / span if span > 0 else 1.0)
    return out


def fuse_arrays(dense: np.ndarray, lexical: np.ndarray, alpha: float) -> np.ndarray:
    """fuse_scores over aligned arrays, where both sides score every candidate (the engine's case): the same
    numbers, without a dict per side (tests/assistant/search/test_classes.py holds them equal)."""
    out = np.zeros(len(dense))
    for side, w in ((np.asarray(dense, np.float64), alpha), (np.asarray(lexical, np.float64), 1.0 - alpha)):
        if not len(side) or w == 0:
            continue
        lo, hi = float(side.min()), float(side.max())
        span = hi - lo
        out = out + (w * ((side - lo) / span) if span > 0 else w * 1.0)
    return out


def fused_scale(scores: np.ndarray, top: float) -> np.ndarray:
    """Scores mapped (order kept, -inf kept) onto [0, top], the fused scores' range below the tiers' steps."""
    ok = np.isfinite(scores)
    if not ok.any():
        return scores
    lo, hi = float(scores[ok].min()), float(scores[ok].max())
    span = hi - lo if hi > lo else 1.0
    return np.where(ok, (scores - lo) / span * top, scores)


def take_reasons(reasons: Sequence[list[str]], at: list[int]) -> list[list[str]]:
    """The reasons at these positions: in one batch when a reranker works them out lazily (its `take`)."""
    take = getattr(reasons, "take", None)
    return take(at) if take is not None else [reasons[i] for i in at]


@dataclass
class Postings:
    """term -> rows holding it, for masks by term (negations, types, devices, materials)."""

    rows: dict[str, np.ndarray]
    n: int

    @classmethod
    def build(cls, term_sets: Sequence[Iterable[str]], n: int) -> Postings:
        acc: dict[str, list[int]] = {}
        for row, ts in enumerate(term_sets):
            for t in ts:
                acc.setdefault(t, []).append(row)
        return cls({t: np.asarray(r, dtype=np.int64) for t, r in acc.items()}, n)

    def all_of(self, terms: Iterable[str]) -> np.ndarray:
        m = np.ones(self.n, dtype=bool)
        for t in terms:
            one = np.zeros(self.n, dtype=bool)
            one[self.rows.get(t, np.zeros(0, np.int64))] = True
            m &= one
        return m

    def holds(self, term: str, rows: np.ndarray) -> np.ndarray:
        """Per row of `rows`, whether it holds the term (a binary search in the term's sorted rows: a page of
        results is a few rows, a common term's postings thousands)."""
        post = self.rows.get(term)
        if post is None or not len(post):
            return np.zeros(len(rows), dtype=bool)
        at = np.minimum(np.searchsorted(post, rows), len(post) - 1)
        return post[at] == rows

    def any_of(self, terms: Iterable[str]) -> np.ndarray:
        m = np.zeros(self.n, dtype=bool)
        for t in terms:
            m[self.rows.get(t, np.zeros(0, np.int64))] = True
        return m


def excluded_mask(lexical: Postings, negated: Postings, exclude: Iterable[str]) -> np.ndarray:
    """Rows whose lexical text states an excluded word other than as negated ("Non Padded" is not padded)."""
    out = np.zeros(lexical.n, dtype=bool)
    for t in exclude:
        out |= lexical.any_of((t,)) & ~negated.any_of((t,))
    return out


def all_forms(
    post: Postings,
    stems: Sequence[str],
    joined: Sequence[tuple[str, str, str]] = (),
    split: Sequence[tuple[str, str, str]] = (),
) -> np.ndarray:
    """Rows holding every stem, a model word written either way: a pair also as one word ("tab 3" as "tab3"),
    a word of letters and digits also as two ("16gb" as "16 gb")."""
    return _all_forms(lambda t: post.any_of((t,)), post.n, stems, joined, split)


def _all_forms(
    has: Callable[[str], np.ndarray],
    n: int,
    stems: Sequence[str],
    joined: Sequence[tuple[str, str, str]],
    split: Sequence[tuple[str, str, str]],
) -> np.ndarray:
    need = {t: has(t) for t in stems}
    out = np.ones(n, dtype=bool)
    for a, b, j in joined:
        if a in need and b in need:
            first = need.pop(a)
            out &= (first & need.pop(b, first)) | has(j)  # (a == b: "5 5")
    for w, a, b in split:
        if w in need:
            out &= need.pop(w) | (has(a) & has(b))
    for m in need.values():
        out &= m
    return out


def stated_mask(
    lexical: Postings,
    page: Postings,
    stated: Sequence[str],
    joined: Sequence[tuple[str, str, str]] = (),
    lacking: Sequence[str] = (),
    split: Sequence[tuple[str, str, str]] = (),
) -> np.ndarray | None:
    """Rows whose lexical text or page states every stated word (a model word written either way, see
    all_forms) and, when given, one of the lacking forms ("nonpad"); None when there is nothing to state."""
    if not stated and not lacking:
        return None

    def has(t: str) -> np.ndarray:
        return lexical.any_of((t,)) | page.any_of((t,))

    out = _all_forms(has, lexical.n, stated, joined, split)
    if lacking:
        out &= np.logical_or.reduce([has(t) for t in lacking])
    return out


def other_shelf(compat: np.ndarray, typed: np.ndarray, root: np.ndarray, share: float = 0.25) -> np.ndarray | None:
    """Products of the asked type shelved in a department (root category) holding none of the shop's products
    made for the named device, when some of the type are shelved where those are: a camera battery charger for
    "charger for iphone", a car cover for "flip cover for nexus 7". The device's departments hold at least
    `share` of the products whose title names it; root is a department code per row (-1: none, never judged),
    and a product made for the device is never sent away. None: no such product, or the type is nowhere near
    the device (all of it is kept in its order)."""
    roots = root[compat]
    roots = roots[roots >= 0]
    if not len(roots):
        return None
    counts = np.bincount(roots)
    inside = np.isin(root, np.flatnonzero(counts >= share * len(roots)))
    if not (typed & inside).any():
        return None
    out = typed & ~inside & ~compat & (root >= 0)
    return out if out.any() else None


@dataclass
class Tiers:
    """What the query asked for beyond its filters, as (name, row mask, weight): added above fused scores
    (which stay below ~0.05), so a product of the asked type always outranks one that is not."""

    parts: list[tuple[str, np.ndarray, float]] = field(default_factory=list)

    def add(self, name: str, mask: np.ndarray, weight: float) -> None:
        self.parts.append((name, mask, weight))

    def restrict(self, name: str, within: np.ndarray) -> None:
        """The named tier counts only within these rows."""
        self.parts = [(n, m & within if n == name else m, w) for n, m, w in self.parts]

    def mask(self, name: str) -> np.ndarray | None:
        return next((m for n, m, _ in self.parts if n == name), None)

    def boost(self, rows: np.ndarray) -> np.ndarray:
        out = np.zeros(len(rows), np.float64)
        for _, m, w in self.parts:
            out += w * m[rows]
        return out


def filled(
    rows: np.ndarray,
    tiers: Tiers,
    others: np.ndarray,
    k: int,
    top: float,
    groups: np.ndarray | None = None,
    rescaled: bool = False,
) -> bool:
    """Whether k of the candidates (of distinct groups of variants, when groups are given) rank above anything
    among `others` could: their tier steps alone (a fused score is at least 0) exceed every positive step the
    others can take plus the most a fused score adds (`top`). The page is then the same without the others, so
    they need not be retrieved (the type's products fill it: "kurti" need not search the rest of the shop).
    rescaled: a reranker maps the fused scores of all candidates onto [0, top] (fused_scale), so the others would
    change that scale; then the candidates' tier levels must also lie more than `top` apart, so that no scale can
    reorder them."""
    if not len(rows):
        return False
    boost = tiers.boost(rows)
    ceiling = top + sum(w for _, m, w in tiers.parts if w > 0 and (m & others).any())
    sure = rows[boost > ceiling]
    if (len(np.unique(groups[sure])) if groups is not None else len(sure)) < k:
        return False
    levels = np.unique(boost)
    return not rescaled or len(levels) < 2 or bool(np.diff(levels).min() > top)


def order_rows(
    rows: np.ndarray, scores: np.ndarray, sort: str, price: np.ndarray, rating: np.ndarray, tiers: Tiers
) -> np.ndarray:
    """Positions (into rows) of the rows in the asked order: rows[pos] is the page's order, and whatever else
    is kept per candidate (its reasons) is looked up by position. price/rating sorts keep what the query asked
    for first (tiers), then sort within; products without a price or rating go last. A row a reranker scored
    -inf is dropped."""
    keep = np.flatnonzero(np.isfinite(scores))
    rows, scores = rows[keep], scores[keep]
    if sort == "relevance" or not len(rows):
        order = np.lexsort((rows, -scores))
    else:
        level = tiers.boost(rows)
        if sort == "rating":
            key = np.nan_to_num(-rating[rows], nan=np.inf)
        else:
            p = price[rows]
            key = np.nan_to_num(p if sort == "price_asc" else -p, nan=np.inf)
        order = np.lexsort((rows, -scores, key, -level))
    return keep[order]


@dataclass
class PageIndex:
    """What product pages state beyond the lexical fields, as postings: every word of the page (description and
    specifications too, "non X" as one word), words the lexical text states only negated, type heads only a
    shelf listing several kinds gives, and the title's adjacent stems."""

    page: Postings
    negated: Postings
    listed: Postings
    phrase: Postings
    device: Postings = field(default_factory=lambda: Postings({}, 0))  # devices a title says it is made for
    n_devices: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # how many, per row
    name: Postings = field(default_factory=lambda: Postings({}, 0))  # what each title names it (name_end)

    @classmethod
    def build(
        cls,
        products: Sequence[Product],
        types: Container[tuple[str, ...]],
        devices: Callable[[Product], set[str]] | None = None,
    ) -> PageIndex:
        n = len(products)
        named = [devices(p) if devices is not None else set() for p in products]
        return cls(
            Postings.build([page_terms(p) for p in products], n),
            Postings.build([negated_terms(lexical_text(p)) for p in products], n),
            Postings.build([list_heads(p, types) for p in products], n),
            Postings.build([title_phrases(p.title) for p in products], n),
            Postings.build(named, n),
            np.array([len(d) for d in named], dtype=np.int64),
            Postings.build([set(terms(name_end(p.title))) for p in products], n),
        )

    def devices(self, u: Understanding, title: Postings, tiers: Tiers) -> np.ndarray | None:
        """Add the device tiers of a query naming what the product is for ("charger for iphone"): made for it
        first (its title names the device, a model written either way), made for another device (its title
        names a device the query does not) after the products made for it; None: no device named."""
        if not u.compat_terms:
            return None
        compat = all_forms(title, u.compat_terms, u.joined, u.split)
        tiers.add("compatible", compat, 0.5)
        if len(self.n_devices) and compat.any():  # (none made for it: one made for another is as close as any)
            asked = {t for t in (*u.compat_terms, *terms(u.search_text)) if t in self.device.rows}
            said = np.zeros(len(self.n_devices), np.int64)
            for t in asked:
                said[self.device.rows[t]] += 1
            other = (self.n_devices > said) & ~compat
            if other.any():
                tiers.add("other_device", other, -0.75)
        return compat

    def tiers(
        self, u: Understanding, tiers: Tiers, typed: np.ndarray | None, lexical: Postings, title: Postings
    ) -> np.ndarray | None:
        """Add the page tiers of one query; returns the rows stating what was asked (None: nothing to state)."""
        if typed is not None:
            # named only by a shelf listing several kinds, and not by its title: maybe another kind ("T-Shirts"
            # under "Shirts, Tops & Tunics" for "top"), after those whose own type or title names it
            listed = typed & self.listed.any_of(u.type_terms[-1:]) & ~title.all_of(u.type_terms)
            if listed.any():
                tiers.add("listed", listed, -0.4)
        # a page stating every other word asked ("full sleeve" of a shirt, "non padded") ranks first
        stated = stated_mask(lexical, self.page, u.stated_terms, u.joined, u.lacking_terms, u.split)
        if stated is not None:
            tiers.add("stated", stated, 0.1)
            # no type read: a page whose title names it the thing asked comes before those only mentioning it
            # ("earphones": the earphones, then "Earphone Cable Organizers"; "doll": a doll, then doll showpieces)
            if typed is None and u.thing and (thing := stated & self.name.any_of((u.thing,))).any():
                tiers.add("mentions", stated & ~thing, -0.05)
        if u.phrases:  # the title says the query's words in its order ("Jewellery Box", not "... Vanity Box")
            tiers.add("phrase", self.phrase.all_of(u.phrases), 0.05)
        return stated


def describe(u: Understanding | None, f: Filters) -> str:
    """What was asked, in words: "Dresses, under 10, for women"."""
    bits = [u.product_type] if u is not None and u.product_type else []
    if f.price_min is not None:
        bits.append(f"over {f.price_min:g}")
    if f.price_max is not None:
        bits.append(f"under {f.price_max:g}")
    if f.gender:
        bits.append(f"for {f.gender.replace('_', ' ')}")
    bits += [f"brand {f.brand}"] if f.brand else []
    bits += [f"colour {f.colour}"] if f.colour else []
    bits += [f"in {f.category}"] if f.category else []
    bits += ["in stock"] if f.in_stock else []
    return ", ".join(bits) or "your search"
