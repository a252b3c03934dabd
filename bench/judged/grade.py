"""Grades catalog products against a shopper's hand-written criteria, reading the raw CSV as a shopper would.

This module deliberately imports nothing from the engine (`assistant/`, `index/`): it has its own CSV
reading, its own reading of who a product is for, and takes every product type, colour and model from the
regular expressions a person wrote per query (bench/judged/queries.jsonl), so that changing the engine's
parsing can never change a judgement. A test checks the imports.

Grades: 2 = exactly what was asked, 1 = an acceptable substitute, 0 = wrong.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

# Who a product is for, as a shopper reads it from the title, the category path and the "Ideal For" line.
_GENDER_WORDS: dict[str, re.Pattern[str]] = {
    "women": re.compile(r"\b(women|woman|ladies|lady|womens|female)\b"),
    "men": re.compile(r"(?<!wo)\b(men|man|mens|gents|male)\b"),
    "girls": re.compile(r"\b(girls?|girl's)\b"),
    "boys": re.compile(r"\b(boys?|boy's)\b"),
    "baby": re.compile(r"\b(baby|babies|infants?|new ?born|toddlers?)\b"),
    "unisex": re.compile(r"\b(unisex|couple|couples)\b"),
}
_IDEAL_FOR = re.compile(r'"key"=>"ideal for", "value"=>"([^"]*)"')
_LIST_NODE = re.compile(r",| & | and ")


def _strip_brand(text: str, brand: str) -> str:
    """Drop the brand where it leads the text (or any " > "-separated node of it)."""
    if not brand:
        return text
    return " > ".join(n[len(brand) :].lstrip() if n.startswith(brand + " ") else n for n in text.split(" > "))


@dataclass
class Item:
    """One catalog row as a shopper sees it (all text lowercased)."""

    id: str
    title: str
    path: str  # the category path, nodes joined by " > "
    brand: str
    price: float | None
    description: str
    specs: str

    @cached_property
    def head(self) -> str:
        """What names the product: its title and the category nodes that name one kind of thing.

        A node that lists several kinds ("Bags, Wallets & Belts", "Shorts & Track Pants") does not say
        which one the product is, and a brand leading a title ("Jayanti Sarees ... Kurti") is not a type.
        """
        nodes = [n for n in self.path.split(" > ") if not _LIST_NODE.search(n)]
        return " | ".join(_strip_brand(x, self.brand) for x in [self.title, " > ".join(nodes)])

    @cached_property
    def full(self) -> str:
        """Everything written about the product."""
        return f"{self.title} | {self.path} | {self.brand} | {self.description} | {self.specs}"

    @cached_property
    def genders(self) -> frozenset[str]:
        """Who the product says it is for (empty when it does not say)."""
        m = _IDEAL_FOR.search(self.specs)
        text = f"{self.title} | {self.path} | {m.group(1) if m else ''}"
        text = text.replace("'s", "s").replace("’s", "s")
        return frozenset(g for g, rx in _GENDER_WORDS.items() if rx.search(text))


def _path(raw: str) -> str:
    try:
        nodes = json.loads(raw)[0].split(">>")
    except (ValueError, IndexError, AttributeError):
        nodes = [raw]
    return " > ".join(n.strip().strip(".") for n in nodes if n.strip())


def _price(*raw: str) -> float | None:
    for r in raw:
        try:
            return float(r)
        except (TypeError, ValueError):
            continue
    return None


def read_catalog(path: Path | str) -> list[Item]:
    """The raw Flipkart-format CSV, read with the csv module only."""
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            out.append(
                Item(
                    id=r["uniq_id"],
                    title=(r.get("product_name") or "").lower(),
                    path=_path(r.get("product_category_tree") or "").lower(),
                    brand=(r.get("brand") or "").lower(),
                    price=_price(r.get("discounted_price", ""), r.get("retail_price", "")),
                    description=(r.get("description") or "").lower(),
                    specs=(r.get("product_specifications") or "").lower(),
                )
            )
    return out


def _rx(p: str | None) -> re.Pattern[str] | None:
    return re.compile(p) if p else None


@dataclass
class Criteria:
    """What a shopper means by one query, written by hand (see bench/judged/README.md)."""

    type: str | None = None  # regex over title + category path: the thing asked for
    sub: str | None = None  # regex over title + category path: an acceptable substitute (grade 1 at most)
    need: list[str] = field(default_factory=list)  # regexes over all the text; each must match (else 0)
    need_head: list[str] = field(default_factory=list)  # the same over title + category path only
    prefer: list[str] = field(default_factory=list)  # regexes over all the text; a miss makes a 2 a 1
    clash: str | None = None  # over the head: a stated other colour/material; with a `prefer` miss it is 0
    exclude: str | None = None  # regex over title + category path: never what was asked (0)
    gender: list[str] = field(default_factory=list)  # acceptable "for" values; a product for others is 0
    within: str | None = None  # regex over the whole category path (list nodes too); must match (else 0)
    brand: str | None = None  # regex over the brand field and the title: who makes it
    brand_strict: bool = True  # a miss of `brand` is 0; when False it makes a 2 a 1 (another maker's)
    price_min: float | None = None
    price_max: float | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Criteria:
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown criteria fields {sorted(unknown)}")
        return cls(**d)

    def compiled(self) -> _Compiled:
        return _Compiled(self)


class _Compiled:
    def __init__(self, c: Criteria) -> None:
        self.c = c
        self.type = _rx(c.type)
        self.sub = _rx(c.sub)
        self.need = [re.compile(p) for p in c.need]
        self.need_head = [re.compile(p) for p in c.need_head]
        self.prefer = [re.compile(p) for p in c.prefer]
        self.exclude = _rx(c.exclude)
        self.within = _rx(c.within)
        self.brand = _rx(c.brand)
        self.clash = _rx(c.clash)

    def grade(self, it: Item) -> int:
        c = self.c
        head, full = it.head, it.full
        if self.exclude and self.exclude.search(head):
            return 0
        if c.price_max is not None and (it.price is None or it.price > c.price_max):
            return 0
        if c.price_min is not None and (it.price is None or it.price < c.price_min):
            return 0
        if c.gender:
            g = it.genders
            if g and not (g & set(c.gender)):
                return 0
        if any(not rx.search(full) for rx in self.need) or any(not rx.search(head) for rx in self.need_head):
            return 0
        if self.within and not self.within.search(it.path):
            return 0
        brand_ok = self.brand is None or bool(self.brand.search(f"{it.brand} | {it.title}"))
        if not brand_ok and c.brand_strict:
            return 0
        if self.type is None or self.type.search(head):
            best = 2
        elif self.sub and self.sub.search(head):
            best = 1
        else:
            return 0
        missed = any(not rx.search(full) for rx in self.prefer)
        if missed and self.clash and self.clash.search(head):
            return 0  # known and not what was asked: never a substitute
        if best == 2 and (not brand_ok or missed):
            best = 1
        return best


def grade(criteria: Criteria, item: Item) -> int:
    """The grade of one product for one query's criteria."""
    return criteria.compiled().grade(item)


def grade_all(criteria: Criteria, items: Iterable[Item]) -> dict[str, int]:
    """Grades of every product with a grade above 0."""
    cc = criteria.compiled()
    return {it.id: g for it in items if (g := cc.grade(it)) > 0}


@dataclass
class JudgedQuery:
    qid: str
    query: str
    kind: str
    means: str  # what the shopper means, in words
    criteria: Criteria
    servable: bool = True  # False: written as a query the catalog cannot serve


def load_queries(path: Path | str) -> list[JudgedQuery]:
    out = []
    for i, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines()):
        if not line.strip():
            continue
        d = json.loads(line)
        out.append(
            JudgedQuery(
                qid=d.get("id", f"q{i:03d}"),
                query=d["query"],
                kind=d["kind"],
                means=d["means"],
                criteria=Criteria.from_dict(d.get("criteria", {})),
                servable=d.get("servable", True),
            )
        )
    return out
