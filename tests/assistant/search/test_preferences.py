"""The preference tiers as a pure function over what the catalog states (assistant/search/preferences.py)."""

import numpy as np

from assistant.search.preferences import Stated, apply_preferences
from assistant.search.ranking import Tiers

# six products: 0-3 sarees, 4-5 nets; material stated for 0 (cotton), 1 (silk), 2 (poly cotton: a match in part), 4
MATERIAL = {"cotton": [0, 2], "silk": [1], "net": [4]}
BLEND = {"cotton": [2]}
COLOUR = {"red": [0, 4], "blue": [1]}


def mask(rows: list[int], n: int = 6) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    m[rows] = True
    return m


STATED = Stated(
    gender_known=mask([]),
    colour_known=mask([0, 1, 4]),
    material_known=mask([0, 1, 2, 4]),
    brand=lambda b: mask([]),
    gender=lambda g: mask([]),
    colour=lambda c: mask(COLOUR.get(c, [])),
    material=lambda m: mask(MATERIAL.get(m, [])),
    blend=lambda m: mask(BLEND.get(m, [])),
)
SAREES = mask([0, 1, 2, 3])


def test_a_known_mismatch_of_the_type_comes_after_its_fits_and_the_blend_between_pure_and_unknown():
    tiers = Tiers()
    allowed, relaxed, after = apply_preferences({"material": "cotton"}, None, tiers, SAREES, STATED)
    assert relaxed == []
    assert after is not None and after.tolist() == mask([1]).tolist()  # the silk saree: after cotton and unknown
    assert allowed is not None and not allowed[4]  # the net, of another type, is known not cotton: never shown
    boost = tiers.boost(np.arange(6))
    # cotton saree, then the poly cotton one, then the one that does not say, then the silk one
    assert boost[0] > boost[2] > boost[3] > boost[1]


def test_a_material_no_product_of_the_type_has_is_relaxed_and_said():
    tiers = Tiers()
    allowed, relaxed, after = apply_preferences({"material": "net"}, None, tiers, SAREES, STATED)
    assert relaxed == ["material"] and after is None and allowed is None and tiers.parts == []


def test_a_colour_never_shows_a_known_other_colour_without_a_type():
    allowed, relaxed, _ = apply_preferences({"colour": "red"}, None, Tiers(), None, STATED)
    assert relaxed == [] and allowed is not None
    assert allowed.tolist() == mask([0, 2, 3, 4, 5]).tolist()  # not the blue one; the unstated stay


def test_the_filters_leaving_nothing_relax_nothing():
    allowed, relaxed, after = apply_preferences({"colour": "red"}, mask([]), Tiers(), None, STATED)
    assert relaxed == [] and after is None and not allowed.any()
