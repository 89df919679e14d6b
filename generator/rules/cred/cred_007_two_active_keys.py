"""CRED-007: a user has at most one active access key."""
from __future__ import annotations

from collections.abc import Iterator

from generator.audit.context import AuditOptions
from generator.audit.credentials import CredentialRow
from generator.audit.rulebase import CredentialRule


class TwoActiveKeys(CredentialRule):
    id = "CRED-007"
    title = "One active access key per user"
    grade = "MED"
    rationale = "Two active keys are a rotation left half done: the old key is still live somewhere."
    remediation = "Finish the rotation: deactivate the older key once its users have moved."
    references = ("CIS AWS Foundations v6.0 2.12 (dropped in v7.0)", "AWS Security Hub IAM.3")

    def check_row(self, row: CredentialRow, options: AuditOptions) -> Iterator[str]:
        if len(row.active_keys) > 1:
            yield f"{'the account root' if row.is_root else 'user ' + row.user} has {len(row.active_keys)} active access keys"
