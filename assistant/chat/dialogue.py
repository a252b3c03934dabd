"""Turn planning: fold a parsed message into the dialogue state and decide what to show for this turn.

Pure apart from the injected search/look functions: `begin` folds a parsed message into the state (so the
first words of the reply can be streamed before any search), `execute` runs the searches and returns the
grounded facts the reply is written from. Every product shown satisfies every active hard constraint; when
none does, the reply says so and offers to drop the least important one, and only the shopper's "yes" drops it
(assistant/chat/matching.py).
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable, Container

from assistant.chat import picks, questions
from assistant.chat.lexicon import AFFIRM
from assistant.chat.matching import (
    PAGE,
    RELAX_ORDER,
    SearchFn,
    is_kind,
    names_any,
    page_gender,
    search_or_offer,
    states_any,
    why_shown,
)
from assistant.chat.matching import run_search as run_search  # re-exported: the session searches a look's slot
from assistant.chat.nlu import Parse
from assistant.chat.slots import device_of
from assistant.chat.state import Constraints, DialogueState, Plan, ShownItem, TurnResult
from assistant.chat.state import category_matches as category_matches  # re-exported: the chat's own path check
from assistant.chat.vocab import singular
from index.catalog import Product
from index.text import normalise

# anchor, wanted category word or None -> [(slot name, product, why)] of other categories
LookFn = Callable[[Product, "str | None"], list[tuple[str, Product, str]]]

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


def chips_for(state: DialogueState, items: list[ShownItem], kind: str) -> list[str]:
    c = state.constraints
    chips: list[str] = []
    prices = sorted(i.product.price for i in items if i.product.price)
    if prices and c.price_max is None and len(prices) > 1:
        chips.append(f"Under {int(statistics.median(prices)):d}")
    elif prices:
        chips.append("Cheaper")
    colours = [i.product.colour for i in items if i.product.colour and i.product.colour != c.colour]
    if colours and not c.colour:
        chips.append(f"In {max(dict.fromkeys(colours), key=colours.count)}")  # a tie: the first shown
    if items:
        chips.append("Complete the look")
    if len(items) >= 2 and kind not in ("compare",):
        chips.append("Compare the first two")
    if items and kind != "cart_add":
        chips.append("Add the first one to my cart")
    if not items:
        chips = ["Start over", "Help"]
    return chips[:5]


def execute(
    state: DialogueState,
    plan: Plan,
    search: SearchFn,
    products: Callable[[str], Product | None],
    look: LookFn | None = None,
    materials: Container[str] = frozenset(),
) -> TurnResult:
    """Run the plan's searches and return the facts the reply is built from. materials: the shop's material
    stems (NluVocab.materials), by which a material asked for is read as search reads it."""
    c = state.constraints
    kind = plan.kind
    res = TurnResult(kind, constraints=c.copy(), note=plan.note)
    targets = [p for pid in plan.targets if (p := products(pid)) is not None]
    exclusion = any(x in plan.changed for x in ("exclude_brand", "exclude_colour", "exclude_material"))
    if kind in ("search", "refine", "cheaper", "pricier", "something_else") or (
        kind == "preference" and state.shown and exclusion
    ):
        if kind == "preference":
            res.pref_updates = {
                k: v
                for k, v in (("size", plan.parse.slots.size), ("avoid_material", plan.parse.slots.exclude_material))
                if v
            }
        if not c.query_text() and not c.active():
            res.kind = "help"
        else:
            items, applied, dropped, offered = search_or_offer(c, search, materials=materials)
            pick = c.category and not c.gender and not c.accessory and "gender" not in plan.accepted
            wearer = page_gender(items) if pick else None
            if wearer:  # one wearer a page: the best match's, named in the reply; "for women" switches
                c.gender, c.gender_inferred, res.page_gender = wearer, True, wearer
                items, applied, dropped, offered = search_or_offer(c, search, materials=materials)
                res.constraints = c.copy()
            # no kind understood: the last of the shopper's words is the thing ("gas stove": no gas lighter is one)
            thing = c.terms[-1:]
            unnamed = bool(items) and not c.category and not c.accessory and bool(thing) and not names_any(items, thing)
            if items and not unnamed and not c.category and not c.accessory and c.terms:
                # no catalog kind was understood: the shopper's own words are the thing; a product naming none
                # of them ("handbag" -> a two-wheeler cover) is not one. What a person likes names no thing: "she
                # loves cooking" asks for kadhais and pots too, in the departments of the products naming it
                named = [i for i in items if names_any([i], c.terms)]
                depts = {i.product.category[0] for i in named if i.product.category} if c.interest else set()
                items = [i for i in items if i in named or (i.product.category[:1] and i.product.category[0] in depts)]
            if unnamed and "closest" not in plan.accepted:
                # a word no product here carries ("kurtas"): the closest are other things, shown only if asked
                res.note, res.offer, res.offer_items = "no_match", ["closest"], [i.product for i in items]
                state.offer = ["closest"]
            elif items:
                res.items, res.relaxed = items, dropped
                words = [*c.terms[:3], *([c.occasion] if c.occasion and c.occasion != "gift" else [])]
                if not dropped and c.category and words and not states_any(items, words):
                    # the kind, but no page shown says the shopper's words ("wireless" headphones under ₹648, blue
                    # "running" shoes that are boots): said, never claimed ("I found 6 wireless headphones" showing
                    # wired ones)
                    res.unsaid = words
                if dropped:  # soft words no product matched: named in the reply
                    said = (c.material,) if dropped == ["material"] else (*c.terms[:3], c.occasion, c.material)
                    res.soft_dropped = [w for w in said if w]
                if applied is not c:  # what was loosened (untagged wearer, soft words) stays so: state = reply
                    state.constraints = c = applied
                    res.constraints = c.copy()
                state.shown = [i.product.id for i in res.items]
                state.focus = None
                # shown after those known to be of the material asked: said in the reply, as search's notice does
                if c.material:
                    res.material_unsaid = sum(c.material_fit(i.product, materials) is None for i in items)
                res.note = "closest" if unnamed else res.note  # what the shopper agreed to see: said again
            elif kind in ("cheaper", "pricier") and dropped[:1] == ["price"]:
                # nothing cheaper (dearer) than what was shown: keep the band it had and say so
                c.price_min, c.price_max = plan.prev_price
                res.constraints, res.note = c.copy(), f"no_{kind}"
            elif offered:
                # nothing meets what the shopper holds: ask before dropping anything (the list on screen stays)
                res.offer, res.offer_items = dropped, [i.product for i in offered]
                state.offer = list(dropped)
    elif kind == "preference":
        res.pref_updates = {
            k: v
            for k, v in (("size", plan.parse.slots.size), ("avoid_material", plan.parse.slots.exclude_material))
            if v
        }
    elif kind == "show":
        colour = plan.parse.slots.colour if not plan.parse.ref_colour else None
        if colour and targets:  # "does the second one come in black?": it, or a variant of it, or neither
            shown, res.note = questions.in_colour(targets[0], colour, search.variants(targets[0].id))
            state.focus, targets = shown.id, [shown]
        res.items = [
            ShownItem(
                p,
                [
                    f"you asked about #{state.shown.index(p.id) + 1}"
                    if p.id in state.shown
                    else "the one we were talking about"
                ],
            )
            for p in targets[:1]
        ]
    elif kind == "compare":
        res.items = [
            ShownItem(
                p,
                [
                    f"#{state.shown.index(p.id) + 1} of what I showed"
                    if p.id in state.shown
                    else "you asked to compare it"
                ],
            )
            for p in targets[:4]
        ]
    elif kind == "outfit":
        anchor = targets[0]
        res.anchor = anchor
        want = (
            plan.parse.slots.category
            if plan.parse.slots.category and not is_kind(anchor, plan.parse.slots.category, search)
            else None
        )
        found = look(anchor, want) if look else []
        res.items = [ShownItem(p, [why], slot) for slot, p, why in found if p.id != anchor.id]
        state.shown = [i.product.id for i in res.items]
    elif kind == "similar":
        anchor = targets[0]
        res.anchor = anchor
        cat = singular(normalise(anchor.product_type or "").split()[-1]) if anchor.product_type else None
        sim = Constraints(
            category=cat,
            gender=c.gender,
            price_min=c.price_min,
            price_max=c.price_max,
            exclude_ids=[anchor.id],
            exclude_brands=c.exclude_brands,
            exclude_materials=c.exclude_materials,
            terms=[anchor.title],
        )
        similar, _, res.relaxed, _ = search_or_offer(sim, search)  # no constraint dropped without asking
        res.items = [ShownItem(i.product, ["similar to the one you picked", *i.why[1:]]) for i in similar]
        if res.items:
            state.shown = [i.product.id for i in res.items]
    elif kind == "cart_add":
        for p in targets[:1]:
            if p.id not in state.cart:
                state.cart.append(p.id)
            res.items = [ShownItem(p, ["added to your cart"])]
    elif kind == "cart_remove":
        for p in targets[:1]:
            if p.id in state.cart:
                state.cart.remove(p.id)
            res.items = [ShownItem(p, ["removed from your cart"])]
    elif kind == "why":
        pids = plan.targets or resolve_refs(state, plan.parse, products) or state.shown[:PAGE]
        res.items = [
            ShownItem(p, state.why.get(pid) or why_shown(p, c, [])) for pid in pids if (p := products(pid)) is not None
        ]
    elif kind == "question" and targets and plan.parse.act:
        p = targets[0]
        res.note, known = questions.answer(p, plan.parse.act.topic, plan.parse.act.feature, materials)
        res.items = [ShownItem(p, ["you asked about it" if known else "its details do not say"])]
    elif kind == "out_of_scope" and plan.parse.act:
        res.note = plan.parse.act.answer
    elif kind == "no_reference" and state.shown:
        res.note = "has_list"
    elif kind == "forget":
        state.__init__()  # type: ignore[misc]
    if res.kind in ("search", "refine", "cheaper", "pricier", "something_else", "preference", "outfit", "similar"):
        state.why.update({i.product.id: i.why for i in res.items})
        if len(state.why) > 200:  # bounded: only recent products matter
            state.why = dict(list(state.why.items())[-100:])
    res.cart = [p for pid in state.cart if (p := products(pid)) is not None]
    res.chips = ["Yes, show them", "Start over"] if res.offer else chips_for(state, res.items, res.kind)
    return res
