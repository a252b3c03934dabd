"""Looks: complete the look. Slots that go with an anchor product (from editable complementarity and palette
rules), filled by the search engine, checked against hard rules (gender, clashes), reordered by what shoppers
buy together.

Public interface: `complete_the_look(engine, anchors, k, profile, copurchase, rules) -> Look`, `OutfitRules`,
`CoPurchase`, `outfit_index`, `default_rules`.
"""

from assistant.looks.copurchase import CoPurchase
from assistant.looks.outfits import Look, LookItem, OutfitIndex, Slot, complete_the_look, default_rules, outfit_index
from assistant.looks.rules import OutfitRules, RulesError

__all__ = [
    "CoPurchase",
    "Look",
    "LookItem",
    "OutfitIndex",
    "OutfitRules",
    "RulesError",
    "Slot",
    "complete_the_look",
    "default_rules",
    "outfit_index",
]
