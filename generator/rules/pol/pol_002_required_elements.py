"""POL-002: statements carry the elements IAM requires for their policy type."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.base import DocumentRule
from generator.rules.context import DocView


class RequiredElements(DocumentRule):
    id = "POL-002"
    title = "Required policy elements"
    grade = "BLOCK"
    rationale = "IAM rejects documents with missing or conflicting elements; Terraform finds out only at apply."
    remediation = "Give every statement an Effect, one of Action/NotAction and (identity policies) one of Resource/NotResource."
    references = ("parliament MALFORMED", "Access Analyzer: Missing statement / effect / action / resource")
    kinds = ("identity", "boundary", "trust")

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        raw = doc.document
        if not isinstance(raw, dict) or "Statement" not in raw:
            yield "Statement", "the policy has no Statement"
            return
        if not doc.policy.statements:
            yield "Statement", "Statement is empty"
        for stmt in doc.policy.statements:
            yield from self._statement(doc.kind, stmt.path, stmt.raw)

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
