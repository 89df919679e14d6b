"""Condition values checked by operator, after the schema has accepted their shape.

The schema can only say "a string, a list, a boolean or an integer": it cannot tie the value
to its operator, and it let a list of lists or a ``null`` through, which reached the deployed
policy as Python's text ``['us-east-1']`` or ``None``. Here each value must be what its
operator takes (the operator's ``ForAllValues:``/``ForAnyValue:`` prefix and ``IfExists``
suffix aside); anything else is a SCHEMA-007 finding at the value's line.
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import Any

from generator.findings import Finding, Severity
from generator.spec.loader import Document, join_path

_BOOL_TEXT = ("true", "false")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
# ISO 8601 (a date, or a date and time with an optional zone) or seconds since the epoch.
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?|\d+")
_FAMILIES = (
    ("String", "text"),
    ("Numeric", "a number"),
    ("Date", "a date (ISO 8601, e.g. 2027-01-01T00:00:00Z, or epoch seconds)"),
    ("Bool", "true or false"),
    ("Binary", "base64 text"),
    ("IpAddress", "an IP address or CIDR range (10.0.0.0/8, 2001:db8::/32)"),
    ("NotIpAddress", "an IP address or CIDR range (10.0.0.0/8, 2001:db8::/32)"),
    ("Arn", "an ARN (text, wildcards allowed)"),
    ("Null", "true or false"),
)


def _family(operator: str) -> tuple[str, str] | None:
    base = operator.split(":", 1)[-1]
    base = base[: -len("IfExists")] if base.endswith("IfExists") else base
    return next(((fam, want) for fam, want in _FAMILIES if base.startswith(fam)), None)


def _ip(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _fits(family: str, value: Any) -> bool:
    """Whether one scalar ``value`` is what an operator of ``family`` takes."""
    if isinstance(value, bool):
        return family in ("Bool", "Null")
    if isinstance(value, (int, float)):
        return family in ("Numeric", "Date")
    if not isinstance(value, str):
        return False
    if family in ("Bool", "Null"):
        return value.lower() in _BOOL_TEXT
    if family == "Numeric":
        return _NUMBER.fullmatch(value) is not None or "${" in value
    if family == "Date":
        return _DATE.fullmatch(value) is not None or "${" in value
    if family in ("IpAddress", "NotIpAddress"):
        return _ip(value) or "${" in value
    return True


def _shown(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text):,} characters)"


def _blocks(value: Any, path: str) -> Iterator[tuple[str, dict]]:
    """Every ``conditions`` mapping of a statement in the document, with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            sub = join_path(path, key)
            if key == "conditions" and isinstance(item, dict):
                yield sub, item
            else:
                yield from _blocks(item, sub)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _blocks(item, join_path(path, i))


def value_problem(operator: str, key: str, value: Any) -> str | None:
    """Why one condition value (an item of a list, or the lone value) cannot go with ``operator``;
    None when it can. The importer asks the same question of an existing account's policies."""
    if value is None or isinstance(value, (list, dict)):
        shown = _shown(value) if value is None else f"a {'list' if isinstance(value, list) else 'mapping'}"
        return (f"{operator} {key}: a value must be text, a number or true/false, not {shown}; "
                "a condition takes one value or a flat list of values")
    if isinstance(value, float) and not isinstance(value, bool):
        return f"{operator} {key}: {value!r} is a fraction; IAM condition numbers are whole"
    fam = _family(operator)
    if fam is not None and not _fits(fam[0], value):
        hint = "; quote it" if fam[0] in ("String", "Arn", "Binary") else ""
        return f"{operator} {key}: {_shown(value)} is not {fam[1]}{hint}"
    return None


def condition_findings(doc: Document, data: Any) -> list[Finding]:
    """SCHEMA-007 findings for condition values their operator cannot take."""
    findings: list[Finding] = []

    def report(path: str, message: str) -> None:
        line, col = doc.mark(path)
        findings.append(Finding("SCHEMA-007", Severity.ERROR, message, path=path, file=doc.file, line=line,
                                column=col, source="schema"))

    for at, block in _blocks(data, ""):
        for operator, keys in block.items():
            if not isinstance(keys, dict):
                continue
            for key, raw in keys.items():
                path = join_path(join_path(at, operator), key)
                if isinstance(raw, list) and not raw:
                    report(path, f"{operator} {key}: an empty list matches nothing; give at least one value")
                for i, value in enumerate(raw if isinstance(raw, list) else [raw]):
                    problem = value_problem(operator, key, value)
                    if problem:
                        report(join_path(path, i) if isinstance(raw, list) else path, problem)
    return findings
