"""What kind of product each product is, read from the shop's own naming: its type and shelves
(shop_type_names), what its title names it when the shop gives neither (title_kind), and the head words of those
names (type_heads: "Mouse Pads" are pads, a "Lehenga, Choli and Dupatta Set" a lehenga). Learned over a catalog
by assistant.search.vocab.QueryVocab; pure functions of one product and what was learned."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping

from assistant.search.aliases import NAME_TAIL, name_end
from assistant.search.asking import COLLECTIVES, NOT_TYPE_WORDS
from assistant.search.lists import list_keys, type_key
from assistant.search.query import QUERY_COLOURS
from index.catalog import Product
from index.text import normalise, plural, terms

# English words for things made for a kind, not of it: "Watch Accessories", "Car Parts" (stems)
_FOR_A_KIND = frozenset({"accessori", "part"})


def type_names(
    p: Product, aliases: Mapping[str, str] | None = None, above: Mapping[str, Container[str]] | None = None
) -> list[str]:
    """The shop's type names of a product (shop_type_names); where the shop gives none, what its title names it
    (title_kind) and the shop's type that word stands for (QueryVocab.aliases: "Art Silk Sari" is a Sarees).
    A product the shop types only by a shelf above that type (above: type name -> the shelves its products are
    on) whose title ends in the type's other word is of the type too: "... Synthetic Georgette Sari" typed
    "Ethnic Wear" is a saree the shop did not put on its "Sarees" shelf."""
    out = shop_type_names(p)
    if out:
        own = p.product_type or out[-1]
        alias = aliases.get(key[-1]) if aliases and above and (key := type_key(name_end(p.title))) else None
        return [*out, alias] if alias and above and alias not in out and own in above.get(alias, ()) else out
    if not (kind := title_kind(p.title)):
        return out
    alias = aliases.get(key[-1]) if aliases and (key := type_key(kind)) else None
    return [kind, alias] if alias else [kind]


def shop_type_names(p: Product) -> list[str]:
    """The product type and the category nodes that are shelves (not the brand's shelf, not its own name)."""
    title, brand = normalise(p.title), normalise(p.brand or "")
    out = [p.product_type] if p.product_type else []
    for node in p.category[:4]:
        low = normalise(node)
        if low and not low.startswith(title[:25]) and not (brand and low.startswith(brand + " ")) and node not in out:
            out.append(node)
    return out


# Where a title's name of the thing ends: details in brackets, after a comma or dash, "with ...", "for ...".
_TITLE_TAIL = re.compile(r"\s*(?:\(|\[|,| - | \| | with | for ).*$", re.IGNORECASE)
_PLAIN_WORD = re.compile(r"[a-z][a-z\-]*[a-z]")


def title_kind(title: str) -> str | None:
    """The kind of thing a title names as its last word before its details ("Vishudh Printed Women's Straight
    Kurta" -> "kurta", "Trek Sports Shoes For Men" -> "shoes"); None when that word is not a plain word (a
    model number, a code), a colour or a query word, or the title is one word. A shop's catalog leaves the
    type and shelves of some products empty (1.6% of the bundled 20k): without this they were never of any
    type, so a search naming their type ranked them after every product of it."""
    ws = normalise(_TITLE_TAIL.sub("", title)).split()
    if len(ws) < 2 or not _PLAIN_WORD.fullmatch(ws[-1]):
        return None
    last = ws[-1]
    return None if last in NOT_TYPE_WORDS or last in QUERY_COLOURS else last


def named_after_kind(p: Product, heads: set[str], names: Iterable[str]) -> tuple[set[str], str] | None:
    """(kinds, thing): kinds of the product that its title names as what the product is for, and the stem of the noun
    it names the product by. That noun is written right after the kind's word and is another thing ("Ovente Hair
    Dryer Bonnet" on "Hair Dryers" is a bonnet for a hair dryer), or is the other kind of a shelf listing both
    ("Speedwav Clamp Lock For Helmet" and "Autoplus Helmet Lock" on "Helmets & Locks" are locks, not helmets). None
    when the title ends in a word that is no other thing: a colour, a pack or set, a word asking, a kind the product
    also is apart from a shelf listing both (a "Lehenga Choli" is a lehenga and a choli, a "Sports Bra" a bra)."""
    tail = NAME_TAIL if shop_type_names(p) else _TITLE_TAIL
    ws = normalise(tail.sub("", p.title)).split()
    if len(ws) < 2 or not _PLAIN_WORD.fullmatch(ws[-1]) or ws[-1] in COLLECTIVES:
        return None
    if ws[-1] in QUERY_COLOURS or ws[-1] in NOT_TYPE_WORDS or len(thing := terms(ws[-1])) != 1:
        return None
    title = set(terms(p.title))
    # (a head may be a plural the stemmer keeps apart: "Sports Bras" heads "bras")
    forms = {thing[0], *terms(plural(ws[-1]))}
    kinds = {h for ks in map(list_keys, names) if len(ks) > 1 and forms & (ls := {k[-1] for k in ks}) for h in ls}
    # (not named by the title: the "listed" tier's; a title listing things, "Grater and Slicer", names each)
    kinds = {h for h in kinds - forms if h in title} if not {"and", "&"} & set(ws) else set()
    before = terms(ws[-2]) if len(ws) > 2 and _PLAIN_WORD.fullmatch(ws[-2]) else []
    if len(before) == 1 and before[0] in heads and before[0] not in forms and not forms & heads:
        kinds.add(before[0])
    return (kinds, thing[0]) if kinds else None


def list_heads(p: Product, types: Container[tuple[str, ...]]) -> set[str]:
    """Head stems the product has only from a shelf that lists several kinds, two or more of them types of
    this catalog ("Shirts, Tops & Tunics", not "Winter & Seasonal Wear"): it may be any of them, so a type
    named only there is a weaker match than its own type or a one-kind shelf; a head every kind listed shares is
    not ("Car & Bike Accessories": an accessory either way)."""
    own: set[str] = set()
    for name in type_names(p):
        parts = list_keys(name)
        heads = {k[-1] for k in parts}
        if sum(k in types for k in parts) < 2 or len(heads) == 1:
            own.update(heads)
    return type_heads(p) - own


def type_heads(
    p: Product,
    aliases: Mapping[str, str] | None = None,
    above: Mapping[str, Container[str]] | None = None,
    sets: Mapping[tuple[str, ...], Iterable[str]] | None = None,
    below: Mapping[str, Container[tuple[str, ...]]] | None = None,
) -> set[str]:
    """Stems that head one of the product's type names ("Mouse Pads" -> pad; "Bags, Wallets & Belts" -> each);
    a name that names a set heads it by each of its parts (sets, assistant.search.sets: "Lehenga Cholis" ->
    choli and lehenga).
    A shelf listing several kinds gives none when a deeper shelf is one of those kinds and so says which of them
    the product is: on "Bags, Wallets & Belts > Wallets & Clutches > Clutches" a clutch is a clutch, not a
    wallet, a bag or a belt. A deeper shelf that is none of them says the product is another kind: then the
    shelf gives none of the kinds the shop has a shelf of right under it (below: shelf name -> the kinds of
    the shelves under it), as it shelves those apart, unless the title names it. Suspenders on "Bags, Wallets &
    Belts > Suspenders" are not belts (the shop has a "Belts" shelf beside them); a card holder on "Wallets &
    Clutches > Travel Document Holders & Card Holders" is not a wallet ("Wallets" is beside it); an action
    figure on "Toys & School Supplies > Action Figures" stays a toy (no "Toys" shelf is beside it), and so does a
    wall clock on "Home Decor & Festive Needs > Wall Decor & Clocks" stay home decor."""
    names = type_names(p, aliases, above)
    # the product's shelves, broad to narrow (its type counts where it is also one of them)
    nodes = [node for node in dict.fromkeys(p.category[:4]) if node in names]
    shelves = [list_keys(node) for node in nodes]
    title: set[str] | None = None
    out: set[str] = set()
    for name in names:
        ks = list_keys(name)
        if len(ks) > 1 and ks in shelves:
            at = shelves.index(ks)
            if any(k in ks for shelf in shelves[at + 1 :] for k in shelf):
                continue  # a deeper shelf is one of this shelf's kinds: it says which the product is
            apart = below.get(nodes[at], ()) if below is not None and at + 1 < len(shelves) else ()
            if apart:  # a deeper shelf of another kind: not a kind the shop shelves beside it, unless so titled
                title = set(terms(p.title)) if title is None else title
                ks = [k for k in ks if k not in apart or k[-1] in title]
        if ks in shelves:  # a deeper shelf of the kind's accessories or parts: "Watches > Watch Accessories >
            # Watch Boxes" holds boxes for watches, no watch (a "Jewellery Set" stays jewellery)
            deeper = [d for shelf in shelves[shelves.index(ks) + 1 :] for d in shelf if d[-1] in _FOR_A_KIND]
            ks = [k for k in ks if not any(k[-1] in d[:-1] for d in deeper)]
        out.update(k[-1] for k in ks)
        out.update(w for k in ks for w in (sets or {}).get(k, ()))
    return out


def shelves_below(products: Iterable[Product]) -> dict[str, frozenset[tuple[str, ...]]]:
    """Shelf name -> the kinds (type keys) of the shop's shelves of one kind under it ("Bags, Wallets & Belts"
    -> bag, belt, wallet: "Bags", "Belts", "... > Wallets"; not toy from "Musical Instruments & Toys"), for
    type_heads."""
    out: dict[str, set[tuple[str, ...]]] = {}
    for p in products:
        names = shop_type_names(p)
        nodes = [node for node in dict.fromkeys(p.category[:4]) if node in names]
        for i, parent in enumerate(nodes[:-1]):
            for child in nodes[i + 1 :]:
                if len(ks := list_keys(child)) == 1:
                    out.setdefault(parent, set()).update(ks)
    return {name: frozenset(ks) for name, ks in out.items()}
