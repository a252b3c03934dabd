"""JSON from untrusted clients, parsed safely: bounded nesting, finite numbers, valid Unicode.

Python's json accepts what later breaks the app: `NaN`/`Infinity`, `1e309` (inf), 10**400 (an int no float
can hold), `"\\ud800"` (a lone surrogate no UTF-8 encoder takes) and nesting deep enough to hit the
recursion limit. Used by the HTTP body guard and by the chat frame validator, so both refuse the same things.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_INT = 2**63  # beyond this no store, float or client agrees on the value


class UnsafeJSON(ValueError):
    """Valid JSON syntax the app refuses; `field` names where (dotted path, "" for the whole document)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field or 'body'}: {message}")
        self.field, self.message = field, message


class _Constant:
    """What NaN/Infinity parse to, so the walk can name the field that holds one."""

    def __init__(self, name: str):
        self.name = name


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _valid_text(s: str) -> bool:
    if s.isascii():
        return True
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_value(value: Any, max_depth: int, path: str = "") -> None:
    """Raise UnsafeJSON for the first non-finite number, out-of-range integer, invalid text or nesting deeper
    than max_depth in value (iterative: no recursion however deep the value is)."""
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        v, where, depth = stack.pop()
        if isinstance(v, (dict, list)) and depth >= max_depth:
            raise UnsafeJSON(where, f"JSON nested more than {max_depth} levels deep")
        if isinstance(v, str):
            if not _valid_text(v):
                raise UnsafeJSON(where, "text must be valid Unicode (no lone surrogates such as \\ud800)")
        elif isinstance(v, bool) or v is None:
            continue
        elif isinstance(v, int):
            if abs(v) > MAX_INT:
                raise UnsafeJSON(where, f"number out of range (at most {MAX_INT} in magnitude)")
        elif isinstance(v, float):
            if not math.isfinite(v):
                raise UnsafeJSON(where, "numbers must be finite (no NaN, Infinity or overflowing values like 1e309)")
        elif isinstance(v, _Constant):
            raise UnsafeJSON(where, f"numbers must be finite; {v.name} is not JSON")
        elif isinstance(v, dict):
            for k, item in v.items():
                if not _valid_text(k):
                    raise UnsafeJSON(where, "keys must be valid Unicode (no lone surrogates)")
                stack.append((item, _join(where, k), depth + 1))
        elif isinstance(v, list):
            stack.extend((item, _join(where, i), depth + 1) for i, item in enumerate(v))


def loads(text: str | bytes, max_depth: int) -> Any:
    """json.loads for untrusted input: ValueError when not JSON, UnsafeJSON when JSON the app refuses."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")  # UnicodeDecodeError is a ValueError
    try:
        value = json.loads(text, parse_constant=_Constant)
    except RecursionError:  # the C parser guards its recursion: deeper than the interpreter allows
        raise UnsafeJSON("", f"JSON nested more than {max_depth} levels deep") from None
    check_value(value, max_depth)
    return value
