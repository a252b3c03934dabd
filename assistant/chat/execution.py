"""Carrying out a turn's plan (`execute`): searches, cart changes and answers, the facts and chips of the reply."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Container

from assistant.chat import questions
from assistant.chat.dialogue import resolve_refs
from assistant.chat.matching import (
    PAGE,
    SearchFn,
    is_kind,
    names_any,
    page_gender,
    search_or_offer,
    states_any,
    why_shown,
)
from assistant.chat.state import Constraints, DialogueState, Plan, ShownItem, TurnResult
from assistant.chat.vocab import singular
from index.catalog import Product
from index.text import normalise

# anchor, wanted category word or None -> [(slot name, product, why)] of other categories
LookFn = Callable[[Product, "str | None"], list[tuple[str, Product, str]]]


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
                elif not dropped and c.category and words:  # some say them: the others are not called so
                    res.words_unsaid = sum(not states_any([i], words) for i in items)
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
