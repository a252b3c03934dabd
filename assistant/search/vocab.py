"""What the query-understanding step knows of one catalog: `QueryVocab`, learned once from the loaded products
(product types and the shelves that name them, brands and which are everyday words, words that follow "for"
in titles, materials, each word's products and frequency). The English words a query asks with ("wife",
"gift", "without"), the same for every catalog, are in assistant.search.asking. Used through
assistant.search.understand."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Container, Iterable
from dataclasses import dataclass, field

import numpy as np

from assistant.search.aliases import learn_aliases, name_end, shelves_above
from assistant.search.asking import FITS_ALL, NOT_TYPE_WORDS
from assistant.search.lists import LIST_NODE, learn_listed_kinds, list_keys, type_key
from assistant.search.materials import learn_materials, named_materials
from assistant.search.product_types import (
    named_after_kind,
    shelves_below,
    shop_type_names,
    title_kind,
    type_heads,
    type_names,
)
from assistant.search.query import QUERY_COLOURS
from assistant.search.sets import learn_sets, listed_stems
from assistant.search.statements import page_terms
from assistant.search.titles import title_colours as title_colours  # the one reader, also named here
from assistant.search.titles import title_phrases as title_phrases
from index.catalog import Product
from index.corrector import Corrector
from index.lexical import lexical_text
from index.text import (
    FILLER_WORDS,
    STOPWORDS,
    UNITS,
    normalise,
    plural,
    singular,
    stem,
    terms,
    tokenize,
    words,
)

_WORD_RE = re.compile(r"[a-z0-9]+")
_INITIAL_RE = re.compile(r"\b([a-z])-([a-z]{3,})\b")  # "t-light", "t-shirt"
# Pages (descriptions, specifications) of this many products writing a word the titles never use make it a word of
# the language, not a typo: "a nice place to shop" is not "plate" ("place": 15 pages of the bundled 20k). A seller's
# slip is rarer: of the misspellings shoppers type, the bundled pages write "earings" twice, "lether" once.
PAGE_WORD = 3
# A word is the name of a thing, not a word describing one, when at least this many titles name their product by it
# (their last word before the details: "Sunscreen Lotion", "Shaving Cream") ...
THING_TITLES = 5
# ... and so do at least this share of the products writing it: "lotion", "bonnet", "cream" name products, while
# "casual", "printed" end a few titles ("Kujaparis Casual") among the thousands that write them to describe
THING_SHARE = 0.3
_EMPTY = np.zeros(0, np.int32)


@dataclass(eq=False)  # hashed by identity: understand() memoises per vocabulary
class QueryVocab:
    """What the understanding step knows of one catalog (built once per loaded index)."""

    types: dict[tuple[str, ...], str] = field(default_factory=dict)  # stems of a type/node name -> display
    type_count: Counter = field(default_factory=Counter)  # stems -> products of that type
    heads: dict[str, tuple[str, ...]] = field(default_factory=dict)  # head-word stem -> its commonest type key
    brands: dict[str, str] = field(default_factory=dict)  # normalised brand -> display
    ambiguous_brands: frozenset[str] = frozenset()  # brands that are also everyday words in the catalog
    brand_types: dict[str, frozenset[str]] = field(default_factory=dict)  # brand -> type stems it makes
    brand_rows: dict[str, np.ndarray] = field(default_factory=dict)  # brand -> sorted rows of its own products
    compat_words: frozenset[str] = frozenset()  # stems that follow "for" in product titles
    device_words: frozenset[str] = frozenset()  # stems that name a device a product is made for (not a type)
    materials: frozenset[str] = frozenset()  # stems of material words: a MaterialWords (assistant.search.materials)
    corrector: Corrector = field(default_factory=lambda: Corrector([]))
    type_words: Corrector = field(default_factory=lambda: Corrector([]))  # type head words, for the prefix
    rows: dict[str, np.ndarray] = field(default_factory=dict)  # stem -> sorted rows whose lexical text has it
    type_rows: dict[str, np.ndarray] = field(default_factory=dict)  # stem -> sorted rows whose type names have it
    head_rows: dict[str, np.ndarray] = field(default_factory=dict)  # stem -> sorted rows of that kind (type_heads)
    stated: frozenset[str] = frozenset()  # stems any page states (lexical text, description, specifications)
    split_words: frozenset[str] = frozenset()  # "16 gb", "tab 3": a model word a title writes apart
    aliases: dict[str, str] = field(default_factory=dict)  # title word -> the type it stands for ("sari": Sarees)
    material_heads: frozenset[str] = frozenset()  # type heads some product of which says what it is made of
    alias_shelves: dict[str, frozenset[str]] = field(default_factory=dict)  # an alias's type -> the shelves above it
    brand_terms: dict[frozenset[str], str] = field(default_factory=dict)  # a brand's stems -> the brand ("soni")
    sets: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict)  # a set's type key -> its parts' stems
    kinds_below: dict[str, frozenset[tuple[str, ...]]] = field(default_factory=dict)  # shelf -> kinds shelved under it
    page_words: frozenset[str] = frozenset()  # stems only pages write, on PAGE_WORD pages or more: words, not typos
    unit_forms: dict[str, str] = field(default_factory=dict)  # unit ("l") -> how this shop writes it after a number
    initials: frozenset[str] = frozenset()  # stems of words titles write as a letter, a hyphen, a word ("T-Light")
    joined: Corrector = field(default_factory=lambda: Corrector([]))  # two title words as one ("handbag": Hand Bag)
    # kind stem -> rows whose title names them by another noun after the kind's word ("Hair Dryer Bonnet"), and
    # each such row's noun (named_after_kind)
    after_rows: dict[str, np.ndarray] = field(default_factory=dict)
    after_word: dict[int, str] = field(default_factory=dict)
    things: frozenset[str] = frozenset()  # stems titles name products by (THING_TITLES, THING_SHARE): no description

    def named_after(self, kind: str, said: Container[str]) -> np.ndarray:
        """Rows of the kind whose title names them by another noun written after the kind's word, not one said
        ("hair dryer": the shop's hair dryer bonnets; "hair dryer bonnet" asks for them)."""
        rows = self.after_rows.get(kind)
        if rows is None:
            return _EMPTY
        return rows[[self.after_word[r] not in said for r in rows.tolist()]]

    def type_names(self, p: Product) -> list[str]:
        """type_names with this shop's aliases."""
        return type_names(p, self.aliases, self.alias_shelves)

    def type_heads(self, p: Product) -> set[str]:
        """type_heads with this shop's aliases, sets and shelves."""
        return type_heads(p, self.aliases, self.alias_shelves, self.sets, self.kinds_below)

    def device_terms(self, p: Product) -> set[str]:
        """Stems of the devices a title says the product is made for, other than its own maker: known device
        words ("D'clair Micromax Bolt Battery Charger": micromax; "Apple EarPods": none, Apple makes them) and
        the word after "for" when it is not a kind of product, colour or "all" ("Charger for LeTV 1S": letv)."""
        own = set(terms(p.brand or ""))
        ws = words(p.title)
        out = {t for w in ws if (t := stem(w)) in self.device_words and t not in own}
        for i, w in enumerate(ws[:-1]):
            if w == "for" and (t := stem(ws[i + 1])) not in own and _may_be_device(ws[i + 1], t, self.type_rows):
                out.add(t)
        return out

    def names_device(self, brand: str, others: set[str]) -> bool:
        """The query's other words name a device of this maker, not a product it makes: products naming the
        maker with those words exist ("Flip Cover for Asus Fonepad 7"), none of them the maker's own."""
        if not others or self.together(others | set(terms(brand))) == 0:
            return False
        lists = sorted((self.rows.get(t, _EMPTY) for t in others), key=len)
        acc = np.intersect1d(self.brand_rows.get(brand, _EMPTY), lists[0], assume_unique=True)
        for r in lists[1:]:
            if not len(acc):
                break
            acc = np.intersect1d(acc, r, assume_unique=True)
        return len(acc) == 0

    def together(self, stems: Iterable[str], of_type: tuple[str, ...] = ()) -> int:
        """How many products (of the type named by the stems of_type, as its head: a "Bed Linen" is no bed) have
        every one of these stems."""
        key = (*sorted(set(stems)), "|", *of_type)
        if key == ("|",):
            return 0
        hit = self._together.get(key)
        if hit is None:
            lists = [self.rows.get(t, _EMPTY) for t in set(stems)] + [self.type_rows.get(t, _EMPTY) for t in of_type]
            lists += [self.head_rows.get(t, _EMPTY) for t in of_type[-1:]]
            hit = self._together[key] = len(self._rows_of(lists))
        return hit

    def elsewhere(self, stems: Iterable[str], kind: tuple[str, ...]) -> bool:
        """Whether some product has every one of the stems and the kind's words other than by being shelved where
        the shop names the kind: "Tempered Glass" screen guards, the "Double Bedsheets" on "Bed Linen" (a kind the
        stems name), but not a "Wooden Key Holder" on the "Wall Decor & Clocks" shelf, no other reading of
        "wooden wall clock"."""
        stems = set(stems)
        key = ("~", *sorted(stems), "|", *kind)
        hit = self._together.get(key)
        if hit is None:
            acc = self._rows_of([self.rows.get(t, _EMPTY) for t in stems | set(kind)])
            shelved = self._rows_of([self.type_rows.get(t, _EMPTY) for t in kind])
            named = [self.head_rows[t] for t in stems if t in self.head_rows]
            shelved = np.setdiff1d(shelved, np.concatenate(named)) if named else shelved
            hit = self._together[key] = len(np.setdiff1d(acc, shelved))
        return hit > 0

    @staticmethod
    def _rows_of(lists: list[np.ndarray]) -> np.ndarray:
        lists.sort(key=len)
        acc = lists[0]
        for r in lists[1:]:
            if not len(acc):
                break
            acc = np.intersect1d(acc, r, assume_unique=True)
        return acc

    @property
    def _together(self) -> dict[tuple[str, ...], int]:
        memo = self.__dict__.get("_memo")
        if memo is None or len(memo) > 65536:
            memo = self.__dict__["_memo"] = {}
        return memo

    @classmethod
    def from_products(cls, products: Iterable[Product], brands: dict[str, str] | None = None) -> QueryVocab:
        products = list(products)
        types: dict[tuple[str, ...], Counter] = {}
        count: Counter = Counter()
        head_count: dict[str, Counter] = {}
        head_words: Counter = Counter()
        brand_types: dict[str, set[str]] = {}
        brand_rows: dict[str, list[int]] = {}
        word_freq: Counter = Counter()
        doc_freq: Counter = Counter()  # products whose title or description has the word
        compat: Counter = Counter()
        devices: Counter = Counter()  # the word right after "for": "Cover for Micromax ...", "Charger for iPhone"
        rows: dict[str, list[int]] = {}
        stated: set[str] = set()
        page_count: Counter = Counter()  # stem -> the products whose page (beyond the lexical text) writes it
        split_words: set[str] = set()
        unit_spelt: Counter = Counter()  # (unit, a spelling of it) written after a number
        initials: set[str] = set()
        pairs: Counter = Counter()  # two words of a title written as one, for the typo corrector ("hanbag")
        type_rows: dict[str, list[int]] = {}
        typed: list[tuple[str | None, set[str], list[tuple[str, str]]]] = []  # what aliases are learned from
        listed: list[tuple[set[tuple[str, ...]], set[str]]] = []  # what sets are learned from
        titled: Counter = Counter()  # (a type name, the stem its product's title ends in): listed kinds' evidence
        name_count: Counter = Counter()  # stem -> products whose title names them by it (its last word, no colour)
        for row, p in enumerate(products):
            toks = tokenize(lexical_text(p))
            word_freq.update(toks)
            unit_spelt.update((UNITS[b], b) for a, b in itertools.pairwise(toks) if b in UNITS and a.isdigit())
            for t in {stem(t) for t in toks}:
                rows.setdefault(t, []).append(row)
            said_here = page_terms(p)
            stated.update(said_here)
            page_count.update(said_here)
            doc_freq.update(set(_WORD_RE.findall((p.title + " " + p.description[:300]).lower())))
            nb = normalise(p.brand or "")
            if nb:
                brand_rows.setdefault(nb, []).append(row)
            # what the vocabulary knows as types is the shop's own naming: a title's last word stays out of it
            # ("tempered glass" is read against the shop's glasses, not a screen guard titled "Guard Glass")
            shop_names = shop_type_names(p)
            called = name_end(p.title) if shop_names else title_kind(p.title)
            if called and called not in QUERY_COLOURS and len(ts := terms(called)) == 1:
                name_count[ts[0]] += 1
            if shop_names:
                typed.append(_evidence(p.title, shop_names))
                titled.update((node, kind) for node in shop_names if (kind := _title_head(p.title)))
                listed.append(({k for n in shop_names for k in list_keys(n)}, listed_stems(p.title, p.brand)))
            for node in shop_names:
                key = type_key(node)
                if not key:
                    continue
                for t in key:
                    if not type_rows.get(t) or type_rows[t][-1] != row:
                        type_rows.setdefault(t, []).append(row)
                types.setdefault(key, Counter())[node] += 1
                count[key] += 1
                head_count.setdefault(key[-1], Counter())[key] += 1
                head_words[tokenize(node)[-1]] += 1
                if nb:
                    brand_types.setdefault(nb, set()).update(key)
            ws = words(p.title)
            initials.update(stem(a + b) for a, b in _INITIAL_RE.findall(p.title.lower()))
            for line in (ws, *map(words, p.category)):
                pairs.update(a + b for a, b in itertools.pairwise(line) if len(a) > 2 < len(b) and (a + b).isalpha())
            split_words.update(f"{a} {b}" for a, b in itertools.pairwise(terms(p.title)) if _letters_digits(a, b))
            for i, w in enumerate(ws[:-1]):
                if w == "for":
                    compat.update(stem(x) for x in ws[i + 1 : i + 5] if x not in NOT_TYPE_WORDS)
                    devices[stem(ws[i + 1])] += 1
        learn_listed_kinds(types, count, head_count, head_words, titled)
        brands = dict(brands or {})
        materials = learn_materials(products, QUERY_COLOURS)
        aliases = learn_aliases(typed, materials)
        shelves = shelves_above(products, set(aliases.values()))
        sets = learn_sets(listed, head_count)
        below = shelves_below(products)
        # the kinds of product of which the shop says what some are made of: of the others, none is known to be
        # of any material, so a page of them is no evidence that the shop has none in the material asked
        heads = [type_heads(p, aliases, shelves, sets, below) for p in products]
        said = (hs for p, hs in zip(products, heads, strict=True) if named_materials(p, materials)[0])
        head_rows: dict[str, list[int]] = {}
        after_rows: dict[str, list[int]] = {}
        after_word: dict[int, str] = {}
        for row, (p, hs) in enumerate(zip(products, heads, strict=True)):
            for h in hs:
                head_rows.setdefault(h, []).append(row)
            if hs and (named := named_after_kind(p, hs, type_names(p, aliases, shelves))) is not None:
                for kind in named[0]:
                    after_rows.setdefault(kind, []).append(row)
                after_word[row] = named[1]
        return cls(
            types={k: c.most_common(1)[0][0] for k, c in types.items()},
            type_count=count,
            heads={h: c.most_common(1)[0][0] for h, c in head_count.items()},
            brands=brands,
            ambiguous_brands=_ambiguous(brands, products, doc_freq),
            brand_types={b: frozenset(t) for b, t in brand_types.items()},
            brand_rows={b: np.asarray(r, np.int32) for b, r in brand_rows.items()},
            compat_words=frozenset(w for w, c in compat.items() if c >= 2) | {stem(b) for b in brands if " " not in b},
            # a device is what products are made for, not a kind of product or shelf ("Charger for Mobile": a
            # mobile charger is not made for another device), a colour or a word saying it fits every device
            device_words=frozenset(w for w, c in devices.items() if c >= 2 and _may_be_device(w, w, type_rows)),
            materials=materials,
            corrector=Corrector(word_freq, dict(word_freq), kinds=head_words),
            type_words=Corrector(head_words, dict(head_words)),
            rows={t: np.asarray(r, np.int32) for t, r in rows.items()},
            type_rows={t: np.asarray(r, np.int32) for t, r in type_rows.items()},
            head_rows={t: np.asarray(r, np.int64) for t, r in head_rows.items()},
            stated=frozenset(stated) | frozenset(rows),
            split_words=frozenset(split_words),
            aliases=aliases,
            alias_shelves=shelves,
            kinds_below=below,
            page_words=frozenset(t for t, c in page_count.items() if c >= PAGE_WORD and t not in rows),
            unit_forms={unit: spelt for (unit, spelt), _ in sorted(unit_spelt.items(), key=lambda kv: kv[1])},
            initials=frozenset(initials),
            joined=Corrector({w: n for w, n in pairs.items() if n >= 3}, {w: n for w, n in pairs.items() if n >= 3}),
            brand_terms={frozenset(ts): b for b in brands if (ts := terms(b))},
            material_heads=frozenset(h for heads in said for h in heads),
            sets=sets,
            after_rows={k: np.asarray(r, np.int64) for k, r in after_rows.items()},
            after_word=after_word,
            things=frozenset(t for t, c in name_count.items() if _names_things(c, len(rows.get(t, ())))),
        )


def _names_things(named: int, written: int) -> bool:
    """Titles name products by the word (named of the written products with it): THING_TITLES, THING_SHARE."""
    return named >= max(THING_TITLES, THING_SHARE * written)


def _title_head(title: str) -> str | None:
    """The stem of the kind a title names (title_kind), None when it names none."""
    key = type_key(kind) if (kind := title_kind(title)) else ()
    return key[-1] if key else None


def _evidence(title: str, names: list[str]) -> tuple[str | None, set[str], list[tuple[str, str]]]:
    """What a typed product tells assistant.search.aliases: its title's kind's head, its type names' heads, and
    (head, name) of those naming one kind (not "Pens & Stationery")."""
    key = type_key(kind) if (kind := title_kind(title)) else ()
    one = [(k[-1], name) for name in names if not LIST_NODE.search(name) and (k := type_key(name))]
    return key[-1] if key else None, {k[-1] for n in names for k in list_keys(n)}, one


def _letters_digits(a: str, b: str) -> bool:
    """Letters then a number, or a number then letters: the two halves of a model word ("tab 3", "16 gb")."""
    return (a.isalpha() and b.isdigit()) or (a.isdigit() and b.isalpha())


def _may_be_device(word: str, t: str, kinds: Container[str]) -> bool:
    """A word after "for" that may name a device: not a kind of product or shelf ("for Mobile"), a colour, a
    query word ("for Men"), a number or a word saying it fits every device ("for All", "Universal")."""
    return (
        len(t) > 1
        and not word.isdigit()
        and word not in NOT_TYPE_WORDS
        and t not in kinds
        and word not in QUERY_COLOURS
        and t not in FITS_ALL
    )


def _ambiguous(brands: dict[str, str], products: list[Product], doc_freq: Counter) -> frozenset[str]:
    """Brands whose name is an everyday word here: more products of other makers name it, as written or in the
    singular or plural ("slim" of the maker "Slims"), in title or description than the brand has ("like", "best",
    "galaxy"), or it is a stop/filler word."""
    own = Counter(normalise(p.brand or "") for p in products)
    out = set()
    for nb in brands:
        forms = {singular(nb), plural(nb)} - {nb}  # (the maker's own titles write its name, not these)
        others = max([doc_freq.get(nb, 0) - own.get(nb, 0), *(doc_freq.get(w, 0) for w in forms)])
        if nb in STOPWORDS or nb in FILLER_WORDS or (" " not in nb and others > max(own.get(nb, 0), 2)):
            out.add(nb)
    return frozenset(out)
