"""Finding what to show for the dialogue's constraints: one search through the shared engine path, every hit
checked against every hard constraint, and what to do when nothing passes (drop soft words and say so; for a
hard constraint, an offer to put to the shopper instead of products that break it)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from assistant.chat.state import Constraints, ShownItem, category_matches
from assistant.chat.vocab import singular
from assistant.search.engine import Hit, Reranker, SearchEngine
from assistant.search.lists import type_key
from assistant.search.query import Filters
from assistant.search.ranking import stated_mask
from index.catalog import Product
from index.text import UNITS, normalise, stem, terms


class SearchFn(Protocol):
    """What the chat searches with (EngineSearch): ranked hits for query text, filters and k (the shared
    SearchEngine.search path, personalization included), kept to the rows of `within` when given; which rows are
    of the kind a word names; and a product's row."""

    def __call__(self, query: str, filters: Filters, k: int, within: np.ndarray | None = None) -> list[Hit]: ...

    def of_kind(self, word: str) -> np.ndarray | None: ...

    def stating(self, words: list[str]) -> np.ndarray | None: ...

    def named_after(self, word: str, said: list[str]) -> frozenset[int]: ...

    def coloured(self, colour: str) -> np.ndarray: ...

    def variants(self, product_id: str) -> list[Product]: ...

    def row(self, product_id: str) -> int | None: ...


@dataclass(frozen=True)
class EngineSearch:
    """The chat's search over one engine. The chat has read the message itself, so the engine does not parse the
    query text again (parse=False); whether a product is of the kind asked is read as REST search reads a query's
    type (SearchEngine.of_kind), with the products whose title names them the kind: the one understanding of "a
    saree" for both. rerank: the shopper's reranker for a query and filters (None: no personalization)."""

    engine: SearchEngine
    rerank: Callable[[str, Filters], Reranker | None] | None = None

    def __call__(self, query: str, filters: Filters, k: int, within: np.ndarray | None = None) -> list[Hit]:
        rerank = self.rerank(query, filters) if self.rerank is not None else None
        # variants grouped as REST search groups them by default: one card per title, not five of one clock
        res = self.engine.search(query, k=k, filters=filters, parse=False, rerank=rerank, within=within, distinct=True)
        return res.hits

    def of_kind(self, word: str) -> np.ndarray | None:
        kind = self.engine.of_kind(word, titles=True)
        if kind is None or " " in word:
            return kind
        # one word: of those, the ones whose category path or type names the word, or whose title does ("... Sari"
        # typed "Ethnic Wear"): search reads a kind by its stem, and a stem is not the word ("bedding" is no bed,
        # "boxing" no box)
        return kind & (self.engine.mask(Filters(category=word)) | self.engine.kinds.named(word))

    def stating(self, words: list[str]) -> np.ndarray | None:
        """Rows whose title, lexical fields or page state every word ("Sleeve: Sleeveless"), as search's "stated"
        tier reads them; None when no word is left to state."""
        stems = [stem(w) for w in words if len(w) > 2]
        return stated_mask(self.engine.lex_post, self.engine.pages.page, stems) if stems else None

    def named_after(self, word: str, said: list[str]) -> frozenset[int]:
        """Rows of the kind the word names whose title names them by another thing after it, none of the words
        said ("Hair Dryer Bonnet" for "hair dryer"): search ranks them after the kind's own (QueryVocab.named_after)."""
        key = type_key(word)
        if not key:
            return frozenset()
        return frozenset(self.engine.qvocab.named_after(key[-1], {*terms(" ".join(said)), *key}).tolist())

    def coloured(self, colour: str) -> np.ndarray:
        return self.engine.coloured(colour)

    def variants(self, product_id: str) -> list[Product]:
        """The products search groups with this one as its variants (the same title)."""
        row = self.row(product_id)
        if row is None:
            return []
        members = self.engine.variants.members(int(self.engine.variants.group[row]))
        return [self.engine.products[r] for r in members.tolist()]

    def row(self, product_id: str) -> int | None:
        return self.engine.index.id_to_row.get(product_id)


def is_kind(p: Product, word: str, search: SearchFn) -> bool:
    """p is of the kind the word names, as every step of the chat reads a kind (run_search, a look's items, the
    anchor of "what shoes go with it?"): search's reading (SearchFn.of_kind); where the shop has no type the word
    names, the word in p's category path or type (category_matches)."""
    kind = search.of_kind(word)
    if kind is None:
        return category_matches(p, word)
    row = search.row(p.id)
    return row is not None and bool(kind[row])


# Least important first: what is offered to drop first when nothing matches.
RELAX_ORDER = ("brand", "colour", "price", "device", "gender")
PAGE = 6


def why_shown(p: Product, c: Constraints, hit_why: list[str]) -> list[str]:
    why = []
    if c.category:
        why.append(f"is a {c.category}")
    if c.colour:
        why.append(f"{c.colour}")
    if c.gender and p.gender:
        why.append(f"for {p.gender}")
    if c.price_max is not None and p.price is not None:
        why.append(f"₹{p.price:,.0f}, within your ₹{c.price_max:,.0f} limit")
    elif c.price_min is not None and p.price is not None:
        why.append(f"₹{p.price:,.0f}, above ₹{c.price_min:,.0f}")
    if c.brand:
        why.append(f"by {c.brand}")
    return why + [w for w in hit_why if w not in why]


def names_any(items: list[ShownItem], terms: list[str]) -> bool:
    """Some shown product names one of the words (singular or plural) in its title or category; a long word
    also as two ("handbag" is what the catalog calls "Hand Bags")."""
    stems = {singular(t) for t in terms if len(t) > 2}
    for i in items:
        text = normalise(i.product.title + " " + " ".join(i.product.category[:4]))
        joined = re.sub(r"[\s\-]+", "", text)
        if any(re.search(rf"\b{re.escape(s)}(?:e?s)?\b", text) or (len(s) >= 6 and s in joined) for s in stems):
            return True
    return False


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)\b")


_COUNT = re.compile(r"\b(?:pack|set|combo|kit) of (\d+)\b|\b(\d+)\s*(?:pack|pcs|pc|pieces|piece)\b")


def quantities(terms: list[str]) -> list[tuple[float, str]]:
    """(amount, unit) of each quantity the words say ("5", "litre": 5 l), units read as search reads them (UNITS);
    a count is the unit "pack" ("5", "pack", as assistant.search.asking.counted writes "pack of 5")."""
    units = {**UNITS, "pack": "pack"}
    return [(float(a), units[b]) for a, b in itertools.pairwise(terms) if _NUMBER.fullmatch(a) and b in units]


def quantity_said(p: Product, q: tuple[float, str]) -> bool | None:
    """True: the title or details say the quantity, however spelt ("5 L", "5ltr", "5 Litre"; a count as "Pack of
    5", "Set of 5", "5 pcs"); False: they say the unit with other amounts only (a "10 L" cooker is no 5 litre one);
    None: they say nothing in that unit."""
    text = normalise(" ".join([p.title, *p.category, *p.attributes.values()]))
    if q[1] == "pack":
        amounts = {float(a or b) for a, b in _COUNT.findall(text)}
        return q[0] in amounts if amounts else None
    base, scale = _IN_BASE.get(q[1], (q[1], 1.0))
    said = [(float(n), UNITS[u]) for n, u in _AMOUNT.findall(text) if u in UNITS]
    amounts = {round(n * _IN_BASE.get(u, (u, 1.0))[1], 6) for n, u in said if _IN_BASE.get(u, (u, 1.0))[0] == base}
    return round(q[0] * scale, 6) in amounts if amounts else None


# a unit and what it is in the larger one of its kind: "1 litre" is said by "1000 ml", and a 350 ml bottle is no 1 L one
_IN_BASE = {"ml": ("l", 0.001), "g": ("kg", 0.001), "mg": ("kg", 1e-6), "cm": ("m", 0.01), "mm": ("m", 0.001)}


def states_any(items: list[ShownItem], terms: list[str]) -> bool:
    """Some shown product's page states one of the words (singular or plural): its title, category, detail
    values or description ("wireless" in "Connectivity: Wireless" counts), or the quantity they say ("5 litre":
    "5 L")."""
    if names_any(items, terms) or any(quantity_said(i.product, q) for q in quantities(terms) for i in items):
        return True
    stems = {singular(t) for t in terms if len(t) > 2}
    for i in items:
        p = i.product
        text = normalise(" ".join([*p.attributes.values(), p.description[:2000]]))
        if any(re.search(rf"\b{re.escape(s)}(?:e?s)?\b", text) for s in stems):
            return True
    return False


PERSONS = ("men", "women", "boys", "girls", "baby")


def page_gender(items: list[ShownItem]) -> str | None:
    """The wearer most of the best matches are for (the first such on a tie), when they are for different
    wearers (men's and women's shoes on one page); a grown-up's when any is among them: a shopper who names no one
    asks for themselves ("i want a watch" was narrowed to girls' watches, three Barbie ones first)."""
    genders = [g for i in items if (g := i.product.gender) in PERSONS]
    if len(set(genders)) < 2:
        return None
    adults = [g for g in genders if g in ("men", "women")] or genders
    return max(dict.fromkeys(adults), key=adults.count)


def run_search(
    c: Constraints, search: SearchFn, k: int = PAGE, materials: Container[str] = frozenset()
) -> list[ShownItem]:
    """Search, then keep only products that satisfy every constraint. A product is of the kind asked when search
    reads it so (SearchFn.of_kind: "Saree Falls" are not sarees, a belt on a "Bags, Wallets & Belts" shelf with a
    deeper "Belts" shelf is not a wallet, a "Lehenga, Choli and Dupatta Set" is a lehenga), and the search keeps
    to those rows, not to the engine's category filter (a substring of the category path: a "... Sari" typed by
    its title on an "Ethnic Wear" shelf is a saree whose path never says so); where the shop has no type the word
    names, by the category path (the engine's filter and Constraints.admits' own check, category_matches). A
    material asked for orders as search orders it: the products known to be of it first, those that do not say
    next; one known to be of another is not shown (materials: the shop's material stems, see
    Constraints.material_fit)."""
    kind = search.of_kind(c.category) if c.category else None
    f = c.filters()
    if kind is not None:
        f.category = None  # the kind's rows instead of the path's words
    # a two-word kind the shop has no type for is not filtered by the engine (see Constraints.filters), and the
    # engine does not rank by a material the chat passes in its words: read further down the ranking
    wide = (kind is None and c.category is not None and " " in c.category) or c.material is not None
    within = kind
    if c.colour:  # the colour as search reads it: the catalog's, or the one the title names ("Yellow Gold Earring")
        coloured = search.coloured(c.colour)
        within = coloured if within is None else within & coloured
    for unwanted in c.unwanted_kinds():  # "not a dress": the kind's rows, as search reads it, kept out
        rows = search.of_kind(unwanted)
        if rows is not None:
            within = ~rows if within is None else within & ~rows
    hits = search(c.query_text(), f, max(40, k * 6) * (3 if wide else 1), within=within)
    said = search.stating(c.terms) if c.terms else None
    if said is not None and (said if within is None else said & within).any():
        # pages stating the shopper's words join the candidates wherever the ranking put them, as in search
        seen = {h.row for h in hits}
        more = search(c.query_text(), f, k * 6, within=said if within is None else said & within)
        hits += [h for h in more if h.row not in seen]
    if c.category and (after := search.named_after(c.category, c.terms)):  # as search ranks: the kind's own first
        hits.sort(key=lambda h: h.row in after)  # (stable: the engine's order within each)
    asked = quantities(c.terms)  # "5 litre": a product saying only other amounts of litres is no such thing
    items = [
        ShownItem(h.product, why_shown(h.product, c, h.why))
        for h in hits
        if c.admits(h.product, materials, None if kind is None else bool(kind[h.row]))
        and all(quantity_said(h.product, q) is not False for q in asked)
    ]
    if c.terms:  # as search ranks pages stating the words first ("sleeveless" in a Sleeve line): stable
        items.sort(key=lambda i: not states_any([i], c.terms))
    if c.material:  # stable: the engine's order within each
        items.sort(key=lambda i: c.material_fit(i.product, materials) is not True)
    return items[:k]


def _of_material(c: Constraints, items: list[ShownItem], materials: Container[str]) -> list[ShownItem]:
    """The items, or none when a material is asked and none of them is known to be of it: as in search, a
    material no product of the kind has is relaxed whole (dropped and said), not met by unknowns alone."""
    if c.material and not any(c.material_fit(i.product, materials) for i in items):
        return []
    return items


def search_or_offer(
    c: Constraints, search: SearchFn, k: int = PAGE, materials: Container[str] = frozenset()
) -> tuple[list[ShownItem], Constraints, list[str], list[ShownItem]]:
    """Products meeting every constraint of c, never one that breaks a constraint the shopper holds.

    Returns (items, the constraints they meet, what was dropped or is offered, offered items). When nothing
    meets c, the soft words (no product can break them) are dropped and said; when still nothing, the hard
    constraints are tried away least important first, and what that would show comes back as an offer to
    put to the shopper, not as items: the shopper decides whether a constraint goes. A material none of the
    found is known to be of is dropped alone first ("silk party sarees": party sarees of other materials before
    any saree), and said."""
    items = _of_material(c, run_search(c, search, k, materials), materials)
    if len(items) >= k or (items and not c.gender) or (items and c.gender_open):
        return items, c, [], []
    if c.gender and not c.gender_open:
        # "a mug for my dad": mugs tagged for no one do not contradict it (the reply says they are untagged); as
        # in search, those tagged for the shopper's person first, the untagged after them ("handbags for my mom":
        # the one tagged for women, then the shop's other hand bags, not that one alone)
        opened = c.copy()
        opened.gender_open = True
        seen = {i.product.id for i in items}
        more = _of_material(opened, run_search(opened, search, k, materials), materials)
        items = items + [i for i in more if i.product.id not in seen][: k - len(items)]
        if items:
            return items, opened, [], []
        c = opened
    cur = c
    if c.material and (c.terms or c.occasion):
        items = run_search(c.without("material"), search, k, materials)
        if items:
            return items, c.without("material"), ["material"], []
    if c.terms or c.occasion or c.material:
        cur = c.without("details")
        items = run_search(cur, search, k, materials)
        if items:
            return items, cur, ["details"], []
    dropped: list[str] = []
    for slot in RELAX_ORDER:
        if slot not in cur.active():
            continue
        cur = cur.without(slot)
        dropped.append(slot)
        alt = run_search(cur, search, k, materials)
        if alt:
            return [], c, dropped, alt
    return [], c, [], []
