"""Identity policy statements as the spec's ``permissions:`` entries, and what they cannot say.

A spec grant holds ``sid``, ``effect``, ``actions``, ``resources`` and ``conditions``.
``NotAction``, ``NotResource``, a ``Principal`` and values outside the schema's syntax are
not expressible: such a statement is kept whole, as JSON, in a note.
"""
from __future__ import annotations

import json
import re
from typing import Any

from generator.analysis.document import as_list
from generator.spec.conditions import value_problem

# \Z, not $: the spec matches whole values, and "$" lets a final line feed through.
ACTION = re.compile(r"^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)\Z")
RESOURCE = re.compile(r"^(\*|arn:.+)\Z")
OPERATOR = re.compile(r"^(ForAllValues:|ForAnyValue:)?[A-Za-z]+\Z")
COND_KEY = re.compile(r"^[A-Za-z0-9:/._${}*-]+\Z")
SID = re.compile(r"[^A-Za-z0-9]")


def _action(value: str) -> str:
    """IAM matches service prefixes case-insensitively; the spec writes them in lower case."""
    service, sep, name = value.partition(":")
    return f"{service.lower()}{sep}{name}" if sep else value


def translate_statement(raw: Any) -> tuple[dict[str, Any] | None, str]:
    """``(grant, '')`` or ``(None, reason)`` for one statement."""
    if not isinstance(raw, dict):
        return None, "not a statement object"
    for element in ("NotAction", "NotResource", "Principal", "NotPrincipal"):
        if element in raw:
            return None, f"uses {element}"
    actions = [_action(str(a)) for a in as_list(raw.get("Action"))]
    resources = [str(r) for r in as_list(raw.get("Resource"))]
    if not actions or not resources:
        return None, "has no Action or no Resource"
    bad = [a for a in actions if not ACTION.match(a)] + [r for r in resources if not RESOURCE.match(r)]
    if bad:
        return None, f"has values the spec cannot hold ({', '.join(bad[:3])})"
    grant: dict[str, Any] = {}
    sid = SID.sub("", str(raw.get("Sid") or ""))
    if sid:
        grant["sid"] = sid
    if raw.get("Effect", "Allow") != "Allow":
        grant["effect"] = str(raw.get("Effect"))
    grant["actions"] = actions
    grant["resources"] = resources
    conditions: dict[str, dict[str, Any]] = {}
    condition = raw.get("Condition") or {}
    if not isinstance(condition, dict):
        return None, "has a Condition that is not an object"
    for op, block in condition.items():
        if not OPERATOR.match(op) or not isinstance(block, dict):
            return None, f"has condition operator {op!r} the spec cannot hold"
        for key, value in block.items():
            if not COND_KEY.match(key):
                return None, f"has condition key {key!r} the spec cannot hold"
            values = value if isinstance(value, list) else [value]
            problem = next((p for p in (value_problem(op, key, v) for v in values) if p), None)
            if not values or problem:
                return None, f"has condition values the spec cannot hold ({problem or key + ': an empty list'})"
            conditions.setdefault(op, {})[key] = values if len(values) != 1 else values[0]
    if conditions:
        grant["conditions"] = conditions
    return grant, ""


def translate_document(document: Any, origin: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The grants of ``document`` and one note per statement left out (with its JSON)."""
    grants: list[dict[str, Any]] = []
    notes: list[str] = []
    for raw in as_list((document or {}).get("Statement")):
        grant, reason = translate_statement(raw)
        if grant is None:
            notes.append(f"{origin}: statement {reason}, not imported: {json.dumps(raw, sort_keys=True)}")
        else:
            grants.append(grant)
            if isinstance(raw, dict) and raw.get("Sid") and raw["Sid"] != grant.get("sid"):
                notes.append(f"{origin}: Sid {raw['Sid']!r} written as {grant.get('sid', '(none)')!r} "
                             "(the spec allows letters and digits only)")
    return grants, notes
