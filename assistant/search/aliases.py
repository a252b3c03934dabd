"""The shop's other words for its product types, learned from its typed products: the products on its "Sarees"
shelf are titled "... Sari", so "sari" is the shop's other word for Sarees. A product the shop gives no type is
typed by its title's last word (assistant.search.vocab.title_kind); where that word is such an alias, it is of
the type the word stands for too, so a search for "silk saree" reads an untyped "Art Silk Sari" as a saree. So is a
product the shop types only by a shelf above that type (shelves_above): "... Synthetic Georgette Sari" typed "Ethnic
Wear" is a saree the shop did not put on its "Sarees" shelf."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Container, Iterable

from index.catalog import Product
from index.text import normalise

# A word stands for a type when at least this many typed products end their title's name with it (fewer is
# chance: two odd titles must not make "cartridge" a printer's word) ...
MIN_PRODUCTS = 5
# ... and nearly all of them are of that type: a word that names a thing is used for it almost always (33 of 33
# titles ending "Sari" are on the "Sarees" shelf), where a material or a detail ending a title ("Crystal", "Print")
# ends titles of several kinds (7 of 9 "Crystal" titles are pendants; the untyped one is a ring).
MIN_SHARE = 0.9


def learn_aliases(
    typed: Iterable[tuple[str | None, set[str], list[tuple[str, str]]]], exclude: Container[str]
) -> dict[str, str]:
    """The type name each title word stands for, from the shop's typed products, given per product as (the head
    stem of its title's kind or None, the head stems of all its type names, (head stem, name) of its type names
    that name one kind). The type is the least common head that nearly all products with the word share: a
    product has broad shelves ("Clothing") as well as its own ("Sarees"), and the broad one is never the word's
    meaning. A word that already heads a type of the shop, or is in exclude (materials), is no alias."""
    total: Counter[str] = Counter()  # title word -> typed products whose title's kind it is
    shared: dict[str, Counter] = defaultdict(Counter)  # title word -> head -> products with both
    names: dict[tuple[str, str], Counter] = defaultdict(Counter)  # (title word, head) -> one-kind type names
    head_freq: Counter = Counter()  # head -> typed products with it
    for word, heads, one_kind in typed:
        head_freq.update(heads)
        if not word:
            continue
        total[word] += 1
        shared[word].update({h for h, _ in one_kind})
        for head, name in one_kind:
            names[word, head][name] += 1
    out: dict[str, str] = {}
    for word, n in total.items():
        if n < MIN_PRODUCTS or word in head_freq or word in exclude:
            continue
        common = [h for h, c in shared[word].items() if c >= MIN_SHARE * n]
        if common:
            head = min(common, key=lambda h: (head_freq[h], h))
            out[word] = names[word, head].most_common(1)[0][0]
    return out


def shelves_above(products: Iterable[Product], kinds: Container[str]) -> dict[str, frozenset[str]]:
    """For each of these type names, the shelves its products are on above it ("Sarees": "Ethnic Wear", ...)."""
    out: dict[str, set[str]] = {}
    for p in products:
        path = p.category[:4]
        for i, node in enumerate(path):
            if node in kinds:
                out.setdefault(node, set()).update(path[:i])
        if p.product_type and p.product_type in kinds and p.product_type not in path:
            out.setdefault(p.product_type, set()).update(path)
    return {k: frozenset(v) for k, v in out.items()}


_PLAIN_WORD = re.compile(r"[a-z][a-z\-]*[a-z]")
NAME_TAIL = re.compile(r"\s*(?:\(|\[| - | \| | with | for ).*$", re.IGNORECASE)


def name_end(title: str) -> str:
    """The title's last word before its details, commas kept: a comma in a title often lists its patterns before
    the name ("Self Design, Printed Fashion Georgette Sari")."""
    ws = normalise(NAME_TAIL.sub("", title)).split()
    return ws[-1] if len(ws) > 1 and _PLAIN_WORD.fullmatch(ws[-1]) else ""
