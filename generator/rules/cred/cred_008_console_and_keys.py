"""CRED-008: people sign in to the console; machines use keys; nobody does both."""
from __future__ import annotations

from collections.abc import Iterator

from generator.audit.context import AuditOptions
from generator.audit.credentials import CredentialRow
from generator.audit.rulebase import CredentialRule


class ConsoleAndKeys(CredentialRule):
    id = "CRED-008"
    title = "Console users without access keys"
    grade = "MED"
    rationale = "A person's long-lived key outlives their session and their MFA; roles give them temporary keys."
    remediation = "Remove the user's access keys and have them assume a role (or use IAM Identity Center)."
    references = ("CIS AWS Foundations v6.0 2.10 (dropped in v7.0)", "IAM best practices: use temporary credentials")

    def check_row(self, row: CredentialRow, options: AuditOptions) -> Iterator[str]:
        if not row.is_root and row.password_enabled and row.active_keys:
            slots = ", ".join(str(k.slot) for k in row.active_keys)
            yield f"user {row.user} has a console password and active access key(s) {slots}"
