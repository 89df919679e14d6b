"""CRED-004: active access keys are rotated within --max-key-age days."""
from __future__ import annotations

from collections.abc import Iterator

from generator.audit.context import AuditOptions
from generator.audit.credentials import CredentialRow, days_between
from generator.audit.rulebase import CredentialRule, day


class KeyRotation(CredentialRule):
    id = "CRED-004"
    title = "Access keys rotated"
    grade = "MED"
    rationale = "The longer a key lives, the more copies of it exist in laptops, CI logs and old scripts."
    remediation = "Create a new key, move its users to it, deactivate and then delete the old one."
    references = ("CIS AWS Foundations v7.0 2.12", "AWS Security Hub IAM.3")

    def check_row(self, row: CredentialRow, options: AuditOptions) -> Iterator[str]:
        for key in row.active_keys:
            if key.last_rotated.when is None:
                continue
            age = days_between(key.last_rotated.when, options.as_of)
            if age > options.max_key_age:
                yield (f"access key {key.slot} of {row.user} was created {day(key.last_rotated.when)}, {age} days "
                       f"ago (limit {options.max_key_age}): rotate it")
