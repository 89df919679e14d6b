"""TRU-002: trusting a whole account needs a constraining condition."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.conditions import pinned_keys
from generator.rules.base import DocumentRule
from generator.rules.context import DocView


_CONSTRAINING = ("aws:principalarn", "aws:principalorgid", "aws:principalorgpaths", "sts:externalid",
                 "aws:multifactorauthpresent", "aws:multifactorauthage", "aws:principaltag/")


def account_wide(kind: str, value: str) -> bool:
    """``123456789012`` or ``arn:aws:iam::123456789012:root``."""
    return kind == "AWS" and (value.isdigit() or value.endswith(":root"))


class AccountRootConditions(DocumentRule):
    id = "TRU-002"
    title = "Account-root trust needs conditions"
    grade = "HIGH"
    rationale = "Trusting account:root delegates the decision to every identity policy in that account."
    remediation = "Require MFA, aws:PrincipalArn, aws:PrincipalOrgID or sts:ExternalId, or name specific role ARNs."
    references = ("checkov CKV_AWS_61", "PMapper sts edges")
    kinds = ("trust",)

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        for stmt in doc.policy.statements:
            if not stmt.allow or not any(account_wide(k, v) for k, v in stmt.principals):
                continue
            # Only a condition that pins its key counts: BoolIfExists MFA, StringLike
            # aws:PrincipalArn "*" or StringNotEquals sts:ExternalId let the account in anyway.
            if not any(k.startswith(_CONSTRAINING) for k in pinned_keys(stmt)):
                yield f"{stmt.path}.Principal", "the role trusts a whole account without a constraining condition"
