"""Complete-the-look rules: which slot a product fills, and whether two products go together.

Everything here is data-driven (data/outfits/complementarity.json and palette.json, editable by the
shop) and pure: products in, features and verdicts out. assistant/looks/outfits.py ranks with it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.attributes import GENDER_ADMITS, canonical_colour
from index.catalog import Product

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "outfits"
RULES_FILE = DATA_DIR / "complementarity.json"
PALETTE_FILE = DATA_DIR / "palette.json"

# Rules a suggestion must pass (hard) and the ones relaxed, in this order, when a slot would be empty.
HARD_RULES = ("in_stock", "not_same_type", "gender", "occasion", "season", "device")
SOFT_RULES = ("price", "colour")
OCCASION_KEYS = ("Occasion", "occasion", "usage", "Usage")
DEVICE_KEYS = ("Designed For", "Designed for", "Compatible Model", "Compatible Models", "Model")
_FOR_RE = re.compile(r"\bfor\s+(.+)$", re.I)
_TOKEN_RE = re.compile(r"[a-z0-9]+")


class RulesError(ValueError):
    """The rules or palette file cannot be used; says which file and why."""


@dataclass
class OutfitRules:
    slot_patterns: list[tuple[str, re.Pattern[str]]]
    slot_excludes: dict[str, re.Pattern[str]]  # a product whose type/category/title matches is not in the slot
    labels: dict[str, str]
    complements: dict[str, list[str]]
    gendered: frozenset[str]
    device_slots: frozenset[str]
    device_makers: frozenset[str]
    device_generic: frozenset[str]
    occasion_words: dict[str, str]
    occasion_ok: frozenset[tuple[str, str]]
    season_bad: frozenset[tuple[str, str]]
    price_min: float
    price_max: float
    price_slots: dict[str, tuple[float, float]]
    max_slots: int
    neutrals: frozenset[str]
    colour_aliases: dict[str, str]
    clashes: frozenset[tuple[str, str]]
    _occasion_re: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        words = sorted(self.occasion_words, key=len, reverse=True)
        self._occasion_re = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.I)

    @classmethod
    def load(cls, rules_path: str | Path | None = None, palette_path: str | Path | None = None) -> OutfitRules:
        rules_path = Path(rules_path or RULES_FILE)
        palette_path = Path(palette_path or PALETTE_FILE)
        try:
            rules = json.loads(rules_path.read_text())
            palette = json.loads(palette_path.read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise RulesError(f"cannot read outfit rules: {e}") from None
        return cls.from_dicts(rules, palette, str(rules_path))

    @classmethod
    def from_dicts(cls, rules: dict[str, Any], palette: dict[str, Any], where: str = "rules") -> OutfitRules:
        try:
            patterns = [
                (s["slot"], re.compile("|".join(f"(?:{p})" for p in s["patterns"]), re.I)) for s in rules["slots"]
            ]
            labels = {s["slot"]: s.get("label", s["slot"].replace("_", " ")) for s in rules["slots"]}
            excludes = {
                s["slot"]: re.compile("|".join(f"(?:{p})" for p in s["exclude"]), re.I)
                for s in rules["slots"]
                if s.get("exclude")
            }
            band = rules.get("price_band", {})
            pair = lambda xs: frozenset(tuple(sorted((a.lower(), b.lower()))) for a, b in xs)
        except (KeyError, TypeError, re.error) as e:
            raise RulesError(f"{where}: bad slot rule ({e}); each slot needs 'slot' and 'patterns'") from None
        known = {s for s, _ in patterns}
        unknown = {s for k, v in rules.get("complements", {}).items() for s in [k, *v]} - known
        if unknown:
            raise RulesError(f"{where}: complements name slots without a classifier rule: {sorted(unknown)}")
        return cls(
            slot_patterns=patterns,
            slot_excludes=excludes,
            labels=labels,
            complements={k: list(v) for k, v in rules.get("complements", {}).items()},
            gendered=frozenset(rules.get("gendered", [])),
            device_slots=frozenset(rules.get("device_slots", [])),
            device_makers=frozenset(w.lower() for w in rules.get("device_makers", [])),
            device_generic=frozenset(w.lower() for w in rules.get("device_generic", [])),
            occasion_words={k.lower(): v for k, v in rules.get("occasions", {}).items()},
            occasion_ok=pair(rules.get("occasion_compatible", [])),
            season_bad=pair(rules.get("season_incompatible", [])),
            price_min=float(band.get("min_ratio", 0.0)),
            price_max=float(band.get("max_ratio", float("inf"))),
            price_slots={k: (float(v[0]), float(v[1])) for k, v in band.get("slots", {}).items()},
            max_slots=int(rules.get("max_slots", 6)),
            neutrals=frozenset(palette.get("neutrals", [])),
            colour_aliases={k.lower(): v for k, v in palette.get("aliases", {}).items()},
            clashes=pair(palette.get("clashes", [])),
        )

    # ---- per-product features -------------------------------------------------------------------

    def slot_of(self, p: Product) -> str | None:
        """The slot a product fills: its type first, then its category path (leaf first), then its title."""
        texts = [t for t in (p.product_type, p.attributes.get("articleType")) if t]
        nodes = p.category[1:] if len(p.category) > 1 else p.category
        texts += list(reversed(nodes))
        if not p.product_type:
            texts.append(p.title)
        whole = " | ".join([*(t for t in texts), p.title])
        for text in texts:
            for slot, rx in self.slot_patterns:
                if rx.search(text):
                    ex = self.slot_excludes.get(slot)
                    if ex is not None and ex.search(whole):
                        continue  # e.g. a camera's battery charger is not a phone charger
                    return slot
        return None

    def occasions_of(self, p: Product) -> frozenset[str]:
        """Canonical occasions from the shop's occasion/usage fields, else from the type and title words."""
        text = " , ".join(p.attributes[k] for k in OCCASION_KEYS if p.attributes.get(k))
        if not text:
            text = f"{p.product_type or ''} , {p.title}"
        return frozenset(self.occasion_words[m.group(1).lower()] for m in self._occasion_re.finditer(text))

    def colour_of(self, p: Product) -> str | None:
        c = (p.colour or "").lower() or None
        if c is None:
            return None
        return self.colour_aliases.get(c) or canonical_colour(c) or c

    def device_of(self, p: Product) -> tuple[frozenset[str], str] | None:
        """Model tokens of the device an accessory (or a device) names, with the readable name."""
        candidates = [p.attributes[k] for k in DEVICE_KEYS if p.attributes.get(k)]
        m = _FOR_RE.search(p.title)
        if m:
            candidates.append(m.group(1))
        for text in candidates:
            m2 = _FOR_RE.search(text)  # "USB Adapter with Cable For Dzire VC"
            name = (m2.group(1) if m2 else text).strip()
            tokens = self._device_tokens(name)
            if tokens:
                return tokens, name
        # "D'clair Micromax A46 Battery Charger": the model follows the maker's name
        words = _TOKEN_RE.findall(p.title.lower())
        for i, w in enumerate(words):
            if w in self.device_makers:
                tail = []
                for t in words[i + 1 :]:
                    if t in self.device_generic:
                        break
                    tail.append(t)
                tokens = self._device_tokens(" ".join(tail))
                if tokens:
                    return tokens, " ".join(p.title.split()[i : i + 1 + len(tail)])
        return None

    def _device_tokens(self, name: str) -> frozenset[str]:
        return frozenset(
            t for t in _TOKEN_RE.findall(name.lower()) if t not in self.device_makers and t not in self.device_generic
        )

    # ---- pairwise verdicts --------------------------------------------------------------------

    def complements_of(self, slot: str | None) -> list[str]:
        return list(self.complements.get(slot or "", []))

    def gender_ok(self, anchor: str | None, cand: str | None, slot: str) -> bool:
        if slot not in self.gendered or not anchor or anchor == "unisex":
            return True
        return cand in GENDER_ADMITS.get(anchor, frozenset({anchor, "unisex"}))

    def occasion_match(self, anchor: frozenset[str], cand: frozenset[str]) -> tuple[bool, str | None]:
        """(compatible, the occasion to name). Unknown on either side is compatible."""
        if not anchor or not cand:
            return True, None
        shared = sorted(anchor & cand)
        if shared:
            return True, shared[0]
        for a in sorted(anchor):
            for c in sorted(cand):
                if tuple(sorted((a, c))) in self.occasion_ok:
                    return True, c
        return False, None

    def season_ok(self, anchor: str | None, cand: str | None) -> bool:
        if not anchor or not cand:
            return True
        return tuple(sorted((anchor, cand))) not in self.season_bad

    def colour_verdict(self, anchor: str | None, cand: str | None) -> tuple[bool, str | None]:
        """(goes together, reason). Unknown colours neither clash nor earn a reason."""
        if not anchor or not cand:
            return True, None
        if cand in self.neutrals:
            return True, "neutral colour"
        if anchor in self.neutrals:
            return True, f"{cand} goes with {anchor}"
        if anchor == cand and tuple(sorted((anchor, cand))) not in self.clashes:
            return True, "same colour"
        if tuple(sorted((anchor, cand))) in self.clashes:
            return False, None
        return True, f"{cand} goes with {anchor}"

    def price_ok(self, anchor: float | None, cand: float | None, slot: str) -> bool:
        if not anchor or cand is None:
            return True
        lo, hi = self.price_slots.get(slot, (self.price_min, self.price_max))
        return lo * anchor <= cand <= hi * anchor

    @staticmethod
    def device_ok(anchor: frozenset[str] | None, cand: frozenset[str] | None) -> bool:
        """Both name a device: one's model tokens must contain the other's ("iPad" fits "iPad Mini")."""
        if not anchor or not cand:
            return True
        return anchor <= cand or cand <= anchor
