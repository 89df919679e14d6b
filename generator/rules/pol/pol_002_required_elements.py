"""POL-002: statements carry the elements IAM requires for their policy type."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.base import DocumentRule
from generator.rules.context import DocView


STATEMENT_ELEMENTS = frozenset(
    {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"})
STRING_LIST_ELEMENTS = ("Action", "NotAction", "Resource", "NotResource")
PRINCIPAL_KINDS = ("AWS", "Service", "Federated", "CanonicalUser")


def _string_or_strings(value: object) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def _json_kind(value: object) -> str:
    """How JSON names ``value``'s type: an array, a string, null, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string" if isinstance(value, str) else "an array" if isinstance(value, list) else type(value).__name__


def _condition_value(value: object) -> bool:
    scalar = (str, bool, int, float)
    return isinstance(value, scalar) or (isinstance(value, list) and all(isinstance(v, scalar) for v in value))


class RequiredElements(DocumentRule):
    id = "POL-002"
    title = "Required policy elements"
    grade = "BLOCK"
    waivable = False  # AWS rejects it at apply
    rationale = "IAM rejects documents with missing or conflicting elements; Terraform finds out only at apply."
    remediation = ("Give every statement an Effect, one of Action/NotAction and (identity policies) one of "
                   "Resource/NotResource, each written as a string or a list of strings; no other elements, "
                   "and no key written twice in one object.")
    references = ("parliament MALFORMED", "Access Analyzer: Missing statement / effect / action / resource")
    kinds = ("identity", "boundary", "trust")

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        raw = doc.document
        if not isinstance(raw, dict):
            yield "Statement", f"the policy must be a JSON object with a Statement, not {_json_kind(raw)}"
            return
        for path, key, places in getattr(raw, "duplicate_keys", ()):
            lines = ", ".join(f"{line}:{column}" for line, column in places)
            yield (f"{path}.{key}" if path else key), (
                f"key {key!r} is written {len(places)} times in one object (at {lines}): JSON parsers "
                "disagree on which one counts (iamforge and Python keep the last, others the first or "
                "refuse the document), so the policy means what the reader decides; keep one")
        if "Statement" not in raw:
            yield "Statement", "the policy has no Statement"
            return
        if not doc.policy.statements:
            yield "Statement", "Statement is empty"
        statements = raw["Statement"]
        if not isinstance(statements, (dict, list)):
            yield "Statement", "Statement must be an object or a list of objects"
            return
        for stmt in doc.policy.statements:
            yield from self._statement(doc.kind, stmt.path, stmt.raw)
            if isinstance(stmt.raw, dict):
                yield from self._types(stmt.path, stmt.raw)

    @staticmethod
    def _statement(kind: str, path: str, raw: dict) -> Iterator[tuple[str, str]]:
        if not raw:
            yield path, "the statement is not an object or is empty"
            return
        if raw.get("Effect") not in ("Allow", "Deny"):
            yield f"{path}.Effect", f"Effect must be Allow or Deny, not {raw.get('Effect')!r}"
        if ("Action" in raw) == ("NotAction" in raw):
            yield path, "a statement needs exactly one of Action and NotAction"
        if kind == "trust":
            if "Principal" not in raw and "NotPrincipal" not in raw:
                yield path, "a trust policy statement needs a Principal"
            return
        if ("Resource" in raw) == ("NotResource" in raw):
            yield path, "an identity policy statement needs exactly one of Resource and NotResource"
        for element in ("Principal", "NotPrincipal"):
            if element in raw:
                yield f"{path}.{element}", f"{element} is not allowed in an identity policy"

    @staticmethod
    def _types(path: str, raw: dict) -> Iterator[tuple[str, str]]:
        """Element types IAM accepts: anything else is dropped by the analysis, so it must be reported."""
        for key, value in raw.items():
            where = f"{path}.{key}"
            if key not in STATEMENT_ELEMENTS:
                yield where, f"unknown statement element {key!r}; IAM accepts {', '.join(sorted(STATEMENT_ELEMENTS))}"
            elif key in ("Sid", "Effect"):
                if not isinstance(value, str):
                    yield where, f"{key} must be a string, not {type(value).__name__}"
            elif key in STRING_LIST_ELEMENTS:
                if not _string_or_strings(value):
                    yield where, f"{key} must be a string or a list of strings"
            elif key in ("Principal", "NotPrincipal"):
                if not (value == "*" or (isinstance(value, dict) and value
                                         and all(k in PRINCIPAL_KINDS and _string_or_strings(v) for k, v in value.items()))):
                    yield where, (f"{key} must be \"*\" or a mapping of {'/'.join(PRINCIPAL_KINDS)} "
                                  "to a string or a list of strings")
            elif key == "Condition":
                if not (isinstance(value, dict) and all(
                        isinstance(body, dict) and all(_condition_value(v) for v in body.values())
                        for body in value.values())):
                    yield where, "Condition must map operators to {condition key: value or list of values}"
