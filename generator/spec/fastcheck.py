"""A compiled fast path for the schema check of a valid spec.

Cerberus walks its rule set anew for every field of every role (~2 s per 1,000 roles).
This module compiles the same ``SCHEMA`` once into plain Python checks. It only ever
answers "valid, and here is the normalized document" or "not sure" (:class:`Miss`);
on "not sure" the caller runs cerberus, which then produces the findings. So the fast
path may be stricter than cerberus (``type(v) is int`` rejects ``True``, regexes use
``fullmatch``, any ``None`` is a miss) but never more lenient, and when it accepts, its
document equals cerberus's normalized one (defaults filled in schema order after the
keys as written). ``tests/unit/test_schema_fastcheck.py`` checks both claims on the
examples and on generated and mutated documents.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], Any]

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "list": (list,),
    "dict": (dict,),
    "date": (dt.date,),
}
# Rules the compiler understands; anything else in SCHEMA is a programming error.
_KNOWN = {"type", "schema", "keysrules", "valuesrules", "required", "default", "allowed", "regex",
          "minlength", "maxlength", "min", "max", "meta"}


class Miss(Exception):
    """The fast path cannot vouch for this value: let cerberus decide."""


def compile_rule(rule: dict[str, Any]) -> Check:
    """One field rule -> a function returning the normalized value or raising :class:`Miss`."""
    unknown = set(rule) - _KNOWN
    if unknown:
        raise ValueError(f"fastcheck does not know the cerberus rule(s) {sorted(unknown)}")
    steps: list[Check] = []
    kinds = rule.get("type")
    if kinds is not None:
        allowed_types = tuple(t for k in ([kinds] if isinstance(kinds, str) else kinds) for t in _TYPES[k])

        def check_type(v: Any) -> Any:
            # Exact types: bool is not an integer here, a datetime is not a date.
            if type(v) not in allowed_types:
                raise Miss
            return v

        steps.append(check_type)
    if "allowed" in rule:
        allowed = list(rule["allowed"])

        def check_allowed(v: Any) -> Any:
            if v not in allowed:
                raise Miss
            return v

        steps.append(check_allowed)
    if "regex" in rule:
        pattern = re.compile(rule["regex"])

        def check_regex(v: Any) -> Any:
            if type(v) is not str or pattern.fullmatch(v) is None:
                raise Miss
            return v

        steps.append(check_regex)
    for measure, low, high in ((len, rule.get("minlength"), rule.get("maxlength")),
                               (None, rule.get("min"), rule.get("max"))):
        if low is not None or high is not None:
            steps.append(_bounded(measure, low, high))
    sub = rule.get("schema")
    if isinstance(sub, dict) and kinds == "dict":
        steps.append(compile_mapping(sub))
    elif isinstance(sub, dict) and kinds == "list":
        item = compile_rule(sub)
        steps.append(lambda v: [item(x) for x in v])
    elif sub is not None:
        raise ValueError(f"fastcheck cannot compile schema {sub!r} for type {kinds!r}")
    if "keysrules" in rule or "valuesrules" in rule:
        key = compile_rule(rule.get("keysrules", {}))
        value = compile_rule(rule.get("valuesrules", {}))
        steps.append(lambda v: {key(k): value(x) for k, x in v.items()})

    def run(v: Any) -> Any:
        if v is None:
            raise Miss  # cerberus would fill a default or report "empty": its call
        for step in steps:
            v = step(v)
        return v

    return run


def _bounded(measure: Callable[[Any], Any] | None, low: Any, high: Any) -> Check:
    """A check that ``measure(v)`` (``v`` itself when None) lies within ``low``..``high``."""

    def check_bounds(v: Any) -> Any:
        n = v if measure is None else measure(v)
        if (low is not None and n < low) or (high is not None and n > high):
            raise Miss
        return v

    return check_bounds


def compile_mapping(schema: dict[str, dict[str, Any]]) -> Check:
    """A mapping with known keys: unknown keys miss, defaults are filled, required keys checked."""
    fields = {name: compile_rule(rule) for name, rule in schema.items()}
    required = [name for name, rule in schema.items() if rule.get("required")]
    defaults = [(name, rule["default"]) for name, rule in schema.items() if "default" in rule]

    def run(v: Any) -> Any:
        out = {}
        for k, x in v.items():
            check = fields.get(k)
            if check is None:
                raise Miss
            out[k] = check(x)
        for name, default in defaults:
            if name not in out:
                out[name] = fields[name](copy.deepcopy(default))
        for name in required:
            if name not in out:
                raise Miss
        return out

    return run


_CHECK: Check | None = None


def fast_check(data: Any) -> dict[str, Any]:
    """The normalized spec document, or :class:`Miss` when cerberus must look at it."""
    global _CHECK
    if _CHECK is None:
        from generator.spec.schema import SCHEMA

        _CHECK = compile_mapping(SCHEMA)
    if type(data) is not dict:
        raise Miss
    return _CHECK(data)


__all__ = ["Miss", "compile_mapping", "compile_rule", "fast_check"]
