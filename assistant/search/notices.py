"""What a search says when the catalog lacks what the query names: the `notice`, each claim checked over the whole
catalog, so that it says what was relaxed (the price, the type, the device) and never that the shop has none of
something it has."""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.search.lists import type_key
from assistant.search.product_types import title_kind
from assistant.search.query import Filters
from assistant.search.ranking import Postings, Tiers, all_forms, describe
from assistant.search.understand import QUERY_WORDS, Understanding
from index.catalog import Product
from index.text import plural, singular, stem, terms, tokenize


@dataclass(frozen=True)
class Shop:
    """What a notice checks its claims against: the rows any hard filters admit (None: all), prices by row (NaN:
    none), the products by row."""

    mask: Callable[[Filters], np.ndarray | None]
    price: np.ndarray
    products: Sequence[Product]

    def within(self, f: Filters) -> np.ndarray:
        m = self.mask(f)
        return m if m is not None else np.ones(len(self.products), dtype=bool)


def notice_for(
    u: Understanding,
    f: Filters,
    tiers: Tiers,
    hit_rows: Sequence[int],
    relaxed: list[str],
    shop: Shop,
    after: np.ndarray | None = None,
) -> str | None:
    """What could not be satisfied and what was relaxed, in a sentence; None when the page fits the query.
    after: the products of the type known to be of another material than the one asked (shown after its fits)."""
    few = _few(u, tiers, hit_rows, after)
    text = _notice(u, f, tiers, hit_rows, relaxed, shop)
    return few if text is None else text if few is None else f"{text} {few}"


def only_of_kind(
    u: Understanding,
    f: Filters,
    tiers: Tiers,
    page: tuple[Sequence[int], Sequence[int], Sequence[float]],
    allowed: np.ndarray,
    shop: Shop,
    relaxed: Sequence[str] = (),
) -> str | None:
    """When the page shows every product of the type asked for that the filters and the query's colour, material
    and recipient admit, then other kinds of thing: "Only 2 Mouse products in this shop; showing other products
    after them.", "Only 1 Wallet in black ...". None otherwise: the page is all of the type, the type has more
    such products than the page shows, or what follows may be the kind to a shopper (shelved beside it, or as
    close to the query in meaning). page: the rows shown, the products each stands for (its variants) and each
    one's cosine to the query (0: not scored by the dense side)."""
    hit_rows, counts, closeness = page
    typed = tiers.mask("type")
    if typed is None or not u.product_type or not len(hit_rows) == len(counts) == len(closeness):
        return None
    of_type = [bool(typed[r]) or _named(shop.products[r].title, u.type_terms) for r in hit_rows]
    if all(of_type) or not any(of_type):
        return None
    n = sum(c for c, on in zip(counts, of_type, strict=True) if on)
    if n < int((typed & allowed).sum()):  # some of the type are not on this page
        return None
    # the others must be another kind of thing: on a shelf the type's products are not on (below the department),
    # since products shelved beside them may well be what the shopper calls the kind ("Laptop Backpacks" beside
    # "Laptop Bags", eau de parfum under Deodorants beside Perfumes)
    shelves = {node for r, on in zip(hit_rows, of_type, strict=True) if on for node in shop.products[r].category[1:]}
    others = [shop.products[r].category for r, on in zip(hit_rows, of_type, strict=True) if not on]
    if any(not c or shelves.intersection(c[1:]) for c in others):
        return None  # (a product on no shelf may be the kind too: "Remax Vanguard 10000 mAh" is a power bank)
    # ... and further from the query in meaning than every product of the type shown ("Earphones" shelved apart
    # from "Headphones" are no other kind to the shopper)
    near = min(c for c, on in zip(closeness, of_type, strict=True) if on)
    if max(c for c, on in zip(closeness, of_type, strict=True) if not on) >= near:
        return None
    depts = {c[0] for r, on in zip(hit_rows, of_type, strict=True) if on and (c := shop.products[r].category)}
    other_depts = {c[0] if c else "" for c in others}
    shown = f"other {next(iter(other_depts))}" if len(other_depts) == 1 and other_depts <= depts else "other products"
    kind = u.product_type
    last = kind.rpartition(" ")[2].lower()
    named = _some(n, kind) if n == 1 or last.endswith("s") else f"{n} {kind} products"  # "2 Mouse products"
    them = "it" if n == 1 else "them"
    # what else narrowed the count (a known other colour, material or recipient is never shown), when it did
    narrowed = n < int((typed & shop.within(f)).sum())
    held = [u.colour if u.colour and "colour" not in relaxed else None]
    held += [_typed_word(u, u.material) if u.material and "material" not in relaxed else None]
    said = " ".join(w for w in held if w)
    said = f" in {said}" if said else ""
    said += f" for {u.gender.replace('_', ' ')}" if u.gender and "gender" not in relaxed and not f.gender else ""
    said = said if narrowed else ""
    return f"Only {named}{said}{_filters_said(f)} in this shop; showing {shown} after {them}."


def _few(u: Understanding, tiers: Tiers, hit_rows: Sequence[int], after: np.ndarray | None) -> str | None:
    """When the page shows products of the type known to be of another material, after the few that match or
    do not say: "Only 1 Saree in net; showing other Sarees after it." (those naming the material only as a blend,
    "Polycotton", counted apart). None when it shows none."""
    match, of_type = tiers.mask("material"), tiers.mask("fits")  # see SearchEngine._preferences
    if after is None or match is None or of_type is None or not any(after[r] for r in hit_rows):
        return None  # (a material relaxed whole leaves no `after`: that notice is _notice's)
    fits = [r for r in hit_rows if of_type[r]]
    matched = [r for r in fits if match[r]]
    blend = tiers.mask("blend")  # those naming the material only as a blend (SearchEngine._preferences)
    blends = sum(bool(blend[r]) for r in matched) if blend is not None else 0
    n, m = len(matched) - blends, len(fits) - len(matched)
    word = _typed_word(u, u.material)
    said = [f"{_some(n, kind := u.product_type or '')} in {word}"]
    if blends:  # "Polycotton": part cotton, counted apart from the pure ones
        said.append(f"{blends} in a {word} blend")
    if m:
        said.append("1 that does not say its material" if m == 1 else f"{m} that do not say their material")
    listed = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
    them = "it" if len(fits) == 1 else "them"
    return f"Only {listed}; showing other {kind} after {them}."


def _many(kind: str | None) -> str | None:
    """A kind named in the plural: a shelf's name as the shop writes it ("Kurtis"), a query's word made plural
    ("pouch" -> "pouches")."""
    return kind if not kind or kind[-1:].lower() == "s" else plural(kind)


def _some(n: int, kind: str) -> str:
    """n of a shelf named in the plural, the noun agreeing: "1 Saree", "3 Sarees", "1 Casual Shoe"."""
    if n != 1 or not kind:
        return f"{n} {kind}".rstrip()
    head, _, last = kind.rpartition(" ")
    one = singular(last.lower())
    # keep the shelf's own capitals where the singular is a prefix of it ("Watches" -> "Watch")
    one = last[: len(one)] if last.lower().startswith(one) else one
    return f"1 {head} {one}" if head else f"1 {one}"


def _notice(
    u: Understanding, f: Filters, tiers: Tiers, hit_rows: Sequence[int], relaxed: list[str], shop: Shop
) -> str | None:
    said = {
        "gender": f"for {(u.gender or 'them').replace('_', ' ')}",
        "colour": f"in {u.colour}",
        "material": f"in {_typed_word(u, u.material)}",
    }
    typed = tiers.mask("type")
    # a material is relaxed within the type asked for (see SearchEngine._preferences)
    of_type = {"material"} if typed is not None and typed.any() else set()
    # a material relaxed within a type none of whose products says what it is made of is unknown, not lacking:
    # "No Wallets in leather" would claim what the shop never says (its wallets may all be leather)
    unsaid = {"material"} if of_type and not u.materials_said else set()
    parts = [
        f"no {u.product_type} {said[name]}" if name in of_type else f"nothing {said[name]}"
        for name in ("gender", "colour", "material")
        if name in relaxed and name not in unsaid
    ]
    shows_type = typed is not None and any(typed[r] or _named(shop.products[r].title, u.type_terms) for r in hit_rows)
    if typed is not None and not shows_type:
        parts.append(_lacking(f"no {u.product_type}", typed, f, shop, u))
    elif typed is not None and u.brand and (made := tiers.mask("brand")) is not None and not (made & typed).any():
        # the maker asked for makes none of the type here: the page shows other makers' (a preference, relaxed)
        parts.append(f"no {u.brand} {u.product_type} in this shop")
    compat = tiers.mask("compatible")
    # "cover for phone": made for a kind of thing the shop sells, which few titles say ("No Covers made for phone")
    # ... nor when the page is mostly products made for it of other kinds, none of the type being made for it ("car
    # charger for samsung": Samsung phone holders and pouches after the one car charger made for no phone); a page
    # mostly of the type is not claimed of, since titles of the type may name the device otherwise ("Hp Pavilion"
    # adapters for "adapter for hp laptop"), nor is a type a product made for it names ("Keyboard Case for iPad")
    none_of_type = (
        typed is not None
        and compat is not None
        and shows_type
        and 2 * sum(bool(typed[r]) for r in hit_rows) < len(hit_rows)
        and not (compat & typed).any()
        and not _titled(u.type_terms, compat & shop.within(f), shop.products)
    )
    if compat is not None and not u.compat_kind and (none_of_type or not any(compat[r] for r in hit_rows)):
        also = typed if typed is not None and any(typed[r] for r in hit_rows) else None
        parts.append(_lacking(f"nothing made for {u.compatible_with}", compat, f, shop, u, also))
    if not hit_rows:
        return f"Nothing in this shop matches {describe(u, f)}; try removing a filter."
    if not parts:
        return None
    text = "; ".join(parts)
    # one lack said: what the page shows instead, the shelf most of it is on when that shelf holds the type
    # ("Fragrances", "Mobile Pouches"), or the type when the page is of it on a shelf named otherwise (kurtis
    # shelved as "Ethnic Wear": "No Kurtis made for office; showing other Kurtis")
    shelf = None
    if typed is not None and len(parts) == 1 and parts[0].startswith("no "):
        shelf = _shelf(hit_rows, typed, shop)
        mostly = 2 * sum(bool(typed[r]) for r in hit_rows) >= len(hit_rows)  # not one of ten: "the closest products"
        if mostly and not (shelf and type_key(shelf)[-1:] == u.type_terms[-1:]):
            shelf = _many(u.product_type)
    shown = f"other {shelf}{_filters_said(f)}" if shelf else "the closest products"
    return text[0].upper() + text[1:] + f"; showing {shown} instead."


def _typed_word(u: Understanding, t: str | None) -> str:
    """The word the shopper typed for a stem ("georgette", not "georgett")."""
    return next((w for w in tokenize(u.corrected or u.text) if stem(w) == t), t or "")


def _filters_said(f: Filters) -> str:
    said = describe(None, f)
    return "" if said == "your search" else f" {said}"


def _shelf(hit_rows: Sequence[int], typed: np.ndarray, shop: Shop) -> str | None:
    """The deepest shelf most of the page is on that also holds the type asked for: what the page shows
    instead ("Fragrances" for deodorants shown for perfumes); None when the page shares none."""
    counts: dict[str, int] = {}
    depth: dict[str, int] = {}
    for r in hit_rows:
        p = shop.products[r]
        maker = (p.brand or "").lower()
        for i, node in enumerate(dict.fromkeys(p.category[:4])):
            if maker and node.lower().startswith(maker):  # a maker's own shelf ("Shoebook Formal Shoes")
                continue
            counts[node] = counts.get(node, 0) + 1
            depth[node] = max(depth.get(node, 0), i)
    for node in sorted(counts, key=lambda n: -depth[n]):
        if counts[node] * 2 >= len(hit_rows) and (typed & shop.within(Filters(category=node))).any():
            return node
    return None


def _named(title: str, type_terms: tuple[str, ...]) -> bool:
    """The title names the product as of the type, its last plain word before its details ("... Gold Diamond
    18 K Ring", "Flip Cover for Galaxy J7"), whatever shelf the shop gives it; "Mouse Pad" is no mouse."""
    kind = title_kind(title)
    return bool(type_terms) and kind is not None and stem(kind) == type_terms[-1]


def _lacking(
    what: str,
    rows: np.ndarray,
    f: Filters,
    shop: Shop,
    u: Understanding,
    also: np.ndarray | None = None,
) -> str:
    """`what` the page lacks, said as the shop has it: none at all ("no Lamps in this shop"), none within a
    hard filter (the filter named, "no Perfumes under 300 (the cheapest is 387)"), none of the type shown
    ("nothing made for galaxy j7" is false when covers for it exist: "no Pouches made for ..."), or none that
    fits the rest of the query."""
    if not rows.any():
        return f"{what} in this shop"
    fit = rows & shop.within(f)
    if not fit.any():
        return f"{what} {_blame(rows, f, shop)}"
    if also is not None and not (fit & also).any():
        return f"no {u.product_type} made for {u.compatible_with}" if u.product_type else what
    return f"{what} that fits all of {u.text!r}"


def _blame(rows: np.ndarray, f: Filters, shop: Shop) -> str:
    """The hard filters that alone leave none of `rows`, in words; a price with the nearest price there is."""
    given = f.as_dict()
    price = {k: v for k, v in given.items() if k in ("price_min", "price_max")}
    groups = ([price] if price else []) + [{k: v} for k, v in given.items() if k not in price]
    culprits = [g for g in groups if not (rows & shop.within(Filters(**g))).any()]
    said = Filters(**{k: v for g in (culprits or [given]) for k, v in g.items()})
    text = describe(None, said)
    if price and price in culprits:
        other = Filters(**{k: v for k, v in given.items() if k not in price})
        prices = shop.price[rows & shop.within(other) & ~np.isnan(shop.price)]
        if len(prices) and "price_max" in price:
            text += f" (the cheapest is {prices.min():g})"
        elif len(prices):
            text += f" (the dearest is {prices.max():g})"
    return text


def not_found(
    u: Understanding,
    f: Filters,
    allowed: np.ndarray,
    typed: np.ndarray | None,
    known: Container[str],
    lex_post: Postings,
    products: Sequence[Product] = (),
) -> str | None:
    """What the query names that no product (within the hard filters) has, said with what is shown instead:
    words no product mentions ("ps5"); without a detected type, words no product has together ("iphone 12
    pro max"); with a type and a hard filter, the type with the other words ("diamond ring under 500"); a kind
    of the type that none of its products is, in any of its text ("washing machine": the shop's machines are
    sewing machines). `known` is the lexical index's vocabulary (stems), `lex_post` its postings."""
    said = [w for w in tokenize(u.search_text) if w not in QUERY_WORDS]
    either = {t for a, b, j in u.joined for t in (a, b)} | {w for w, *_ in u.split}  # a model written either way
    unknown = [w for w in said if stem(w) not in known and stem(w) not in either]
    if unknown:
        return f"No product mentions {' '.join(unknown)!r}; showing the closest in meaning instead."
    stems = tuple(dict.fromkeys([*(stem(w) for w in said), *u.prefix_terms[:1]]))  # the likeliest completion
    said += u.text.split()[-1:] if u.prefix_terms else []  # as typed
    if not said:
        return None
    if typed is None:
        if len(stems) > 1 and not (all_forms(lex_post, stems, u.joined, u.split) & allowed).any():
            return f"Nothing here has all of {' '.join(said)!r}; showing products that match part of it."
        return None
    other = tuple(t for t in stems if t not in u.type_terms)
    kind = _kind_of_type(u)
    if kind and f.is_empty() and not _said(kind, typed & allowed, u, lex_post, products):
        # (what was checked, not a claim about the thing: a table may be small without saying so)
        return f"No {singular(kind[-1])} mentions {' '.join(kind[:-1])!r}; showing the closest products instead."
    has_other = all_forms(lex_post, other, u.joined, u.split) if other and not f.is_empty() else None
    if has_other is not None and not (has_other & typed & allowed).any():
        words = " ".join(w for w in said if stem(w) in other)
        return f"No {u.product_type} with {words!r} {describe(None, f)}; showing the closest products instead."
    return None


def _kind_of_type(u: Understanding) -> list[str]:
    """The query's words right before the type's name when they say which kind of it ("washing machine", "dslr
    camera", "coffee maker"), with the type's word as typed last; [] when none do. Only of a word several of the
    shop's types end in ("Sewing Machines", "Punching Machines"): the shop's own names show that the word before it
    says which kind, while before one type's name it may only describe it ("diwali decoration", "gold plated
    earrings": no page says "diwali" or "plated", yet the shop's diyas and yellow gold earrings are those). A
    colour or material is not a kind (another notice says when none has it), nor is a word after the type."""
    if not u.type_is_head:
        return []
    ws = tokenize(u.search_text)
    at = next((i for i, w in enumerate(ws) if stem(w) == u.type_terms[0]), None) if u.type_terms else None
    if not at:
        return []
    said = set(u.stated_terms) - {u.material, u.colour and stem(u.colour)}
    words: list[str] = []
    for w in reversed(ws[:at]):  # the run of such words right before the type's name
        if stem(w) not in said:
            break
        words.insert(0, w)
    return [*words, ws[at + len(u.type_terms) - 1]] if words else []


def _said(kind: list[str], rows: np.ndarray, u: Understanding, lex_post: Postings, products: Sequence[Product]) -> bool:
    """Some product of `rows` says every word of the kind: in the text search reads, or else anywhere in its
    description and details (a laptop's page may say "gaming" only there). The page text is read only when
    search's text lacks them (rare: the query names what the type's products do not say)."""
    stems = [stem(w) for w in kind[:-1]]
    if (all_forms(lex_post, stems, u.joined, u.split) & rows).any() or not len(products):  # ("T-Light": tea light)
        return True
    cue = [w[: _shared(w, t)] for w, t in zip(kind[:-1], stems, strict=True)]  # a cheap test before tokenizing
    for r in np.flatnonzero(rows):
        p = products[int(r)]
        text = " ".join((p.title, p.description, " ".join(p.category), *p.attributes.values())).lower()
        if all(c in text for c in cue) and set(stems) <= {stem(w) for w in tokenize(text)}:
            return True
    return False


def _shared(a: str, b: str) -> int:
    """How many first letters two words share ("study", "studi": 4)."""
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _titled(type_terms: tuple[str, ...], rows: np.ndarray, products: Sequence[Product]) -> bool:
    """Some product of `rows` has the type's words in its title, as a kind it is or goes with."""
    want = set(type_terms)
    return any(want <= set(terms(products[int(r)].title)) for r in np.flatnonzero(rows))
