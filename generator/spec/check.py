"""Validate a parsed Document against the cerberus schema and turn errors into findings."""
from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from typing import Any

from cerberus import TypeDefinition, Validator
from cerberus import errors as cerr

from generator.findings import Finding, Severity
from generator.spec.conditions import condition_findings
from generator.spec.fastcheck import Miss, fast_check
from generator.spec.loader import Document, path_from_parts
from generator.spec.schema import SCHEMA, allowed_keys, rule_at

_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "boolean": "true or false",
    "list": "a list",
    "dict": "a mapping",
    "date": "a date (YYYY-MM-DD)",
}
_IMPLICIT = {
    "tag:yaml.org,2002:bool": "boolean",
    "tag:yaml.org,2002:int": "number",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:timestamp": "date",
    "tag:yaml.org,2002:null": "null",
}


class SpecValidator(Validator):
    """Cerberus with a ``meta`` rule for field documentation (ignored at validation time), and
    booleans that are never integers (Python's ``True`` is an ``int``: ``max_session_hours: true``
    would pass as 1 hour)."""

    types_mapping = {**Validator.types_mapping,
                     "integer": TypeDefinition("integer", (int,), (bool,)),
                     # A timestamp is not a date (datetime is a subclass of date): compared with a day, it
                     # raised TypeError instead of saying so.
                     "date": TypeDefinition("date", (dt.date,), (dt.datetime,))}

    def _validate_meta(self, constraint: Any, field: Any, value: Any) -> None:
        """{'type': 'dict'}"""

    def _validate_regex(self, pattern: Any, field: Any, value: Any) -> None:
        """{'type': 'string'}"""
        # The whole value, as the compiled fast path checks it: cerberus's own rule appends
        # `$`, which also matches before a final line feed, so "alice\n" passed as a user name.
        if isinstance(value, str) and _compiled(pattern).fullmatch(value) is None:
            self._error(field, cerr.REGEX_MISMATCH)


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _validator() -> SpecValidator:
    return SpecValidator(SCHEMA, allow_unknown=False)


def leaves(errors: list[cerr.ValidationError]) -> list[cerr.ValidationError]:
    out: list[cerr.ValidationError] = []
    for e in errors:
        if e.is_group_error:
            out.extend(leaves(e.child_errors))
        else:
            out.append(e)
    return out


def did_you_mean(word: str, options: list[str] | None) -> str:
    if not options:
        return ""
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; known keys: {', '.join(options)}"


def schema_message(e: cerr.ValidationError, doc: Document, path: str) -> tuple[str, str]:
    """(rule id, message) for one cerberus leaf error."""
    parts = list(e.document_path)
    name = parts[-1] if parts else "spec"
    if isinstance(name, int):
        name = f"{parts[-2]}[{name}]" if len(parts) > 1 else f"item {name}"
    if e.code == cerr.UNKNOWN_FIELD.code:
        return "SCHEMA-005", f"unknown key {name!r}{did_you_mean(str(name), allowed_keys(parts[:-1]))}"
    if e.code == cerr.REQUIRED_FIELD.code:
        return "SCHEMA-006", f"required key {name!r} is missing"
    if e.code == cerr.BAD_TYPE.code:
        info = doc.scalars.get(path)
        want = e.constraint if isinstance(e.constraint, str) else (e.constraint[0] if e.constraint else "")
        if want == "string" and info and info.plain and info.tag in _IMPLICIT:
            kind = _IMPLICIT[info.tag]
            hint = ""
            if info.tag == "tag:yaml.org,2002:int" and info.text.startswith("0") and len(info.text) > 1:
                hint = f" (a leading zero makes it octal: {e.value})"
            elif info.tag == "tag:yaml.org,2002:bool":
                hint = f" (YAML 1.1 reads {info.text} as {str(e.value).lower()})"
            return "SCHEMA-004", f"{name} {info.text} is read by YAML as a {kind}{hint}; quote it: \"{info.text}\""
        if want == "date" and isinstance(e.value, dt.datetime):
            written = info.text if info else e.value.isoformat()
            return "SCHEMA-007", (f"{name} {written} is a date and time; give the day only, "
                                  f"YYYY-MM-DD: {e.value.date().isoformat()}")
        return "SCHEMA-007", f"{name} must be {_TYPE_WORDS.get(want, want)}, got {_describe(e.value)}"
    if e.code == cerr.REGEX_MISMATCH.code:
        example = rule_at(parts).get("meta", {}).get("example")
        hint = f"; write it like {example}" if example else f" (format {e.constraint})"
        shown = repr(e.value) if len(repr(e.value)) <= 120 else f"{repr(e.value)[:100]}... ({len(e.value):,} characters)"
        return "SCHEMA-007", f"{name} {shown} is not well formed{hint}"
    if e.code == cerr.UNALLOWED_VALUE.code:
        return "SCHEMA-007", f"{name} {e.value!r} is not allowed; use one of {', '.join(map(str, e.constraint))}"
    if e.code == cerr.MIN_VALUE.code:
        return "SCHEMA-007", f"{name} {e.value!r} is below the minimum {e.constraint}"
    if e.code == cerr.MAX_VALUE.code:
        return "SCHEMA-007", f"{name} {e.value!r} is above the maximum {e.constraint}"
    if e.code == cerr.MIN_LENGTH.code:
        return "SCHEMA-007", f"{name} needs at least {e.constraint} item(s)/character(s)"
    if e.code == cerr.MAX_LENGTH.code:
        return "SCHEMA-007", f"{name} allows at most {e.constraint} item(s)/character(s)"
    if e.code == cerr.NOT_NULLABLE.code:
        return "SCHEMA-007", f"{name} is empty; give it a value or remove the key"
    return "SCHEMA-007", f"{name}: {_describe_error(e)}"


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (empty value)"
    return f"{type(value).__name__} {value!r}"


def _describe_error(e: cerr.ValidationError) -> str:
    return f"invalid value {e.value!r} ({e.rule}: {e.constraint})"


def check(doc: Document) -> tuple[dict | None, list[Finding]]:
    """Validate and normalize (fill defaults). Returns (normalized document or None, findings).

    A valid spec takes the compiled fast path (:mod:`generator.spec.fastcheck`); anything it
    cannot vouch for goes through cerberus, whose errors become the findings.
    """
    try:
        data, findings = fast_check(doc.data), []
    except Miss:
        data, findings = _check_with_cerberus(doc)
    if data is not None:
        findings = condition_findings(doc, data) + _exception_rule_findings(doc, data)
        if findings:
            return None, findings
    return data, findings


def _exception_rule_findings(doc: Document, data: dict) -> list[Finding]:
    """Each ``exceptions:`` entry names its rule once: ``rule`` or ``rules``, not both, not neither."""
    out = []
    for i, entry in enumerate(data.get("exceptions") or []):
        given = [k for k in ("rule", "rules") if k in entry]
        if len(given) != 1:
            path = f"exceptions[{i}]"
            line, col = doc.mark(path)
            message = ("give the rule id once: `rule` or `rules`, not both" if given else
                       "names no rule: give `rule: PRV-005` (or `rules: [...]`)")
            out.append(Finding("SCHEMA-007", Severity.ERROR, f"{path} {message}", path=path, file=doc.file,
                               line=line, column=col, source="schema"))
    return out


def _check_with_cerberus(doc: Document) -> tuple[dict | None, list[Finding]]:
    """Cerberus's verdict, its errors turned into findings that name the line."""
    v = _validator()
    ok = v.validate(doc.data)
    findings: list[Finding] = []
    if not ok:
        seen: set[tuple[str, str]] = set()
        for e in leaves(v._errors):
            path = path_from_parts(e.document_path)
            rule, message = schema_message(e, doc, path)
            if (path, message) in seen:
                continue
            seen.add((path, message))
            line, col = doc.mark(path)
            findings.append(Finding(rule, Severity.ERROR, message, path=path, file=doc.file, line=line, column=col, source="schema"))
        return None, findings
    return v.document, findings


