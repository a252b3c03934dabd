"""Materials as a shopper reads them: which words of this catalog name a material (learned from its material
specifications), and which materials a product's own page names (its title and material specifications).

A material a product names is *known*: a query asking for another material never shows it ("silk saree" and
"Cotton Sari"). So the vocabulary keeps only words that name a material on their own: a word the catalog
writes only as the qualifier of another material ("Genuine Leather", "Artificial Leather", "Poly Cotton") or
the name of the specification itself ("Fabric: Fabric") names none, and colours ("gold", "silver") are read as
colours. A brand is no material ("Annapurna Silks", "Cotton Fab"); a blend names each of its materials
("Cotton Silk": both), and so does a qualifier written together with its material ("Polycotton", "Polycrepe": a
polyester blend of cotton, of crepe). Such a qualifier names the same blend written apart ("Poly Cotton"): the
catalog writing it glued to a material is what says it is a blend's, not a word like "Genuine" that names the
material in full ("Genuine Leather"). A shopper asking for cotton takes a polycotton sari as a partial match:
never a mismatch (it is part cotton), never in full (it is not pure cotton); the page ranks it after the products
stating the material alone, and the notice counts it apart ("1 in a cotton blend").
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Container, Iterable

from index.catalog import Product
from index.text import stem, terms, tokenize, words

# The specification lines that state what a product is made of (not "Sole Material", not "Lining").
MATERIAL_KEYS = ("Fabric", "Material", "Outer Material", "Upper Material")
_PARTS = re.compile(r",|&|/|\+|;")  # one value, several materials: "Polyamide, Nylon", "Cotton+ Denim"
_MIN_USES = 3  # a word the catalog writes as a material at least this often
# English words saying that what follows imitates a material ("Synthetic Leather", "PU Leather", "Faux Fur"): a
# page naming one names the imitation, never the material itself. A word of the language, like the chat's
# relation words, not a list of this catalog's names.
IMITATIONS = frozenset({"artificial", "faux", "fake", "imitation", "pu", "synthetic", "vegan"})


class MaterialWords(frozenset):
    """Stems of this catalog's material words, with the qualifiers it writes before them ("poly", "genuine"), so
    that a word joining the two ("polycotton") is read as a blend of the material."""

    qualifiers: frozenset[str] = frozenset()  # as written, lower case
    blends: frozenset[str] = frozenset()  # the qualifiers the catalog also writes glued to a material ("poly")

    def blend_of(self, word: str) -> str | None:
        """The material stem a qualifier glued to a material word names ("polycotton" -> cotton), else None."""
        for q in self.qualifiers:
            if word.startswith(q) and len(word) - len(q) > 2 and (m := stem(word[len(q) :])) in self:
                return m
        return None


def material_words(stems: Iterable[str], qualifiers: Iterable[str] = (), blends: Iterable[str] = ()) -> MaterialWords:
    """A MaterialWords of these stems and qualifiers (blends: those of them that name a blend written apart)."""
    out = MaterialWords(stems)
    out.qualifiers = frozenset(qualifiers)
    out.blends = frozenset(blends) & out.qualifiers
    return out


def _words(text: str) -> list[str]:
    return [stem(w) for w in tokenize(text) if w.isalpha() and len(w) > 2]


def learn_materials(products: Iterable[Product], colours: Container[str]) -> MaterialWords:
    """Stems of the words this catalog's material specifications use as a material, colours and qualifiers
    left out, with the qualifiers as written. A qualifier is never a material on its own (no value or part of
    one is that word alone) and most of its uses come right before another material word ("Genuine Leather",
    "Poly Crepe")."""
    uses: Counter = Counter()
    parts: list[list[str]] = []
    written: dict[str, set[str]] = {}  # stem -> the words written for it
    for p in products:
        for key in MATERIAL_KEYS:
            value = p.attributes.get(key, "")
            for part in _PARTS.split(value) if value else ():
                raw = [w for w in tokenize(part) if w.isalpha() and len(w) > 2]
                ws = [stem(w) for w in raw]
                for w, t in zip(raw, ws, strict=True):
                    written.setdefault(t, set()).add(w)
                uses.update(ws)
                parts.append(ws)
    found = {w for w, c in uses.items() if c >= _MIN_USES and w not in colours}
    alone = {ws[0] for ws in parts if len(ws) == 1}
    before: Counter = Counter(a for ws in parts for a, b in itertools.pairwise(ws) if a in found and b in found)
    qualifiers = {w for w in found if w not in alone and 2 * before[w] >= uses[w]}
    field_names = {t for key in MATERIAL_KEYS for t in _words(key)}  # "Fabric", "Material": what is asked
    out = material_words(found - qualifiers - field_names, (w for q in qualifiers for w in written[q]))
    # a qualifier the catalog also writes glued to a material ("Polycotton" beside "Poly Cotton") is a blend's
    glued = {w for ws in written.values() for w in ws} | {w for p in products for w in words(p.title)}
    out.blends = frozenset(q for q in out.qualifiers if any(w.startswith(q) and out.blend_of(w) for w in glued))
    return out


def spec_material(p: Product) -> str:
    """The text of the product's material specifications ("" when it states none)."""
    return " ".join(v for key in MATERIAL_KEYS if (v := p.attributes.get(key, "")))


def title_materials(p: Product, materials: Container[str]) -> frozenset[str]:
    """Stems of the materials a product's title names, its brand left out wherever the title says it."""
    alone, blends, _ = _title_reading(p, materials)
    return alone | blends


def _title_reading(p: Product, materials: Container[str]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(materials the title names alone, those it names as part of a blend, those it names imitated), its brand
    left out."""
    ws = words(p.title)
    brand = words(p.brand or "")
    n = len(brand)
    kept: list[str] = []
    i = 0
    while i < len(ws):
        if n and ws[i : i + n] == brand:  # the brand's words, in order: no material of the product
            i += n
            continue
        kept.append(ws[i])
        i += 1
    return _reading(kept, materials)


def _reading(ws: list[str], materials: Container[str]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(materials named alone, materials named as part of a blend, materials named imitated) of a run of words:
    "Polycotton" and "Poly Cotton" name a blend of cotton, "Cotton" and "Genuine Leather" their material,
    "Synthetic Leather" an imitation of leather (and synthetic, where that is a material of the catalog)."""
    mw = materials if isinstance(materials, MaterialWords) else None
    alone: set[str] = set()
    blends: set[str] = set()
    imitated: set[str] = set()
    i = 0
    while i < len(ws):
        w = ws[i]
        if w in IMITATIONS and i + 1 < len(ws) and (t := stem(ws[i + 1])) in materials:
            imitated.add(t)
            if (own := stem(w)) in materials:
                alone.add(own)
            i += 2
            continue
        if mw is not None and w in mw.blends and i + 1 < len(ws) and (t := stem(ws[i + 1])) in mw:
            blends.add(t)  # "Poly Cotton": the qualifier and its material, one blend
            i += 2
            continue
        if (t := stem(w)) in materials:
            alone.add(t)
        if mw is not None and (m := mw.blend_of(w)) is not None:
            blends.add(m)
        i += 1
    return frozenset(alone), frozenset(blends), frozenset(imitated)


def blended(p: Product, material: str, materials: Container[str] | None = None) -> bool:
    """A product known to be of the material names it only as a blend ("Polycotton Sari", "Fabric: Polycrepe",
    "Poly Cotton" where materials say "poly" is a blend's), not as the word alone: a partial match. Without
    materials: whether the page does not name the material alone (for a product known to be of it)."""
    if materials is not None:
        return material in material_reading(p, materials)[2]
    return material not in title_materials(p, frozenset({material})) and material not in terms(spec_material(p))


def named_materials(p: Product, materials: Container[str]) -> tuple[bool, frozenset[str]]:
    """(whether the page states a material at all, the stems it names): a material specification, whatever it
    says, or a material word of the title. What a page says it is made of is known; the rest is unknown."""
    known, named, _ = material_reading(p, materials)
    return known, named


def material_reading(p: Product, materials: Container[str]) -> tuple[bool, frozenset[str], frozenset[str]]:
    """named_materials, and the materials of those the page names only as part of a blend (never alone)."""
    spec = spec_material(p)
    title_alone, title_blends, title_imitated = _title_reading(p, materials)
    spec_alone, spec_blends, spec_imitated = _reading(words(spec), materials)
    blends = title_blends | spec_blends
    # a material the page names only imitated ("PU Leather") is not one it is made of: known, and not that one
    imitated = (title_imitated | spec_imitated) - title_alone - spec_alone - blends
    named = (title_alone | blends | frozenset(terms(spec))) - imitated
    known = bool(spec.strip()) or bool(named) or bool(imitated)
    return known, named, blends - title_alone - spec_alone
