"""CRED-003: every IAM user with a console password has MFA."""
from __future__ import annotations

from collections.abc import Iterator

from generator.audit.context import AuditOptions
from generator.audit.credentials import CredentialRow
from generator.audit.rulebase import CredentialRule


class ConsoleUsersMfa(CredentialRule):
    id = "CRED-003"
    title = "MFA for console users"
    grade = "HIGH"
    rationale = "A console password without MFA is one phishing page away from the account."
    remediation = "Enable MFA for the user, or remove the console password when the user does not need it."
    references = ("CIS AWS Foundations v7.0 2.10", "AWS Security Hub IAM.5")

    def check_row(self, row: CredentialRow, options: AuditOptions) -> Iterator[str]:
        if not row.is_root and row.password_enabled and not row.mfa_active:
            yield f"user {row.user} can sign in to the console without MFA"
