"""PWD-004: passwords expire within 90 days (legacy CIS)."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class MaxAge(Rule):
    id = "PWD-004"
    title = "Password expiry <= 90 days (legacy CIS)"
    grade = "LOW"
    rationale = "CIS v1.2 asked for expiry within 90 days; kept as a low-severity legacy check."
    remediation = "Set password_policy.max_age_days to 90 or less."
    references = ('CIS v1.2 1.11', 'AWS Security Hub IAM.17', 'checkov CKV_AWS_9')

    def check(self, ctx: Context) -> Iterator[Finding]:
        policy = ctx.spec.password_policy
        if policy.max_age_days > 90:
            yield self.finding("password_policy.max_age_days", f"max_age_days {policy.max_age_days} is above 90")
