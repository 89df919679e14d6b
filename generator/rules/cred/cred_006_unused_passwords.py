"""CRED-006: console passwords unused for --max-unused days are removed."""
from __future__ import annotations

from collections.abc import Iterator

from generator.audit.context import AuditOptions
from generator.audit.credentials import NA, NO_INFORMATION, CredentialRow, days_between
from generator.audit.rulebase import CredentialRule, day


class UnusedPasswords(CredentialRule):
    id = "CRED-006"
    title = "Unused console passwords removed"
    grade = "MED"
    rationale = "A password nobody uses is the permission a developer kept after changing teams."
    remediation = "Delete the login profile (aws iam delete-login-profile); recreate it if the person returns."
    references = ("CIS AWS Foundations v7.0 2.11 (45 days: --max-unused 45)", "AWS Security Hub IAM.8")

    def check_row(self, row: CredentialRow, options: AuditOptions) -> Iterator[str]:
        if row.is_root or not row.password_enabled:
            return
        used = row.password_last_used
        if used.when is not None:
            idle = days_between(used.when, options.as_of)
            if idle > options.max_unused:
                yield (f"the console password of {row.user} was last used {day(used.when)}, {idle} days ago "
                       f"(limit {options.max_unused}): remove it")
        elif used.special in (NA, NO_INFORMATION) and row.created.when is not None:
            age = days_between(row.created.when, options.as_of)
            if age > options.max_unused:
                yield (f"the console password of {row.user} has no recorded use ({used.special}) and the user was "
                       f"created {day(row.created.when)}, {age} days ago: remove it")
