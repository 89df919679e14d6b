"""CRED-002: the account root has MFA."""
from __future__ import annotations

from collections.abc import Iterator

from generator.audit.context import AuditOptions
from generator.audit.credentials import CredentialRow
from generator.audit.rulebase import CredentialRule


class RootMfa(CredentialRule):
    id = "CRED-002"
    title = "MFA on the account root"
    grade = "CRIT"
    rationale = "The root password alone opens every resource and every setting of the account."
    remediation = "Enable a hardware or virtual MFA device for the root user."
    references = ("CIS AWS Foundations v7.0 2.5, 2.6", "AWS Security Hub IAM.9")

    def check_row(self, row: CredentialRow, options: AuditOptions) -> Iterator[str]:
        if row.is_root and not row.mfa_active:
            yield "the account root has no MFA device"
