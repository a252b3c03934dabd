"""Query-string parameters declared once: parsed with a 422 naming the field, and listed in the OpenAPI docs.

For the routes that are plain Starlette for speed (a search, a keystroke): FastAPI's parameter solving and
validation cost about half a millisecond per request (measured in the search's Server-Timing), more than the
reading itself. One declaration per parameter feeds both the parser and the docs, so they cannot disagree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from assistant.errors import BadInput

TRUE, FALSE = frozenset({"true", "1", "yes", "on"}), frozenset({"false", "0", "no", "off"})
_SCHEMA_TYPE = {str: "string", int: "integer", float: "number", bool: "boolean"}


@dataclass(frozen=True)
class Param:
    """One optional query-string parameter: its type, default and bounds (numbers: ge/le; text: length),
    or the values it may take (`choices`)."""

    name: str
    kind: type = str
    default: Any = None
    description: str = ""
    ge: float | None = None
    le: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()

    def parse(self, raw: str | None) -> Any:
        """The value of the raw text (None: absent, the default); BadInput (422) naming the field."""
        if raw is None:
            return self.default
        if self.kind is str:
            return self._text(raw)
        if self.kind is bool:
            low = raw.strip().lower()
            if low in TRUE or low in FALSE:
                return low in TRUE
            raise BadInput(f"{self.name} must be true or false, got {raw[:20]!r}")
        try:
            value = int(raw) if self.kind is int else float(raw)
        except ValueError:
            what = "a whole number" if self.kind is int else "a number"
            raise BadInput(f"{self.name}: must be {what}, got {raw[:20]!r}") from None
        if not math.isfinite(value):
            raise BadInput(f"{self.name}: must be a finite number, got {raw[:20]!r}")
        if self.ge is not None and value < self.ge:
            raise BadInput(f"{self.name}: must be {_num(self.ge)} or more, got {raw[:20]}")
        if self.le is not None and value > self.le:
            raise BadInput(f"{self.name}: must be {_num(self.le)} or less, got {raw[:20]}")
        return value

    def _text(self, raw: str) -> str:
        if self.min_length is not None and len(raw) < self.min_length:
            raise BadInput(f"{self.name}: must be at least {self.min_length} characters; leave it out instead")
        if self.max_length is not None and len(raw) > self.max_length:
            raise BadInput(f"{self.name}: is {len(raw)} characters; keep it under {self.max_length}")
        if self.choices and raw.lower() not in self.choices:
            raise BadInput(f"{self.name} must be one of {list(self.choices)}, got {raw[:40]!r}")
        return raw.lower() if self.choices else raw

    def openapi(self) -> dict[str, Any]:
        """This parameter's OpenAPI 3 entry."""
        schema: dict[str, Any] = {"type": _SCHEMA_TYPE[self.kind]}
        if self.default is not None:
            schema["default"] = self.default
        bounds = {
            "minimum": self.ge,
            "maximum": self.le,
            "minLength": self.min_length,
            "maxLength": self.max_length,
        }
        schema |= {k: v for k, v in bounds.items() if v is not None}
        if self.choices:
            schema["enum"] = list(self.choices)
        entry = {"name": self.name, "in": "query", "required": False, "schema": schema}
        return entry | ({"description": self.description} if self.description else {})


def parse_query(spec: Sequence[Param], given: Mapping[str, str]) -> dict[str, Any]:
    """Every declared parameter's value (absent ones: their defaults); unknown names are ignored, as FastAPI
    does."""
    return {p.name: p.parse(given.get(p.name)) for p in spec}


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else str(x)


def document(app: FastAPI, paths: Mapping[str, Mapping[str, dict[str, Any]]]) -> None:
    """List routes declared by hand ({path: {method: operation}}) in the OpenAPI docs: FastAPI does not see
    plain Starlette routes."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()  # FastAPI's, cached after the first call
        for path, operations in paths.items():
            for method, operation in operations.items():
                schema["paths"].setdefault(path, {}).setdefault(method, operation)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented hook for a custom schema
