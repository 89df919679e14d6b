"""Render Python data as HCL expressions that ``terraform fmt`` leaves unchanged.

``to_hcl`` turns dicts, lists, strings, booleans, integers and ``None`` into an HCL
expression; object keys are sorted so output never depends on insertion order.
Two wrappers put Terraform expressions inside data:

* ``Expr("var.boundary_arns[\\"x\\"]")``: written verbatim (references, function calls).
* ``Jsonencode(document)``: ``jsonencode({...})`` of a policy document, so the JSON that
  reaches AWS is exactly the Python dict that was built and validated.

Layout follows ``terraform fmt``: a run of consecutive single-line attributes has its
``=`` aligned; an attribute whose value spans lines stands alone; lists of scalars stay
on one line while short; lists holding objects put one element per line with a trailing
comma.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator.render.escape import hcl_string

INDENT = "  "
MAX_INLINE_WIDTH = 100
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
# Bare words that would be read as keywords or literals where an object key is expected.
_RESERVED = frozenset({"true", "false", "null", "for", "in", "if", "else", "endif", "endfor"})


@dataclass(frozen=True)
class Expr:
    """A Terraform expression written as it is (a reference or a function call)."""

    text: str

    def __post_init__(self) -> None:
        if "\n" in self.text:
            raise ValueError("Expr must be a single line")


@dataclass(frozen=True)
class Jsonencode:
    """``jsonencode(<value>)`` of a JSON-able value (a policy document)."""

    value: Any


def object_key(key: str) -> str:
    """An object key: bare when it is a plain identifier, otherwise a quoted string."""
    if not isinstance(key, str):
        raise TypeError(f"object keys must be strings, not {type(key).__name__}")
    return _object_key(key)


@lru_cache(maxsize=65536)
def _object_key(key: str) -> str:
    if _IDENTIFIER.match(key) and key not in _RESERVED:
        return key
    return hcl_string(key)


def _scalar(value: Any) -> str | None:
    """The one-line form of a scalar, or None when ``value`` is not a scalar."""
    if type(value) is str:  # by far the most common: action names, ARNs, condition values
        return hcl_string(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("NaN and infinity have no HCL form")
        return repr(value)
    if isinstance(value, str):
        return hcl_string(value)
    if isinstance(value, Expr):
        return value.text
    return None


def _inline(value: Any) -> str | None:
    """The one-line form of ``value`` when it has one (scalars, short scalar lists, empties)."""
    text = _scalar(value)
    if text is not None:
        return text
    if isinstance(value, dict) and not value:
        return "{}"
    if isinstance(value, (list, tuple)):
        return _inline_list(value)
    return None


def _inline_list(value: list | tuple) -> str | None:
    """The one-line form of a list: all scalars and at most :data:`MAX_INLINE_WIDTH` wide."""
    if not value:
        return "[]"
    parts = []
    for item in value:
        part = hcl_string(item) if type(item) is str else _scalar(item)
        if part is None:
            return None
        parts.append(part)
    line = "[" + ", ".join(parts) + "]"
    return line if len(line) <= MAX_INLINE_WIDTH else None


def _lines(value: Any, level: int) -> list[str]:
    """``value`` as lines; the first line carries no indentation, the rest are absolute."""
    kind = type(value)
    if kind is str:  # the common cases first, each decided by its exact type
        return [hcl_string(value)]
    if kind is dict and value:
        return ["{", *attributes(value, level + 1), INDENT * level + "}"]
    if kind is list or kind is tuple:
        inline = _inline_list(value)
        if inline is not None:
            return [inline]
        return _list_lines(value, level)
    inline = _inline(value)
    if inline is not None:
        return [inline]
    if isinstance(value, Jsonencode):
        inner = _lines(value.value, level)
        return ["jsonencode(" + inner[0], *inner[1:-1], inner[-1] + ")"] if len(inner) > 1 else [
            "jsonencode(" + inner[0] + ")"
        ]
    if isinstance(value, dict):
        return ["{", *attributes(value, level + 1), INDENT * level + "}"]
    if isinstance(value, (list, tuple)):
        return _list_lines(value, level)
    raise TypeError(f"cannot render {type(value).__name__} as HCL")


def _list_lines(value: list | tuple, level: int) -> list[str]:
    """A list that does not fit on one line: one element per line, each with a trailing comma."""
    pad = INDENT * (level + 1)
    out = ["["]
    for item in value:
        item_lines = _lines(item, level + 1)
        out.append(pad + item_lines[0])
        out.extend(item_lines[1:])
        out[-1] += ","
    out.append(INDENT * level + "]")
    return out


def attributes(mapping: dict[str, Any], level: int) -> list[str]:
    """``key = value`` lines for ``mapping`` at indentation ``level``, sorted and aligned.

    Consecutive single-line attributes are aligned on ``=``; a multi-line value ends
    the run, as ``terraform fmt`` does.
    """
    pad = INDENT * level
    out: list[str] = []
    run: list[tuple[str, str]] = []  # the current run of single-line attributes
    for k in sorted(mapping):
        key = _object_key(k) if type(k) is str else object_key(k)
        lines = _lines(mapping[k], level)
        if len(lines) == 1:
            run.append((key, lines[0]))
            continue
        if run:
            _aligned(out, pad, run)
            run = []
        out.append(f"{pad}{key} = {lines[0]}")
        out.extend(lines[1:])
    if run:
        _aligned(out, pad, run)
    return out


def _aligned(out: list[str], pad: str, run: list[tuple[str, str]]) -> None:
    """Append a run of single-line attributes with their ``=`` in one column."""
    if len(run) == 1:
        out.append(f"{pad}{run[0][0]} = {run[0][1]}")
        return
    width = max(len(k) for k, _ in run)
    out.extend([f"{pad}{k.ljust(width)} = {v}" for k, v in run])


def to_hcl(value: Any, indent: int = 0) -> str:
    """``value`` as an HCL expression whose continuation lines start at ``indent`` spaces.

    Args:
        value: dict, list, tuple, str, bool, int, None, Expr or Jsonencode (nested freely).
        indent: the column where the line holding the expression starts, so nested lines
            line up under it (use the attribute's indentation inside a template).
    """
    if indent % len(INDENT):
        raise ValueError("indent must be a multiple of two spaces")
    return "\n".join(_lines(value, indent // len(INDENT)))
