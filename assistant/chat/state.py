"""What the conversation holds between turns: the shopper's constraints (type, recipient, price band,
exclusions, focused product), the products shown, and the plan and result of one turn."""

from __future__ import annotations

import re
from collections.abc import Container
from copy import deepcopy
from dataclasses import dataclass, field

from assistant.chat.nlu import Parse
from assistant.chat.slot_changes import SlotChanges
from assistant.chat.slots import fits, matches_accessory
from assistant.search import named_materials
from assistant.search.asking import PURPOSE_WORDS
from assistant.search.query import Filters
from assistant.search.titles import title_colours
from assistant.search.understand import type_key
from index.attributes import GENDER_ADMITS, baby_admits, names_a_baby
from index.catalog import Product
from index.text import normalise, stem


@dataclass
class Constraints:
    category: str | None = None
    gender: str | None = None
    colour: str | None = None
    brand: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    occasion: str | None = None  # soft: shapes the query, not a filter (few catalogs tag occasions)
    material: str | None = None  # soft, as above
    size: str | None = None  # soft: catalogs here carry no size stock
    accessory: str | None = None  # "screen guard": an accessory kind, matched with its catalog names
    device: str | None = None  # what the accessory must fit ("motorola moto g")
    terms: list[str] = field(default_factory=list)
    exclude_brands: list[str] = field(default_factory=list)
    exclude_colours: list[str] = field(default_factory=list)
    exclude_materials: list[str] = field(default_factory=list)
    exclude_kinds: list[str] = field(default_factory=list)  # "not a dress": its rows are kept out of the search
    exclude_ids: list[str] = field(default_factory=list)
    gender_inferred: bool = False  # the gender is the page's best match, not said by the shopper
    gender_open: bool = False  # no product of the wanted kind is tagged for the gender: untagged ones do
    interest: bool = False  # the words are what the person likes ("she loves cooking"): things for it, not named it

    def copy(self) -> Constraints:
        return deepcopy(self)  # the lists are not shared with the copy

    def query_text(self) -> str:
        # of a kind asked for, any is a gift: "gift" would only find the maker "Gift Island"'s (as search reads it)
        occasion = None if self.category and self.occasion in PURPOSE_WORDS else self.occasion
        words = list(self.terms) + [w for w in (occasion, self.material, self.category, self.accessory) if w]
        if self.device:
            words += ["for", self.device]
        return " ".join(words)

    def unwanted_kinds(self) -> list[str]:
        """The kinds said not to be wanted ("not a dress"), but the one asked for now."""
        return [k for k in self.exclude_kinds if not self._is_category(k)]

    def _is_category(self, kind: str) -> bool:
        return bool(self.category) and type_key(kind) == type_key(self.category or "")

    def filters(self) -> Filters:
        return Filters(
            # the engine's category filter reads the category path only: a two-word kind is checked in admits
            category=self.category if self.category and " " not in self.category else None,
            gender=None if self.gender_open else self.gender,  # untagged products pass: checked in admits
            colour=None,  # read as search reads a colour, catalog's or title's: run_search keeps to those rows
            brand=self.brand,
            price_min=self.price_min,
            price_max=self.price_max,
        )

    def without(self, slot: str) -> Constraints:
        c = self.copy()
        if slot == "price":
            c.price_min = c.price_max = None
        elif slot == "details":  # the soft words: they shape the ranking, no product breaks them
            c.terms, c.occasion, c.material = [], None, None
        else:
            setattr(c, slot, None)
        if slot == "gender":
            c.gender_open = c.gender_inferred = False
        return c

    def avoid_material(self, word: str) -> None:
        """A disliked material, kept as said; the same material (by stem) is no longer asked for."""
        self.exclude_materials.append(word)
        self.material = None if self.material and stem(self.material) == stem(word) else self.material
        self.terms = [t for t in self.terms if stem(t) != stem(word)]

    def want_material(self, word: str) -> None:
        """A material asked for: a dislike of the same material (by stem) is taken back."""
        self.material = word
        self.exclude_materials = [m for m in self.exclude_materials if stem(m) != stem(word)]

    def apply(self, s: SlotChanges) -> list[str]:
        """Fold a message's slot changes in; returns the names of the slots it changed."""
        changed = []
        for slot in s.clear:
            if slot == "price":
                self.price_min = self.price_max = None
            elif slot in ("colour", "brand"):
                setattr(self, slot, None)
            changed.append(slot)
        for name in ("gender", "colour", "brand", "occasion", "material", "size"):
            v = getattr(s, name)
            if v is not None:
                setattr(self, name, v)
                changed.append(name)
                if name == "gender":
                    self.gender_inferred = False
                if name == "colour" and v in self.exclude_colours:
                    self.exclude_colours.remove(v)
                if name == "material":
                    self.want_material(v)
        self.interest = self.interest or s.interest
        if s.interest and self.gender:
            # what the person likes is the thing: a cooking thing tagged for no one is as good as one tagged for
            # her, as search ranks it (women's tops tagged for her were "the closest" to cooking)
            self.gender_open = True
        if s.price_min is not None or s.price_max is not None:
            self.price_min, self.price_max = s.price_min, s.price_max
            changed.append("price")
        if s.exclude_brand:
            self.exclude_brands.append(s.exclude_brand)
            if self.brand and normalise(self.brand) == normalise(s.exclude_brand):
                self.brand = None
            changed.append("exclude_brand")
        if s.exclude_colour:
            self.exclude_colours.append(s.exclude_colour)
            if self.colour == s.exclude_colour:
                self.colour = None
            changed.append("exclude_colour")
        if s.exclude_material:
            self.avoid_material(s.exclude_material)
            changed.append("exclude_material")
        if s.exclude_kind:
            self.exclude_kinds.append(s.exclude_kind)
            if self._is_category(s.exclude_kind):  # "dresses for girls", then "not a dress": no dresses then
                self.category = None
            changed.append("exclude_kind")
        return changed

    def active(self) -> list[str]:
        out = [s for s in ("category", "accessory", "device", "gender", "colour", "brand") if getattr(self, s)]
        if self.price_min is not None or self.price_max is not None:
            out.append("price")
        return out

    def material_fit(self, p: Product, materials: Container[str]) -> bool | None:
        """Whether p is of the material asked for, as search reads a page (assistant.search.named_materials with
        the shop's material stems): True it names it, False it names only others (a known mismatch), None it
        names none (unknown) or no material is asked for."""
        if not self.material:
            return None
        known, named = named_materials(p, materials)
        return True if stem(self.material) in named else (False if known else None)

    def admits(self, p: Product, materials: Container[str] = frozenset(), of_kind: bool | None = None) -> bool:
        """Every hard constraint holds for p (checked here as well as in the engine's mask). materials: the
        shop's material stems; a product known to be of another material than the one asked is not admitted
        (REST search never shows one without a type, and only after every fit with one). of_kind: whether p is
        of the kind the category word names as search reads it (SearchEngine.of_kind); None: the shop has no
        such type, and the word is looked for in p's category path (category_matches)."""
        if self.category and not (category_matches(p, self.category) if of_kind is None else of_kind):
            return False
        if (
            self.gender
            and not (self.gender_open and p.gender is None)
            and (p.gender or "") not in GENDER_ADMITS.get(self.gender, {self.gender})
            and not baby_admits(self.gender, p.gender, names_a_baby(p.title, p.category))
        ):
            return False  # a product tagged for someone else never passes; an untagged one only when open
        if self.colour and p.colour != self.colour and self.colour not in title_colours(p):
            return False  # (the colour as search reads it: the catalog's or the one the title names, "Yellow Gold")
        if self.accessory and not matches_accessory(p, self.accessory):
            return False
        if self.device and not fits(p, self.device):
            return False
        if self.brand and normalise(p.brand or "") != normalise(self.brand):
            return False
        if self.price_min is not None and (p.price is None or p.price < self.price_min):
            return False
        if self.price_max is not None and (p.price is None or p.price > self.price_max):
            return False
        if p.id in self.exclude_ids or p.colour in self.exclude_colours:
            return False
        if p.colour is None and any(re.search(rf"\b{x}\b", normalise(p.title)) for x in self.exclude_colours):
            return False  # colour unknown to the catalog, but the title names the excluded one
        if p.brand and normalise(p.brand) in {normalise(b) for b in self.exclude_brands}:
            return False
        # the disliked words are kept as said ("no polyester"); a page names a material as search reads it (its
        # material specifications and the title's material words), compared by stem
        disliked = {stem(w) for m in self.exclude_materials for w in normalise(m).split()}
        if disliked and named_materials(p, disliked)[1] & disliked:
            return False
        return self.material_fit(p, materials) is not False


def category_matches(p: Product, word: str) -> bool:
    """The category word names one of p's category nodes or its type, as a whole word; a two-word kind
    ("track pant") may also be named by the title ("Baby Boy's Track Pants" filed under Shorts & Trousers)."""
    text = normalise(" > ".join(p.category) + " " + (p.product_type or ""))
    if " " in word:
        text += " > " + normalise(p.title)
    return re.search(rf"\b{re.escape(word)}(?:e?s)?\b", text) is not None


@dataclass
class DialogueState:
    constraints: Constraints = field(default_factory=Constraints)
    shown: list[str] = field(default_factory=list)  # product ids, in the order last shown
    focus: str | None = None
    cart: list[str] = field(default_factory=list)
    prefs: dict[str, object] = field(default_factory=dict)
    turns: int = 0
    why: dict[str, list[str]] = field(default_factory=dict)  # product id -> why it was last shown
    offer: list[str] = field(default_factory=list)  # constraints the last reply offered to drop ("shall I?")


@dataclass
class Plan:
    kind: str  # the intent, sometimes narrowed (e.g. show -> no_reference)
    parse: Parse
    targets: list[str] = field(default_factory=list)  # product ids the turn is about
    changed: list[str] = field(default_factory=list)  # constraint slots this turn changed
    note: str = ""  # e.g. "cheaper than ₹999 (the middle price of what you saw)"
    new_search: bool = False
    accepted: list[str] = field(default_factory=list)  # constraints the shopper just agreed to drop
    before: Constraints | None = None  # the constraints before they were dropped (the reply names them)
    prev_price: tuple[float | None, float | None] = (None, None)  # the band before "cheaper"/"pricier"


@dataclass
class ShownItem:
    product: Product
    why: list[str]
    slot: str | None = None


@dataclass
class TurnResult:
    kind: str
    items: list[ShownItem] = field(default_factory=list)
    constraints: Constraints | None = None
    relaxed: list[str] = field(default_factory=list)  # soft words dropped to find anything (said in the reply)
    offer: list[str] = field(default_factory=list)  # hard constraints nothing met: offered to drop, not dropped
    offer_items: list[Product] = field(default_factory=list)  # what dropping them would show (not shown)
    soft_dropped: list[str] = field(default_factory=list)  # the shopper's words no product matched
    unsaid: list[str] = field(default_factory=list)  # the shopper's words no product shown says (the kind's are)
    page_gender: str | None = None  # no gender said, the matches mixed wearers: the page keeps to this one
    material_unsaid: int = 0  # shown products that do not say what they are made of (a material was asked)
    words_unsaid: int = 0  # shown products not saying the shopper's words when others shown do ("double")
    total_before_relax: int = 0
    chips: list[str] = field(default_factory=list)
    pref_updates: dict[str, object] = field(default_factory=dict)
    note: str = ""
    anchor: Product | None = None
    cart: list[Product] = field(default_factory=list)
