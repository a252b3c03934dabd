"""Autocomplete phrases built with the product index: extraction, product matching, persistence.

A phrase is something a shopper might type into the search box: a brand, a category, an attribute +
type ("red dresses", "men's running shoes") or a product title cut to its core. Each phrase carries
the products it matches (every phrase word occurs in the product's lexical text, the same words BM25
searches), so that a suggestion that would find nothing is never offered, and the best few of those
products (closest to the phrase in the vector space) so the search box can show product hits without
running the model per keystroke.

    version_dir/suggestions.jsonl         {"text", "kind", "count", "top": [product ids]} per line
    version_dir/suggestion_vectors.npy    row i embeds line i (unit-norm, stored float16)
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.catalog import Product
from index.lexical import lexical_text
from index.text import normalise, terms

PHRASES_FILE = "suggestions.jsonl"
VECTORS_FILE = "suggestion_vectors.npy"
STORED_DTYPE = np.float16
KINDS = ("query", "category", "brand", "product")
# When two sources give the same phrase, the more general kind names it.
_KIND_RANK = {"brand": 0, "category": 1, "query": 2, "product": 3}
TOP_PRODUCTS = 10  # products kept per phrase (re-ranked per shopper at query time)
MAX_PRODUCT_WORDS = 6

_GENDER_PHRASE = {"men": "men's", "women": "women's", "girls": "girls'", "boys": "boys'", "baby": "baby"}
_GENDERED = re.compile(r"\b(men|women|girls?|boys?|baby|kids?|unisex)\b|'s\b")
_TITLE_CUT = re.compile(r"\s*(?:\(|\[|,| - | \| | with ).*$")
_DANGLING = frozenset({"for", "with", "and", "of", "&", "in", "on", "to", "by", "the", "a", "an", "-", "+"})
_MODEL_CODE = re.compile(r"^(?=.*\d)(?=.*[a-z])[a-z0-9\-/.+]{6,}$")  # "se122102-green", "dx900abc"


@dataclass
class Phrase:
    text: str  # display form: normalised (lowercase, no accents, single spaces)
    kind: str  # one of KINDS
    count: int = 0  # products the phrase matches
    top: list[str] = field(default_factory=list)  # ids of its best products, best first
    distinct: int = 0  # of those, distinct products (variants sharing a title or group once); 0: not counted

    def to_json(self) -> str:
        # the fields by hand, not dataclasses.asdict: its deep copy was most of the time of writing 50k phrases
        d = {"text": self.text, "kind": self.kind, "count": self.count, "top": self.top, "distinct": self.distinct}
        return json.dumps(d, ensure_ascii=False)


def display_form(text: str) -> str:
    """The form a suggestion is shown in: normalised, typographic apostrophes folded, no edge punctuation."""
    text = normalise(text).replace("’", "'").replace("`", "'")
    return text.strip(" .,;:-|/&+")


def phrase_key(text: str) -> str:
    """What two phrases are compared by: the word keys of their display form (see autocomplete.word_spans)."""
    return " ".join(re.sub(r"[^a-z0-9]", "", w) for w in re.findall(r"[a-z0-9][a-z0-9'’]*", display_form(text))).strip()


def _leads_title(brand: str, title: str) -> bool:
    nb = normalise(brand)
    return len(nb) >= 2 and normalise(title).startswith(nb)


def title_core(p: Product) -> str:
    """A product title cut to what a shopper would type: no pack sizes, model codes or trailing details."""
    text = _TITLE_CUT.sub("", display_form(p.title))
    words = [w for w in text.split() if not _MODEL_CODE.match(w)][:MAX_PRODUCT_WORDS]
    while words and words[-1] in _DANGLING:  # a cut mid-phrase leaves "bike handle grip for"
        words.pop()
    return " ".join(words).strip(" .,;:-|/&+")


def category_nodes(p: Product) -> list[str]:
    """Category names of a product that are shelves, not the brand's own shelf or the product's name."""
    out = []
    title = normalise(p.title)
    brand = normalise(p.brand or "")
    for node in p.category[:4]:
        low = normalise(node)
        if not low or (title and low.startswith(title[:25])) or (brand and low.startswith(brand + " ")):
            continue
        out.append(node)
    if p.product_type and p.product_type not in out:
        out.append(p.product_type)
    return out


def product_phrases(p: Product) -> Iterable[tuple[str, str]]:
    """(text, kind) candidates one product contributes."""
    if p.brand and _leads_title(p.brand, p.title):
        yield p.brand, "brand"
    for node in category_nodes(p):
        yield node, "category"
    ptype = display_form(p.product_type or "")
    if ptype:
        if p.gender in _GENDER_PHRASE and not _GENDERED.search(ptype):  # not "men's men's clothing"
            yield f"{_GENDER_PHRASE[p.gender]} {ptype}", "query"
        if p.colour and p.colour != "multicolor":
            yield f"{p.colour} {ptype}", "query"
        if p.brand and _leads_title(p.brand, p.title) and not ptype.startswith(normalise(p.brand)):
            yield f"{display_form(p.brand)} {ptype}", "query"
    core = title_core(p)
    if len(core.split()) >= 2:
        yield core, "product"


def extract_phrases(products: Sequence[Product]) -> list[Phrase]:
    """De-duplicated phrases of a catalog (by phrase_key), the more general kind winning a clash."""
    best: dict[str, Phrase] = {}
    for p in products:
        for text, kind in product_phrases(p):
            disp = display_form(text)
            key = phrase_key(disp)
            if len(key) < 2:
                continue
            old = best.get(key)
            if old is None or _KIND_RANK[kind] < _KIND_RANK[old.kind]:
                best[key] = Phrase(disp, kind)
    return list(best.values())


class PhraseMatcher:
    """Which products a phrase matches: every word of it occurs in the product's lexical text.

    The postings are one int32 array with offsets per term, not an array per term: ~30,000 terms at 20k
    products would each carry ~100 bytes of array header besides their rows."""

    def __init__(self, products: Sequence[Product]):
        postings: dict[str, list[int]] = {}
        for row, p in enumerate(products):
            for tok in set(terms(lexical_text(p))):
                postings.setdefault(tok, []).append(row)
        self._term = {t: i for i, t in enumerate(postings)}
        self._offsets = np.zeros(len(postings) + 1, np.int64)
        np.cumsum([len(rows) for rows in postings.values()], out=self._offsets[1:])
        self._flat = np.fromiter((r for rows in postings.values() for r in rows), np.int32, int(self._offsets[-1]))
        self.n = len(products)

    def postings(self, term: str) -> np.ndarray:
        """Rows whose lexical text has the (stemmed) term, ascending."""
        i = self._term.get(term)
        return self._flat[self._offsets[i] : self._offsets[i + 1]] if i is not None else np.zeros(0, np.int32)

    def rows(self, text: str, allowed: np.ndarray | None = None) -> np.ndarray:
        """Rows matching every token of text (and the allowed mask, if given); sorted."""
        toks = sorted(set(terms(text)), key=lambda t: len(self.postings(t)))
        if not toks:
            return np.flatnonzero(allowed) if allowed is not None else np.zeros(0, np.int64)
        out = self.postings(toks[0])
        for t in toks[1:]:
            if not len(out):
                break
            out = np.intersect1d(out, self.postings(t), assume_unique=True)
        if allowed is not None:
            out = out[allowed[out]]
        return out.astype(np.int64)


def group_ids(products: Sequence[Product]) -> np.ndarray:
    """One id per distinct product: variants share their mapped group, or else their title."""
    ids: dict[str, int] = {}
    return np.array([ids.setdefault(p.group or normalise(p.title), len(ids)) for p in products], np.int64)


def type_spread(products: Sequence[Product], matcher: PhraseMatcher, words: Iterable[str]) -> dict[str, int]:
    """word -> how many distinct product types (else last category node) the products using it span.

    A word many kinds of product carry ("bluetooth", a maker selling shoes, shirts and deodorants) is one
    shoppers search the shop by; a word of one shelf ("bluestone" rings) is not. Learned from the catalog."""
    labels: dict[str, int] = {}
    kind = np.array(
        [
            labels.setdefault(normalise(p.product_type or (p.category[-1] if p.category else "")), len(labels))
            for p in products
        ],
        np.int64,
    )
    out: dict[str, int] = {}
    by_term: dict[str, int] = {}
    for w in words:
        toks = terms(w)
        if len(toks) != 1:
            continue
        t = toks[0]
        if t not in by_term:
            rows = matcher.postings(t)
            by_term[t] = len(np.unique(kind[rows])) if len(rows) else 0
        out[w] = by_term[t]
    return out


def best_rows(rows: np.ndarray, product_vectors: np.ndarray, vector: np.ndarray, n: int = TOP_PRODUCTS) -> np.ndarray:
    """The n rows closest to vector, best first (ties: catalog order)."""
    if len(rows) <= 1:
        return rows
    sims = product_vectors[rows] @ vector
    order = np.lexsort((rows, -sims))[:n]
    return rows[order]


def candidate_phrases(products: Sequence[Product]) -> tuple[list[Phrase], list[np.ndarray]]:
    """Phrases with ≥1 matching product (count set) and the rows each matches; nothing embedded yet."""
    matcher = PhraseMatcher(products)
    groups = group_ids(products)
    phrases, matches = [], []
    for ph in extract_phrases(products):
        rows = matcher.rows(ph.text)
        if len(rows):
            ph.count = len(rows)
            ph.distinct = len(np.unique(groups[rows]))
            phrases.append(ph)
            matches.append(rows)
    return phrases, matches


def attach_top(
    phrases: Sequence[Phrase],
    matches: Sequence[np.ndarray],
    products: Sequence[Product],
    product_vectors: np.ndarray,
    vectors: np.ndarray,
) -> None:
    """Set each phrase's best products: its matching rows closest to its vector."""
    for ph, rows, vec in zip(phrases, matches, vectors, strict=False):
        ph.top = [products[r].id for r in best_rows(rows, product_vectors, vec).tolist()]


def build_suggestions(
    products: Sequence[Product], product_vectors: np.ndarray, embed, previous: dict[str, np.ndarray] | None = None
) -> tuple[list[Phrase], np.ndarray]:
    """Phrases with ≥1 matching product, their embeddings and their best products.

    embed(texts) -> (n, dim) unit vectors; phrases whose vector is in `previous` (by text, from the
    last version) are not embedded again, so an incremental rebuild costs only the new phrases.
    (The index build embeds phrases in one pass with the products: index.build.)
    """
    phrases, matches = candidate_phrases(products)
    previous = previous or {}
    dim = product_vectors.shape[1] if product_vectors.ndim == 2 else 0
    vectors = np.zeros((len(phrases), dim), np.float32)
    todo = [i for i, ph in enumerate(phrases) if ph.text not in previous]
    for i, ph in enumerate(phrases):
        if ph.text in previous:
            vectors[i] = previous[ph.text]
    if todo:
        vectors[todo] = embed([phrases[i].text for i in todo])
    attach_top(phrases, matches, products, product_vectors, vectors)
    return phrases, vectors


def write_suggestions(vdir: Path, phrases: Sequence[Phrase], vectors: np.ndarray) -> None:
    """Write both files, each appearing whole or not at all (a version may get them after it is published)."""
    vdir = Path(vdir)
    tmp = vdir / f".{VECTORS_FILE}.tmp"
    with open(tmp, "wb") as f:
        # float16 halves the file; its relative error (< 5e-4 per component) is far below phrase differences.
        np.save(f, np.ascontiguousarray(vectors, dtype=STORED_DTYPE))
    os.replace(tmp, vdir / VECTORS_FILE)
    tmp = vdir / f".{PHRASES_FILE}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for ph in phrases:
            f.write(ph.to_json() + "\n")
    os.replace(tmp, vdir / PHRASES_FILE)  # last: readers need both files


def read_suggestions(vdir: Path) -> tuple[list[Phrase], np.ndarray] | None:
    """The phrases of a version directory, or None when it was built before autocomplete existed."""
    vdir = Path(vdir)
    if not (vdir / PHRASES_FILE).exists() or not (vdir / VECTORS_FILE).exists():
        return None
    with open(vdir / PHRASES_FILE, encoding="utf-8") as f:
        phrases = [Phrase(**json.loads(line)) for line in f if line.strip()]
    for ph in phrases:  # four kinds, not one string per phrase
        ph.kind = sys.intern(ph.kind)
    # as stored (float16; older versions float32): a float32 copy would double the largest array autocomplete holds
    vectors = np.load(vdir / VECTORS_FILE)
    if vectors.shape[0] != len(phrases):
        return None  # a torn write: rebuild from the catalog instead of serving mismatched rows
    return phrases, vectors


def previous_vectors(vdir: Path | None) -> dict[str, np.ndarray]:
    """text -> vector of the phrases of an older version (for incremental builds)."""
    got = read_suggestions(vdir) if vdir is not None and Path(vdir).exists() else None
    if got is None:
        return {}
    phrases, vectors = got
    return {ph.text: vectors[i] for i, ph in enumerate(phrases)}
