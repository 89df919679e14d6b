"""PWD-001: passwords are at least 14 characters."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class MinimumLength(Rule):
    id = "PWD-001"
    title = "Minimum password length >= 14"
    grade = "MED"
    rationale = "Short passwords fall to guessing; CIS asks for 14 or more."
    remediation = "Set password_policy.minimum_length: 14 or more."
    references = ('CIS AWS Foundations v7.0 2.8', 'AWS Security Hub IAM.15', 'checkov CKV_AWS_10')

    def check(self, ctx: Context) -> Iterator[Finding]:
        policy = ctx.spec.password_policy
        if policy.minimum_length < 14:
            yield self.finding("password_policy.minimum_length", f"minimum_length {policy.minimum_length} is below 14")
