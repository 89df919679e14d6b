"""POL-010: MFA conditions use the pattern that also covers long-term credentials."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.base import DocumentRule
from generator.rules.context import DocView


_KEY = "aws:multifactorauthpresent"


class MfaPattern(DocumentRule):
    id = "POL-010"
    title = "MFA condition pattern"
    grade = "HIGH"
    rationale = "aws:MultiFactorAuthPresent is absent for access keys, so Bool ... false never matches them."
    remediation = 'Deny with BoolIfExists aws:MultiFactorAuthPresent "false", or Allow with Bool ... "true".'
    references = ("parliament BAD_PATTERN_FOR_MFA", "IAM User Guide: aws:MultiFactorAuthPresent")
    kinds = ("identity", "boundary", "trust")

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        for stmt in doc.policy.statements:
            for cond in stmt.conditions:
                if cond.key_lower != _KEY:
                    continue
                path = f"{stmt.path}.Condition.{cond.operator}"
                values = {v.lower() for v in cond.values}
                if cond.base == "Bool" and not cond.if_exists and "false" in values:
                    yield path, ("Bool aws:MultiFactorAuthPresent \"false\" does not match long-term access keys "
                                 "(the key is absent); use BoolIfExists")
                elif stmt.allow and cond.base == "Bool" and cond.if_exists and "true" in values:
                    yield path, "Allow with BoolIfExists aws:MultiFactorAuthPresent \"true\" also allows callers without MFA"
                elif cond.base == "Null" and "false" in values and stmt.allow:
                    yield path, "Null aws:MultiFactorAuthPresent \"false\" only says the key exists, not that MFA was used"
