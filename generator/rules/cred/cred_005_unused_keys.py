"""CRED-005: active access keys unused for --max-unused days (or never used since creation) are deactivated."""
from __future__ import annotations

from collections.abc import Iterator

from generator.audit.context import AuditOptions
from generator.audit.credentials import CredentialRow, days_between
from generator.audit.rulebase import CredentialRule, day


class UnusedKeys(CredentialRule):
    id = "CRED-005"
    title = "Unused access keys deactivated"
    grade = "MED"
    rationale = "A key nobody uses is a credential with no owner watching it: the migration key nobody deleted."
    remediation = "Deactivate the key (aws iam update-access-key --status Inactive), delete it once nothing breaks."
    references = ("CIS AWS Foundations v7.0 2.11 (45 days: --max-unused 45)", "AWS Security Hub IAM.8", "IAM User Guide: id_credentials_getting-report")

    def check_row(self, row: CredentialRow, options: AuditOptions) -> Iterator[str]:
        for key in row.active_keys:
            if key.last_used.when is not None:
                idle = days_between(key.last_used.when, options.as_of)
                if idle > options.max_unused:
                    yield (f"access key {key.slot} of {row.user} was last used {day(key.last_used.when)}, {idle} days "
                           f"ago (limit {options.max_unused}): deactivate it")
            elif key.last_rotated.when is not None:
                age = days_between(key.last_rotated.when, options.as_of)
                if age > options.max_unused:
                    yield (f"access key {key.slot} of {row.user} was never used since it was created "
                           f"{day(key.last_rotated.when)}, {age} days ago: deactivate it")
