"""PWD-002: the last 24 passwords cannot be reused."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class ReusePrevention(Rule):
    id = "PWD-002"
    title = "Password reuse prevention 24"
    grade = "MED"
    rationale = "Reuse prevention stops users cycling back to a compromised password."
    remediation = "Set password_policy.reuse_prevention: 24."
    references = ('CIS AWS Foundations v7.0 2.9', 'AWS Security Hub IAM.16', 'checkov CKV_AWS_13')

    def check(self, ctx: Context) -> Iterator[Finding]:
        policy = ctx.spec.password_policy
        if policy.reuse_prevention < 24:
            yield self.finding("password_policy.reuse_prevention", f"reuse_prevention {policy.reuse_prevention} is below 24")
