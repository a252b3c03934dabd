"""Turn planning: fold a parsed message into the dialogue state and decide what to show for this turn.

Pure apart from the injected product lookup: `begin` folds a parsed message into the state (so the first words of
the reply can be streamed before any search); `execute` (assistant/chat/execution.py) then runs the searches and
returns the grounded facts the reply is written from. Every product shown satisfies every active hard constraint;
when none does, the reply says so and offers to drop the least important one, and only the shopper's "yes" drops
it (`accepts`, here; assistant/chat/matching.py).
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable

from assistant.chat import picks
from assistant.chat.lexicon import AFFIRM
from assistant.chat.matching import RELAX_ORDER
from assistant.chat.matching import run_search as run_search  # re-exported: the session searches a look's slot
from assistant.chat.nlu import Parse
from assistant.chat.slots import device_of
from assistant.chat.state import Constraints, DialogueState, Plan
from assistant.chat.state import category_matches as category_matches  # re-exported: the chat's own path check
from index.catalog import Product

_SEARCH_VERB = re.compile(r"\b(?:need|want|looking|look for|find|show me|search|get me|buy|shopping for|i'?d like)\b")


def resolve_refs(state: DialogueState, parse: Parse, products: Callable[[str], Product | None]) -> list[str]:
    """Product ids a message points at: positions, 'the red one', else the focused product."""
    out: list[str] = []
    for r in parse.refs:
        i = len(state.shown) - 1 if r == -1 else r - 1
        if 0 <= i < len(state.shown):
            out.append(state.shown[i])
    if not out and parse.ref_colour:  # "the red one": none red is no answer, not the focused one
        return [pid for pid in state.shown if (p := products(pid)) is not None and p.colour == parse.ref_colour][:1]
    if not out and state.focus:
        out = [state.focus]
    if not out and len(state.shown) == 1:
        out = list(state.shown)
    return out


def begin(state: DialogueState, parse: Parse, products: Callable[[str], Product | None]) -> Plan:
    """Fold the message into the state and decide what this turn does (no searching yet)."""
    state.turns += 1
    c = state.constraints
    kind = parse.intent
    plan = Plan(kind, parse)
    offered, state.offer = state.offer, []  # an offer is answered by the next message or lapses
    if offered and accepts(parse):
        # "yes": drop what the last reply offered to drop, and say so; the state then holds what is shown
        plan.before = c.copy()
        for slot in offered:
            if slot in RELAX_ORDER:  # "closest" drops nothing: the same words, the nearest things
                state.constraints = c = c.without(slot)
        plan.kind, plan.accepted = "refine", list(offered)
        plan.changed = [*offered, *c.apply(parse.slots)]  # what was excluded ("too boring") stays excluded
        return plan
    if kind == "search" and parse.slots.accessory:
        s = parse.slots
        state.constraints = c = Constraints(exclude_brands=c.exclude_brands, accessory=s.accessory, device=s.device)
        plan.new_search, plan.changed = True, ["accessory", *c.apply(s)]
        c.gender = None  # an accessory is for a device, not a person
        c.terms = [t for t in s.terms if t not in (s.device or "").split() and t not in (s.accessory or "").split()]
        return plan
    if kind == "accessory":  # "a screen guard for it": for the product we talked about
        # the product talked about; else the device of the search ("a case for moto g"); else the first shown
        anchor = products(state.focus) if state.focus and not parse.refs else None
        if anchor is None and parse.refs:
            plan.targets = resolve_refs(state, parse, products)
            anchor = products(plan.targets[0]) if plan.targets else None
        device = device_of(anchor) if anchor else c.device
        if device is None and state.shown:
            anchor = products(state.shown[0])
            device = device_of(anchor) if anchor else None
        if device is None:
            plan.kind = "no_reference"
            return plan
        s = parse.slots
        state.constraints = c = Constraints(exclude_brands=c.exclude_brands, accessory=s.accessory, device=device)
        c.apply(s)
        c.gender, plan.new_search, plan.changed = None, True, ["accessory", "device"]
        plan.kind = "search"
        return plan
    if kind == "question":
        plan.targets = resolve_refs(state, parse, products)
        if not plan.targets:
            plan.kind = "no_reference"
        else:
            state.focus = plan.targets[0]
        return plan
    if kind == "complaint":  # "too plain": the same search, leaning the other way, without what was shown
        act = parse.act
        opposite = list(dict.fromkeys(act.terms)) if act else []  # in the act's order: the reply names them so
        c.terms = [t for t in c.terms if t not in opposite and t != (act.topic if act else "")]
        c.terms = list(dict.fromkeys(c.terms + opposite))
        slots = parse.slots
        if act and slots.occasion == act.topic:  # "too casual" names what to move away from
            slots.occasion = None
            c.occasion = None if c.occasion == act.topic else c.occasion
        plan.changed = ["terms", *c.apply(slots)]
        c.exclude_ids = list(dict.fromkeys(c.exclude_ids + state.shown))
        plan.kind = "refine"
        return plan
    said_device = parse.slots.device
    if kind in ("search", "refine") and said_device and not parse.slots.category and (c.accessory or c.category):
        # "for samsung galaxy j7" after "a phone case": what is talked about, made for that device (it was a new
        # search for "samsung galaxy": LED bulbs by the maker Galaxy)
        s = parse.slots
        device_words = set(said_device.split())
        c.device, c.gender, c.exclude_ids = said_device, None, []
        c.terms = [t for t in c.terms if t not in device_words]
        plan.changed = ["device", *c.apply(s)]
        plan.kind = "refine"
        return plan
    if kind == "search":
        s = parse.slots
        # "with mic" after headphones: more of the same thing, whatever kind the words name (it searched "mic")
        with_more = parse.text.startswith("with ") and bool(c.category or c.accessory) and not parse.new_thing
        refining = with_more or (
            not s.category
            and c.category
            and len(s.terms) <= 2
            and not _SEARCH_VERB.search(parse.text)
            and not parse.new_thing
        )
        if refining:  # "something floral": more words for the same thing
            said = [*(s.category or "").split(), *s.terms] if with_more else s.terms
            c.terms = list(dict.fromkeys(c.terms + said))
            plan.changed = ["terms", *c.apply(s)]
            c.exclude_ids = []
            return plan
        if s.category != c.category or not s.category:
            # a new thing: keep who it is for and standing dislikes, start the rest afresh
            state.constraints = c = Constraints(
                gender=None if c.gender_inferred else c.gender,  # who it is for, when the shopper said so
                size=c.size,
                exclude_brands=c.exclude_brands,
                exclude_materials=c.exclude_materials,
            )
            c.category, plan.new_search = s.category, True
            plan.changed.append("category")
        if s.terms:
            c.terms = list(s.terms)
        plan.changed += c.apply(s)
        c.exclude_ids = []
    elif kind in ("refine", "preference"):
        plan.changed = c.apply(parse.slots)
        if parse.slots.terms and kind == "refine":
            plan.changed += ["terms"] if c.terms != parse.slots.terms else []
            c.terms = list(parse.slots.terms)
        c.exclude_ids = []
    elif kind in ("cheaper", "pricier"):
        plan.prev_price = (c.price_min, c.price_max)
        prices = [p.price for pid in state.shown if (p := products(pid)) is not None and p.price is not None]
        plan.changed = c.apply(parse.slots)
        if "price" not in plan.changed and prices:
            mid = statistics.median(prices)
            if kind == "cheaper":
                # whole rupees below the median: "under ₹978" reads better than "under ₹978.99"
                c.price_max = float(math.ceil(mid) - 1) if mid >= 1 else mid
                if c.price_min is not None and c.price_min > c.price_max:
                    c.price_min = None
            else:
                c.price_min, c.price_max = float(math.floor(mid) + 1), None
            plan.note = f"{mid:g}"
            plan.changed.append("price")
        c.exclude_ids = []
    elif kind == "something_else":
        c.exclude_ids = list(dict.fromkeys(c.exclude_ids + state.shown))
    elif kind == "pick":  # "which one is the cheapest": that one of those shown, talked about from now on
        at = picks.best(parse.pick or "", [products(pid) for pid in state.shown])
        plan.kind, plan.targets = ("show", [state.shown[at]]) if at is not None else ("no_reference", [])
        state.focus = state.shown[at] if at is not None else state.focus
        plan.note = picks.lead(parse.pick or "", at + 1, len(state.shown)) if at is not None else ""
    elif kind in ("show", "compare", "outfit", "similar", "cart_add", "cart_remove"):
        plan.targets = resolve_refs(state, parse, products)
        if kind == "compare" and len(plan.targets) < 2:
            plan.targets = list(state.shown[:2]) if not parse.refs else plan.targets
        if kind in ("outfit", "similar") and not plan.targets and state.shown:
            plan.targets = state.shown[:1]
        if not plan.targets or (kind == "compare" and len(plan.targets) < 2):
            plan.kind = "no_reference"
        elif kind in ("show", "outfit", "similar"):
            state.focus = plan.targets[0]
    elif kind == "reset":
        keep_cart = state.cart
        state.__init__()  # type: ignore[misc]
        state.cart = keep_cart
    return plan


def accepts(parse: Parse) -> bool:
    """'yes', 'sure, show them': agreement to the last reply's offer (a new thing to look for is not)."""
    return AFFIRM.search(parse.text) is not None and not parse.slots.category and not parse.slots.accessory
