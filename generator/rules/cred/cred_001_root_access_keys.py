"""CRED-001: the account root has no access keys."""
from __future__ import annotations

from collections.abc import Iterator

from generator.audit.context import AuditOptions
from generator.audit.credentials import CredentialRow
from generator.audit.rulebase import CredentialRule


class RootAccessKeys(CredentialRule):
    id = "CRED-001"
    title = "No access keys for the account root"
    grade = "CRIT"
    rationale = "A root access key is an unrestricted, unconditional credential that no policy can limit."
    remediation = "Delete the root access keys (IAM console, signed in as root: Security credentials)."
    references = ("CIS AWS Foundations v7.0 2.4", "AWS Security Hub IAM.4")

    def check_row(self, row: CredentialRow, options: AuditOptions) -> Iterator[str]:
        if row.is_root:
            for key in row.keys:
                state = "active" if key.active else "inactive"
                yield f"the account root has an {state} access key in slot {key.slot}: delete it"
