"""Reply text from templates filled with the turn's real results and constraints, cut into stream chunks.

Every product a reply names comes from the TurnResult; nothing here invents catalog data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.chat import vocab
from assistant.chat.state import Constraints, Plan, TurnResult
from assistant.chat.vocab import ENGLISH, KindNames
from assistant.search.asking import PURPOSE_WORDS
from index.catalog import Product
from index.text import format_price, plural, singular

HELP = (
    'I can search the shop for you and narrow things down as we talk. Try "a dress for a summer wedding", '
    'then "in blue", "under 1000", "cheaper", "something else", "show me the second one", '
    '"compare the first two", "what goes with it?", "add it to my cart" or "why did you suggest that?". '
    'Say "start over" to begin again, or "forget me" to delete what I know about you.'
)


def money(v: float | None, currency: str = "INR") -> str:
    """A price in its currency ("₹1,299"); constraints carry no currency, so they read in the shop's default."""
    return format_price(v, currency)


def describe(c: Constraints, plural: bool = True, names: KindNames = ENGLISH) -> str:
    """'blue printed dresses for women for a wedding under ₹1,000, not black': the active constraints, the kind
    named in the plural as the shop names it (names: KindNames, "hair care" not "hair cares")."""
    terms = [t for t in c.terms[:3] if t not in (c.category or "").split()]
    if c.category:
        thing = names.plural(c.category) if plural else c.category
    elif c.accessory:
        thing = names.plural(c.accessory) if plural else c.accessory
    else:  # no kind: the shopper's words name the thing, said so that they read as one ("6 kitchen products")
        thing = _things(terms, plural) if terms else ("items" if plural else "item")
        terms = []
    occasion = c.occasion if c.occasion and c.occasion not in terms and c.occasion not in thing.split() else None
    # the material as the shopper said it ("net sarees"): a word of the search, so it is named with it
    material = c.material if c.material and c.material not in terms and c.material not in thing.split() else None
    text = " ".join(p for p in (c.colour, *terms, material, c.brand, occasion, thing) if p)
    if c.device:
        text += f" that {'fit' if plural else 'fits'} {c.device}"
    if c.gender:
        text += f" for {c.gender}"
    if c.price_min is not None and c.price_max is not None:
        text += f" between {money(c.price_min)} and {money(c.price_max)}"
    elif c.price_max is not None:
        text += f" under {money(c.price_max)}"
    elif c.price_min is not None:
        text += f" over {money(c.price_min)}"
    nots = [*c.exclude_colours, *c.exclude_brands, *(plural_phrase(k) for k in c.exclude_kinds)]
    if nots:
        text += f", not {' or '.join(nots)}"
    if c.exclude_materials:
        text += f", no {', '.join(c.exclude_materials)}"
    return text


def _things(words: list[str], plural: bool) -> str:
    """The shopper's words as the thing shown when no kind was understood: "gifts" ("a gift for my mom"), "kitchen
    products", "cooking products" (not "6 kitchen", "1 cooking"); a plural said stays ("gas stoves")."""
    last = words[-1]
    if last in PURPOSE_WORDS or last == "gift":
        return " ".join([*words[:-1], plural_phrase(last) if plural else last])
    if singular(last) != last:
        return " ".join(words)
    return " ".join([*words, "products" if plural else "product"])


def plural_phrase(kind: str) -> str:
    """ "sports shoe" -> "sports shoes", "dress" -> "dresses"; a plural stays as said."""
    head, _, last = kind.rpartition(" ")
    many = plural(last) if singular(last) == last else last
    return f"{head} {many}".strip()


def ack(plan: Plan, c: Constraints, names: KindNames = ENGLISH) -> str:
    """The first words, known before any search runs (sent at once so the shopper sees a reply start)."""
    k = plan.kind
    if plan.accepted == ["closest"]:
        return f"Alright, the closest I have to {' '.join(c.terms[:3])}."
    if plan.accepted and plan.before is not None:
        return f"Alright, without {dropped_phrase(plan.accepted, plan.before)}: now {describe(c, names=names)}."
    if k == "search":
        return f"Looking for {describe(c, names=names)}."
    if k in ("refine", "preference") and plan.changed:
        return f"Got it: now {describe(c, names=names)}."
    if k == "cheaper":
        return (
            f"Cheaper ones, then: under {money(c.price_max)}, below the middle price of what I showed you."
            if plan.note
            else f"Cheaper ones, then: {describe(c, names=names)}."
        )
    if k == "pricier":
        return f"Going up a level: above {money(c.price_min)}."
    if k == "something_else":
        return "Here is something different."
    if k == "outfit":
        return "Let me find what goes with it."
    if k == "similar":
        return "Looking for similar ones."
    if k == "compare":
        return "Side by side:"
    if k == "why":
        return "Here is why."
    return ""


def _item(p: Product, i: int | None = None) -> str:
    head = f"{i}. " if i is not None else ""
    bits = [money(p.price, p.currency)] + [x for x in (p.colour, p.brand) if x]
    return f"{head}{p.title} ({', '.join(b for b in bits if b)})"


def _list(items: list[Product], limit: int = 3) -> str:
    return "; ".join(_item(p, i + 1) for i, p in enumerate(items[:limit]))


def dropped_phrase(slots: list[str], c: Constraints) -> str:
    """'the ₹300 limit and the colour black': the constraints of c that slots names, as the shopper said them."""
    names = {
        "colour": f"the colour {c.colour}" if c.colour else "the colour",
        "price": f"the {_band(c)} limit" if _band(c) else "the price limit",
        "brand": f"the brand {c.brand}" if c.brand else "the brand",
        "gender": f"“for {c.gender}”" if c.gender else "who it is for",
        "device": f"fitting {c.device}" if c.device else "the device",
    }
    return " and ".join(names.get(r, r) for r in slots)


def _band(c: Constraints) -> str:
    if c.price_min is not None and c.price_max is not None:
        return f"{money(c.price_min)}–{money(c.price_max)}"
    return money(c.price_max) if c.price_max is not None else (money(c.price_min) if c.price_min is not None else "")


def offer_text(res: TurnResult, c: Constraints, names: KindNames = ENGLISH) -> str:
    """Nothing meets every constraint: say so, say what dropping the least important would show, and ask."""
    alt = res.offer_items
    if res.offer == ["closest"]:  # no product here is called that: name what the nearest ones are
        kinds = list(dict.fromkeys(names.plural(vocab.singular(p.product_type.lower())) for p in alt if p.product_type))
        near = f" The closest I have are {', '.join(kinds[:3])}." if kinds else ""
        return f"I found nothing called {' '.join(c.terms[:3])} here.{near} Shall I show those?"
    loose = c
    for slot in res.offer:
        loose = loose.without(slot)
    head = f"I found nothing for {describe(c, names=names)}."
    what = describe(loose, names=names)
    last = res.offer[-1]
    if last == "price" and c.price_max is not None and c.price_min is None:
        low = min((p.price for p in alt if p.price is not None), default=None)
        hint = f" The lowest price I found for {what} is {money(low)}." if low is not None else ""
    elif last == "price" and c.price_min is not None and c.price_max is None:
        high = max((p.price for p in alt if p.price is not None), default=None)
        hint = f" The highest price I found for {what} is {money(high)}." if high is not None else ""
    elif last == "colour":
        colours = sorted({p.colour for p in alt if p.colour})
        hint = f" I have {what}" + (f" in {', '.join(colours[:3])}." if colours else " in other colours.")
    elif last == "brand":
        brands = sorted({p.brand for p in alt if p.brand})
        hint = f" I have {what}" + (f" from {', '.join(brands[:3])}." if brands else " from other brands.")
    elif last == "gender":
        gs = sorted({p.gender for p in alt if p.gender})
        hint = f" I have {what}" + (f" marked for {' and '.join(gs)}." if gs else " that do not say who they are for.")
    elif last == "device":
        hint = f" I have {what}, but none names {c.device}."
    else:
        hint = f" I have {what}."
    return f"{head}{hint} Shall I show those, without {dropped_phrase(res.offer, c)}?"


def reply_text(res: TurnResult, plan: Plan, names: KindNames = ENGLISH) -> str:
    """The body of the reply, after the ack."""
    c = res.constraints or Constraints()
    items = [i.product for i in res.items]
    k = res.kind
    if k in ("search", "refine", "cheaper", "pricier", "something_else", "preference") and (
        items or res.relaxed or res.offer or (c.active() and k != "preference")  # "size 7": noted, no new search
    ):
        pref = ""
        if res.pref_updates:
            pref = (
                "Noted "
                + " and ".join(f"{'your size' if key == 'size' else 'no'} {v}" for key, v in res.pref_updates.items())
                + ". "
            )
            if "size" in res.pref_updates:
                pref += "This catalog does not list sizes, so check the size chart on the product page. "
        if not items and res.note in ("no_cheaper", "no_pricier"):
            which = "cheaper" if res.note == "no_cheaper" else "dearer"
            return pref + (
                f"I found nothing {which} for {describe(c, names=names)}: what I showed you is the "
                f"{'cheapest' if which == 'cheaper' else 'dearest'} I have, so I kept the price as it was."
            )
        if not items and res.offer:
            return pref + offer_text(res, c, names)
        if not items:
            return pref + f'I found nothing for {describe(c, names=names)}. Try other words, or say "start over".'
        if res.relaxed:  # only the soft words: every hard constraint still holds
            return (
                pref + f"I found nothing with the words “{' '.join(res.soft_dropped)}” for {describe(c, names=names)}; "
                f"these are {describe(c, names=names)} without them: {_list(items)}."
            )
        if res.note == "closest":
            return (
                pref + f"Nothing here is called {' '.join(c.terms[:3])}; the closest I have: {_list(items)}. "
                "Try another word for it."
            )
        more = f" and {len(items) - 3} more" if len(items) > 3 else ""
        untagged = sum(p.gender is None for p in items) if c.gender and c.gender_open else 0
        if untagged == len(items):
            more += f" (the shop does not say who {'these are' if len(items) > 1 else 'it is'} for)"
        elif untagged:
            more += (
                f" (the shop does not say who the last {untagged} are for)"
                if untagged > 1
                else (" (the shop does not say who the last one is for)")
            )
        if res.page_gender:
            others = " or ".join(g for g in ("men", "women", "kids") if g != res.page_gender)
            more += f" (the best matches are for {res.page_gender}; say “for {others.split(' or ')[0]}” for others)"
        tip = ' Say "cheaper", a colour, or "show me the second one" to go on.' if k == "search" else ""
        if res.unsaid:  # the kind, none of them saying the shopper's words: never called what they do not say
            none = "which does not say" if len(items) == 1 else "none of them saying"  # (not "none of it")
            said = f"I found {_found(len(items), 0, c.without('details'), names)}, {none}"
            return pref + f"{said} “{' '.join(res.unsaid)}”: {_list(items)}{more}.{tip}"
        found = _found(len(items), res.material_unsaid, c, names)
        if res.words_unsaid and not res.material_unsaid:  # "3 double bedsheets and 3 more not saying “double”"
            words = [*c.terms[:3], *([c.occasion] if c.occasion and c.occasion != "gift" else [])]
            n, u = len(items), res.words_unsaid
            found = f"{_found(n - u, 0, c, names)} and {u} more not saying “{' '.join(words)}”"
        return pref + f"I found {found}: {_list(items)}{more}.{tip}"
    if k == "preference":
        if res.pref_updates.get("size"):
            return (
                f"Noted: you wear size {res.pref_updates['size']}. This catalog does not list sizes, so check "
                "the size chart on the product page."
            )
        if res.pref_updates.get("avoid_material"):
            return f"Noted: I will leave out {res.pref_updates['avoid_material']} from now on."
        return "Noted."
    if k == "show" and items:
        p = items[0]
        kind = vocab.singular(p.product_type.lower()) if p.product_type else ""
        extra = f" It is {_a(kind)} {kind}" + (f" for {p.gender}" if p.gender else "") + "." if kind else ""
        # the catalog says nothing of stock unless it marks a product out of stock
        stock = "" if p.in_stock else " The catalog marks it out of stock."
        # "The cheapest of the 6 I showed is #2: ", "Yes, it comes in black too: "
        lead = plan.note if plan.parse.pick else f"{res.note} " if res.note else ""
        return f'{lead}{_item(p)}.{extra}{stock} Ask "what goes with it?", "is it waterproof?" or "add it to my cart".'
    if k == "compare" and len(items) >= 2:
        lines = [_item(p, i + 1) for i, p in enumerate(items)]
        priced = [(p.price, i, p) for i, p in enumerate(items) if p.price is not None]
        cheapest = min(priced)[2] if priced else None  # the first of equal prices
        tail = f" The cheapest is {cheapest.title}." if cheapest else ""
        return " vs ".join(lines) + "." + tail
    if k == "outfit":
        if not items:
            return "I could not find anything in other categories to go with it."
        anchor = res.anchor.title if res.anchor else "it"
        return f"To go with {anchor}: {_list(items, 4)}."
    if k == "similar":
        return (
            f"Similar to {res.anchor.title if res.anchor else 'it'}: {_list(items)}."
            if items
            else "I could not find anything similar within your constraints."
        )
    if k == "cart_add" and items:
        return f"Added {items[0].title} to your cart ({len(res.cart)} item{'s' if len(res.cart) != 1 else ''})."
    if k == "cart_remove" and items:
        return f"Removed {items[0].title}. Your cart has {len(res.cart)} item{'s' if len(res.cart) != 1 else ''}."
    if k == "cart_show":
        if not res.cart:
            return "Your cart is empty."
        total = sum(p.price or 0 for p in res.cart)
        return f"Your cart: {_list(res.cart, 10)}. Total {money(total, res.cart[0].currency)}."
    if k == "why":
        if not items:
            return "I have not suggested anything yet, so there is nothing to explain."
        parts = [f"{p.product.title}: {', '.join(p.why) or 'it matched your search'}" for p in res.items[:3]]
        tail = (
            " I search with what you told me in this chat"
            + (" and, with your consent, your shopping history" if res.note == "personalized" else "")
            + '; say "forget me" to delete it.'
        )
        return "; ".join(parts) + "." + tail
    if k == "forget":
        return (
            "Done: I have forgotten this conversation"
            + (" and deleted your profile and history" if res.note == "profile" else "")
            + "."
        )
    if k == "no_reference":
        if res.note == "has_list" and plan.parse.pick:  # "which one is best rated" of products the shop rates none of
            figure = "rating" if plan.parse.pick == "best rated" else "price"
            said = f"so I cannot say which is {plan.parse.pick}"
            return f"None of the products I showed has a {figure} in the catalog, {said}."
        if res.note == "has_list":
            return 'Which one do you mean? Say "the first one", "the second one"... or tap a product.'
        return 'Which one do you mean? Search first, then say "the second one" or tap a product.'
    if k == "reset":
        return "Starting over. What are you looking for?"
    if k == "question":
        return res.note
    if k == "out_of_scope":
        return res.note + _still(c, names)
    if k == "thanks":
        return "You're welcome!" + (_still(c, names) or " Tell me if you need anything else.")
    if k == "smalltalk":
        return 'Happy to help! Tell me what you are looking for, like "white sneakers under 2000".'
    return HELP


def _found(n: int, unsaid: int, c: Constraints, names: KindNames) -> str:
    """'6 net sarees'; when some shown do not say their material (listed after those known to be of it): '1 net
    saree and 3 that do not say what they are made of', as search's notice says it."""
    if not unsaid:
        return f"{n} {describe(c, n != 1, names)}"
    unsure = "that does not say what it is made of" if unsaid == 1 else "that do not say what they are made of"
    return f"{n - unsaid} {describe(c, n - unsaid != 1, names)} and {unsaid} {unsure}"


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _still(c: Constraints, names: KindNames) -> str:
    return f" We were looking at {describe(c, names=names)}; say what to change." if (c.category or c.accessory) else ""


_CHUNK = re.compile(r"\S+\s*")


def chunks(text: str, words: int = 3) -> Iterator[str]:
    """Word-group chunks (with their trailing spaces) so that joined they give back the text."""
    toks = _CHUNK.findall(text)
    lead = text[: len(text) - len(text.lstrip())]
    for i in range(0, len(toks), words):
        piece = "".join(toks[i : i + words])
        yield (lead + piece) if i == 0 else piece
