"""Complete the look: for an anchor product (or a whole cart), one coherent item per complementary slot.

Slots come from the editable complementarity map (assistant/looks/rules.py), reordered and extended
by co-purchase lift (assistant/looks/copurchase.py). Within a slot, candidates must pass the hard rules
(in stock, gender, occasion, season, device fit, not the anchor's own type); the soft rules (price
band, colour harmony) are relaxed only when a slot has no candidate that passes them. Survivors are
ranked by style similarity (the anchor's text with the slot's type in place of its own), co-purchase,
the shopper's profile and small agreement bonuses, then picked with a diversity penalty (MMR) so that
no two items of the look are near-identical.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from assistant.looks.compat import Features, check, features
from assistant.looks.copurchase import CoPurchase, reorder_slots
from assistant.looks.rules import OutfitRules
from assistant.search.engine import SearchEngine
from index.attributes import COLOUR_SYNONYMS
from index.catalog import Product
from index.embedder import product_text

# Ranking weights. Style similarity is the backbone (cosines of unit vectors, about 0.2-0.8).
W_COPURCHASE = 0.15  # per log-count of (anchor, item) co-purchases, capped at 3 events' worth
W_PROFILE = 0.4  # cosine of the item to the shopper's profile vector
W_DEVICE = 0.3  # the item names the anchor's device (not just universal)
W_OCCASION, W_SEASON, W_GENDER = 0.05, 0.03, 0.02
MMR_LAMBDA = 0.25  # weight of the largest similarity to an item already in the look
NEAR_DUPLICATE = 0.97  # cosine at which two items count as the same thing
SCAN_PER_SLOT = 12  # compliant candidates kept per slot before the diversity pick
QUERY_CACHE = 4096  # slot query vectors kept per index
_COLOUR_WORDS = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in sorted(COLOUR_SYNONYMS, key=len, reverse=True)) + r")\b", re.I
)


class OutfitIndex:
    """Features of every product of one loaded index, and the rows of each slot (built once per index)."""

    def __init__(self, engine: SearchEngine, rules: OutfitRules):
        self.rules = rules
        self.products = engine.products
        self.vectors = engine.index.vectors
        self.id_to_row = engine.index.id_to_row
        self.features = [features(p, rules) for p in self.products]
        pools: dict[str, list[int]] = {}
        for row, f in enumerate(self.features):
            if f.key:
                pools.setdefault(f.key, []).append(row)
        self.pools = {k: np.array(v, dtype=np.int64) for k, v in pools.items()}
        # who the shop sells each kind of product to: a "unisex" kind sold only to men is not a woman's item
        self.type_genders: dict[str, set[str]] = {}
        for p in self.products:
            if p.gender:
                self.type_genders.setdefault((p.product_type or "").lower(), set()).add(p.gender)
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: list[str], encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Slot query vectors: the misses in one batched model call, the rest from a small LRU cache
        (the model call is nearly all of a look's cost, and shoppers ask about the same products)."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._qcache))
        if missing:
            vecs = encode(missing)
            with self._lock:
                for t, v in zip(missing, vecs, strict=False):
                    self._qcache[t] = v
                while len(self._qcache) > QUERY_CACHE:
                    self._qcache.popitem(last=False)
        with self._lock:
            out = []
            for t in texts:
                self._qcache.move_to_end(t)
                out.append(self._qcache[t])
        return np.stack(out) if out else np.zeros((0, self.vectors.shape[1]), np.float32)

    def key_of_id(self, pid: str) -> str | None:
        row = self.id_to_row.get(pid)
        return None if row is None else self.features[row].key


_CACHE: weakref.WeakKeyDictionary[SearchEngine, dict[int, OutfitIndex]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()
_DEFAULT_RULES: list[OutfitRules] = []


def default_rules() -> OutfitRules:
    """The bundled rules files, read once."""
    with _CACHE_LOCK:
        if not _DEFAULT_RULES:
            _DEFAULT_RULES.append(OutfitRules.load())
        return _DEFAULT_RULES[0]


def outfit_index(engine: SearchEngine, rules: OutfitRules | None = None) -> OutfitIndex:
    """The OutfitIndex of an engine, built on first use and dropped with the engine (index reloads)."""
    rules = rules or default_rules()
    with _CACHE_LOCK:
        per_engine = _CACHE.setdefault(engine, {})
        oi = per_engine.get(id(rules))
        if oi is None or oi.rules is not rules:
            oi = per_engine[id(rules)] = OutfitIndex(engine, rules)
        return oi


@dataclass
class LookItem:
    product: Product
    score: float
    why: str
    relaxed: list[str] = field(default_factory=list)  # soft rules this item breaks (no alternative existed)


@dataclass
class Slot:
    slot: str
    items: list[LookItem]
    label: str = ""


@dataclass
class Look:
    anchor: Product
    slots: list[Slot]
    anchors: list[Product] = field(default_factory=list)

    def items(self) -> list[LookItem]:
        """The set itself: the first (best) item of each slot."""
        return [s.items[0] for s in self.slots if s.items]


# ---- the look -----------------------------------------------------------------------------------


def slot_query_text(anchor: Product, f: Features, slot_label: str, rules: OutfitRules) -> str:
    """The anchor described as the slot's item: its style words kept, its own type words removed."""
    title = anchor.title
    own = [rx for s, rx in rules.slot_patterns if s == f.slot]
    for rx in own:
        title = rx.sub(" ", title)
    for w in (anchor.product_type or "").split():
        title = re.sub(rf"\b{re.escape(w)}\b", " ", title, flags=re.I)
    # Colour is left out: in embedding space it pulls same-coloured items (an all-pink look); the
    # palette rule decides which colours go together instead.
    title = _COLOUR_WORDS.sub(" ", title)
    attrs = {k: v for k, v in anchor.attributes.items() if k not in ("articleType", "Type", "baseColour", "Color")}
    q = replace(
        anchor,
        title=" ".join(title.split()) or anchor.title,
        product_type=slot_label,
        category=[],
        description="",
        attributes=attrs,
        colour=None,
    )
    return product_text(q)


def _short(title: str, n: int = 8) -> str:
    words = title.split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "")


def plan_slots(
    oi: OutfitIndex, anchor_feats: list[Features], copurchase: CoPurchase | None
) -> list[tuple[str, list[int]]]:
    """Slots to fill, in order, each with the indexes of the anchors that call for it."""
    rules = oi.rules
    taken = {f.key for f in anchor_feats if f.key}
    wanted: dict[str, tuple[float, list[int]]] = {}
    for i, f in enumerate(anchor_feats):
        if not f.key:
            continue
        order = reorder_slots(rules.complements_of(f.slot), f.key, copurchase)
        for rank, s in enumerate(order):
            if s in taken or s not in oi.pools:
                continue
            best, who = wanted.get(s, (float("inf"), []))
            wanted[s] = (min(best, rank), [*who, i])
    return [(s, who) for s, (_, who) in sorted(wanted.items(), key=lambda kv: (kv[1][0], min(kv[1][1])))]


def complete_the_look(
    engine: SearchEngine,
    anchors: list[Product],
    k: int = 3,
    profile: np.ndarray | None = None,
    copurchase: CoPurchase | Iterable[tuple[str, str, int]] | None = None,
    rules: OutfitRules | None = None,
    max_slots: int | None = None,
    exclude_ids: Sequence[str] = (),
) -> Look:
    """Up to max_slots complementary slots for the anchors, each with up to k items (the first is the pick)."""
    if not anchors:
        raise ValueError("complete_the_look needs at least one anchor product")
    oi = outfit_index(engine, rules)
    rules = oi.rules
    if copurchase is not None and not isinstance(copurchase, CoPurchase):
        copurchase = CoPurchase.from_pairs(copurchase, oi.key_of_id)
    afeats = [oi.features[oi.id_to_row[a.id]] if a.id in oi.id_to_row else features(a, rules) for a in anchors]
    plan = plan_slots(oi, afeats, copurchase)
    max_slots = max_slots or rules.max_slots
    skip_rows = {oi.id_to_row[x] for x in [*exclude_ids, *(a.id for a in anchors)] if x in oi.id_to_row}
    skip_titles = {f.title_norm for f in afeats}
    chosen_vecs: list[np.ndarray] = []
    slots: list[Slot] = []
    queries: dict[int, np.ndarray] = {}

    def query(i: int) -> np.ndarray:
        # Embed the slot texts in one batch, only as far down the plan as the look may still reach.
        if i not in queries:
            span = plan[i : i + max_slots - len(slots) + 1]
            texts = [
                slot_query_text(anchors[a], afeats[a], rules.labels.get(s, s), rules) for s, who in span for a in who
            ]
            vecs = oi.encode(texts, engine.embedder.encode)
            at = 0
            for off, (_, who) in enumerate(span):
                q = vecs[at : at + len(who)].mean(axis=0)  # a slot several cart items call for: their mean
                queries[i + off] = q / max(float(np.linalg.norm(q)), 1e-9)
                at += len(who)
        return queries[i]

    for i, (slot, who) in enumerate(plan):
        if len(slots) >= max_slots:
            break
        q = query(i)
        items = _fill_slot(
            oi,
            slot,
            [anchors[j] for j in who],
            [afeats[j] for j in who],
            q,
            k,
            profile,
            copurchase,
            skip_rows,
            skip_titles,
            chosen_vecs,
        )
        if items:
            slots.append(Slot(slot, items, rules.labels.get(slot, slot)))
    return Look(anchor=anchors[0], slots=slots, anchors=list(anchors))


_OTHER_SEX = {"women": "men", "men": "women", "girls": "boys", "boys": "girls"}


def worn_by(oi: OutfitIndex, wearer: str | None, row: int) -> bool:
    """A unisex-tagged item of a kind the shop sells to the other sex but never to the anchor's wearer
    (suspenders tagged "men, women" among men's suspenders) is no item for a woman's look."""
    p = oi.products[row]
    other = _OTHER_SEX.get(wearer or "")
    if p.gender != "unisex" or other is None:
        return True
    sold_to = oi.type_genders.get((p.product_type or "").lower(), set())
    return not (other in sold_to and wearer not in sold_to)


def _fill_slot(
    oi: OutfitIndex,
    slot: str,
    anchors: list[Product],
    afeats: list[Features],
    q: np.ndarray,
    k: int,
    profile: np.ndarray | None,
    copurchase: CoPurchase | None,
    skip_rows: set[int],
    skip_titles: set[str],
    chosen_vecs: list[np.ndarray],
) -> list[LookItem]:
    rules = oi.rules
    pool = oi.pools[slot]
    vecs = oi.vectors[pool]
    base = vecs @ q
    if profile is not None:
        base = base + W_PROFILE * (vecs @ np.asarray(profile, np.float32))
    cp_rows: dict[int, int] = {}
    if copurchase is not None and not copurchase.is_empty():
        for j, row in enumerate(pool.tolist()):
            n = sum(copurchase.count(a.id, oi.products[row].id) for a in anchors)
            if n:
                cp_rows[j] = n
                base[j] += W_COPURCHASE * min(np.log1p(n), np.log1p(3))
    # Tier 0 passes every rule; tier 1 breaks only the price band; tier 2 breaks the colour rule.
    tiers: list[list[tuple[float, int, list[str], list[str]]]] = [[], [], []]
    for j in np.argsort(-base, kind="stable").tolist():
        row = int(pool[j])
        c = oi.features[row]
        if row in skip_rows or c.title_norm in skip_titles:
            continue
        if not all(worn_by(oi, a.gender, row) for a in anchors):
            continue
        soft_all: set[str] = set()
        reasons: list[str] = []
        bonus = 0.0
        broken = False
        for a in afeats:
            hard, soft, why = check(rules, a, c, slot)
            if hard:
                broken = True
                break
            soft_all.update(soft)
            if not reasons:
                reasons = why
            bonus += (W_DEVICE if (a.device and c.device) else 0.0) + (W_OCCASION if a.occasions & c.occasions else 0.0)
            bonus += (W_SEASON if a.season and a.season == c.season else 0.0) + (
                W_GENDER if a.gender == c.gender else 0.0
            )
        if broken:
            continue
        if j in cp_rows:
            reasons = ["often bought together", *reasons]
        if profile is not None and float(vecs[j] @ profile) > 0.5:
            reasons.append("matches your style")
        tier = 0 if not soft_all else (1 if soft_all == {"price"} else 2)
        if len(tiers[tier]) < SCAN_PER_SLOT:
            tiers[tier].append((float(base[j]) + bonus / len(afeats), row, reasons, sorted(soft_all)))
        if len(tiers[0]) >= SCAN_PER_SLOT:
            break
    cands = next((t for t in tiers if t), [])
    cands.sort(key=lambda x: -x[0])
    picked: list[LookItem] = []
    anchor_name = _short(anchors[0].title)
    while cands and len(picked) < k:
        best_i, best_mmr = -1, -np.inf
        for i, (score, row, _, _) in enumerate(cands):
            sim = max((float(oi.vectors[row] @ v) for v in chosen_vecs), default=0.0)
            if sim >= NEAR_DUPLICATE:
                continue
            mmr = score - MMR_LAMBDA * max(sim, 0.0)
            if mmr > best_mmr:
                best_i, best_mmr = i, mmr
        if best_i < 0:
            break
        score, row, reasons, relaxed = cands.pop(best_i)
        notes = list(reasons)
        if "colour" in relaxed:
            notes.append("colours may clash (nothing better in stock)")
        if "price" in relaxed:
            notes.append("outside your price band (nothing closer in stock)")
        line = f"goes with: {anchor_name}" + (f" — {', '.join(notes)}" if notes else "")
        picked.append(LookItem(oi.products[row], round(score, 6), line, relaxed))
        chosen_vecs.append(oi.vectors[row])
        skip_titles = skip_titles | {oi.features[row].title_norm}
        cands = [c for c in cands if oi.features[c[1]].title_norm not in skip_titles]
    return picked
