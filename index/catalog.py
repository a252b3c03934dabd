"""The one catalog loader: CSV or JSONL, mapped columns, validated rows."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from index.attributes import canonical_colour, derive_colour, derive_gender, derive_type

csv.field_size_limit(sys.maxsize)


@dataclass
class Product:
    id: str
    title: str
    description: str = ""
    category: list[str] = field(default_factory=list)  # path, root first
    brand: str | None = None
    colour: str | None = None  # canonical colour (see index.attributes.COLOURS)
    gender: str | None = None  # women/men/girls/boys/baby/unisex
    product_type: str | None = None
    price: float | None = None
    list_price: float | None = None  # before discount, when the shop has one
    currency: str = "INR"
    image_url: str | None = None
    url: str | None = None
    in_stock: bool = True
    attributes: dict[str, str] = field(default_factory=dict)
    rating: float | None = None  # the shop's average rating (0-5), when it has one
    group: str | None = None  # variants of one product share it (a mapped column); None: the title groups

    @property
    def category_path(self) -> str:
        """The readable path, e.g. "Clothing > Women's Clothing > Shorts"."""
        return " > ".join(self.category)

    def content_hash(self) -> str:
        """Hash of everything that goes into the embedded text or the stored metadata."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Product:
        return cls(**d)


@dataclass
class Mapping:
    """Which shop column feeds which product field, and how to read the messy ones."""

    columns: dict[str, str] = field(default_factory=dict)  # product field -> shop column
    category_separator: str = ">>"
    currency: str = "INR"
    derive: bool = True  # fill gender/colour/type from text where the shop has no column
    # Plain shop columns copied into Product.attributes under their column name (e.g. "season", "usage").
    attribute_columns: list[str] = field(default_factory=list)
    # Shop columns that together form the category path, root first, when there is no one category column.
    category_columns: list[str] = field(default_factory=list)

    FIELDS = (
        "id",
        "title",
        "description",
        "category",
        "brand",
        "colour",
        "gender",
        "product_type",
        "price",
        "list_price",
        "currency",
        "image_url",
        "url",
        "in_stock",
        "attributes",
        "rating",
        "group",
    )

    def column(self, fld: str) -> str:
        return self.columns.get(fld, fld)

    @classmethod
    def load(cls, path: str | Path | None) -> Mapping:
        if path is None:
            return cls()
        data = json.loads(Path(path).read_text())
        unknown = set(data.get("columns", {})) - set(cls.FIELDS)
        if unknown:
            raise CatalogError(
                str(path),
                0,
                f"mapping names unknown product fields {sorted(unknown)}; known fields are {list(cls.FIELDS)}",
            )
        return cls(
            columns=data.get("columns", {}),
            category_separator=data.get("category_separator", ">>"),
            currency=data.get("currency", "INR"),
            derive=data.get("derive", True),
            attribute_columns=list(data.get("attribute_columns", [])),
            category_columns=list(data.get("category_columns", [])),
        )


class CatalogError(Exception):
    """A catalog row (or the file) cannot be used; says where and why."""

    def __init__(self, path: str, line: int, reason: str):
        self.path, self.line, self.reason = path, line, reason
        super().__init__(f"{path}:{line}: {reason}")


@dataclass
class LoadReport:
    products: list[Product]
    skipped: list[CatalogError]

    def reasons(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self.skipped:
            key = e.reason.split(":")[0]
            out[key] = out.get(key, 0) + 1
        return out


_PRICE_RE = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def parse_price(raw: Any) -> float | None:
    """'₹1,299.00', 'Rs. 999', '12.5 EUR' -> float; '' -> None; garbage -> ValueError."""
    if raw is None:
        return None
    if isinstance(raw, (int, float)):
        return float(raw)
    text = str(raw).strip()
    if not text:
        return None
    m = _PRICE_RE.search(text)
    if not m:
        raise ValueError(f"unparseable price {text!r}")
    value = float(m.group(0).replace(",", ""))
    if value < 0:
        raise ValueError(f"negative price {text!r}")
    return value


def parse_category(raw: Any, sep: str = ">>") -> list[str]:
    """'["A >> B >> C..."]' or 'A > B' or a list -> ['A', 'B', 'C']."""
    if isinstance(raw, list):
        return [str(x).strip() for x in raw if str(x).strip()]
    text = str(raw or "").strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
            text = items[0] if items else ""
        except (json.JSONDecodeError, IndexError, TypeError):
            text = text.strip('[]"')
    parts = [p.strip() for p in text.split(sep)] if sep in text else [text.strip()]
    parts = [re.sub(r"\s*\.\.\.$", "", p) for p in parts]
    return [p for p in parts if p]


_SPEC_PAIR_RE = re.compile(r'"key"\s*=>\s*"((?:[^"\\]|\\.)*)"\s*,\s*"value"\s*=>\s*"((?:[^"\\]|\\.)*)"')


def parse_specs(raw: Any) -> dict[str, str]:
    """JSON objects, Flipkart's Ruby-hash text ({"key"=>"Fabric", "value"=>"Cotton"}) or 'k: v; k: v'."""
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items() if v not in (None, "")}
    text = str(raw or "").strip()
    if not text:
        return {}
    pairs = _SPEC_PAIR_RE.findall(text)
    if pairs:
        return {k.strip(): v.strip() for k, v in pairs if k.strip() and v.strip()}
    if text.startswith("{"):
        try:
            data = json.loads(text)
            if isinstance(data, dict):
                return {str(k): str(v) for k, v in data.items() if v not in (None, "")}
        except json.JSONDecodeError:
            pass
    out: dict[str, str] = {}
    for part in re.split(r"[;|]", text):
        if ":" in part:
            k, v = part.split(":", 1)
            if k.strip() and v.strip():
                out[k.strip()] = v.strip()
    return out


def parse_image(raw: Any) -> str | None:
    """First URL of a JSON list of image URLs, or the value itself."""
    if isinstance(raw, list):
        return str(raw[0]) if raw else None
    text = str(raw or "").strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
            return str(items[0]) if items else None
        except json.JSONDecodeError:
            return None
    return text or None


def parse_rating(raw: Any) -> float | None:
    """'4.2' -> 4.2; 'No rating available', '' or anything outside 0-5 -> None (a rating is optional)."""
    try:
        value = float(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if 0 <= value <= 5 else None


def parse_bool(raw: Any, default: bool = True) -> bool:
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() in {"1", "true", "yes", "y", "in stock", "instock"}


def _brand(raw: str, title: str, category: list[str]) -> str | None:
    """The shop's brand column, corrected by the tree where it plainly disagrees with the title.

    Flipkart's brand column sometimes holds a fit ("Slim") while the tree says "Reckler Jeans"
    and the title starts "Reckler ...": the tree+title agreement wins then.
    """
    brand = (raw or "").strip() or None
    low_title = title.lower()
    if brand and low_title.startswith(brand.lower()):
        return brand
    for node in category[2:]:
        if low_title.startswith(node.lower()):
            continue  # the product's own name as a leaf says nothing about where the brand ends
        words = node.split()
        for i in range(len(words) - 1, 0, -1):  # longest brand-like prefix of a shelf name
            cand = " ".join(words[:i])
            if low_title.startswith(cand.lower() + " "):
                return cand
    return brand


def row_to_product(row: dict[str, Any], mapping: Mapping, path: str, line: int) -> Product:
    """One raw row -> Product, or CatalogError with the reason."""

    def get(fld: str) -> Any:
        v = row.get(mapping.column(fld))
        return v.strip() if isinstance(v, str) else v

    pid = get("id")
    if pid in (None, ""):
        raise CatalogError(path, line, f"missing id: column {mapping.column('id')!r} is empty")
    title = get("title")
    if not title:
        raise CatalogError(path, line, f"missing title: column {mapping.column('title')!r} is empty")
    try:
        price = parse_price(get("price"))
        list_price = parse_price(get("list_price"))
    except ValueError as e:
        raise CatalogError(path, line, f"unparseable price: {e}") from None
    if price is None and list_price is not None:
        price = list_price
    if mapping.category_columns and "category" not in mapping.columns:
        category = [str(row.get(c) or "").strip() for c in mapping.category_columns]
        category = [c for c in category if c]
    else:
        category = parse_category(get("category"), mapping.category_separator)
    if category and title and category[0].lower().startswith(title.lower()[:20]):
        category = []  # malformed tree: the product's name where the root category should be
    specs = parse_specs(get("attributes"))
    for col in mapping.attribute_columns:
        value = str(row.get(col) or "").strip()
        if value and col not in specs:
            specs[col] = value
    description = str(get("description") or "")
    title = str(title)
    brand = _brand(str(get("brand") or ""), title, category)
    colour = get("colour") or None
    gender = get("gender") or None
    ptype = get("product_type") or None
    if mapping.derive:
        colour = (
            (canonical_colour(colour) or colour.lower()) if colour else derive_colour(title, specs, description, brand)
        )
        gender = gender.lower() if gender else derive_gender(title, category, specs)
        ptype = ptype or derive_type(title, category, brand)
    return Product(
        id=str(pid),
        title=title,
        description=description,
        category=category,
        brand=brand,
        colour=colour,
        gender=gender,
        product_type=ptype,
        price=price,
        list_price=list_price if list_price and price and list_price > price else None,
        currency=str(get("currency") or mapping.currency),
        image_url=parse_image(get("image_url")),
        url=get("url") or None,
        in_stock=parse_bool(get("in_stock")),
        attributes=specs,
        rating=parse_rating(get("rating")),
        group=str(get("group")).strip() or None if get("group") not in (None, "") else None,
    )


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | CatalogError]]:
    """(line, row) pairs; a row that cannot even be read comes as its CatalogError."""
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8") as f:
            for i, text in enumerate(f, start=1):
                if not text.strip():
                    continue
                try:
                    obj = json.loads(text)
                except json.JSONDecodeError as e:
                    yield i, CatalogError(str(path), i, f"invalid JSON: {e.msg}")
                    continue
                if not isinstance(obj, dict):
                    yield i, CatalogError(str(path), i, "invalid JSON: each line must be an object")
                    continue
                yield i, obj
    elif path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            for row in reader:
                # line_num is the physical line where the record ended (multi-line cells)
                yield reader.line_num, row
    else:
        raise CatalogError(str(path), 0, "unsupported catalog format: use .csv or .jsonl")


def load_catalog(path: str | Path, mapping: Mapping | None = None, strict: bool = False) -> LoadReport:
    """Read and validate a catalog. strict: the first bad row raises; else bad rows are skipped and reported."""
    path = Path(path)
    if not path.exists():
        raise CatalogError(str(path), 0, "catalog file not found")
    mapping = mapping or Mapping()
    products: list[Product] = []
    skipped: list[CatalogError] = []
    seen: dict[str, int] = {}
    for line, row in _rows(path):
        try:
            if isinstance(row, CatalogError):
                raise row
            p = row_to_product(row, mapping, str(path), line)
            if p.id in seen:
                raise CatalogError(str(path), line, f"duplicate id: {p.id!r} first seen on line {seen[p.id]}")
        except CatalogError as e:
            if strict:
                raise
            skipped.append(e)
            continue
        seen[p.id] = line
        products.append(p)
    if not products:
        raise CatalogError(str(path), 0, "no usable products in the catalog")
    return LoadReport(products, skipped)


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
