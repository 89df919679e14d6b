"""PWD-003: passwords need upper, lower, digit and symbol (legacy CIS)."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class Complexity(Rule):
    id = "PWD-003"
    title = "Password complexity (legacy CIS)"
    grade = "LOW"
    rationale = "CIS v1.2 required all four character classes; current CIS relies on length instead."
    remediation = "Set the four require_* options to true."
    references = ('CIS v1.2 1.5-1.8', 'AWS Security Hub IAM.11-IAM.14', 'checkov CKV_AWS_11/12/14/15')

    def check(self, ctx: Context) -> Iterator[Finding]:
        policy = ctx.spec.password_policy
        if not (policy.require_uppercase and policy.require_lowercase and policy.require_numbers and policy.require_symbols):
            yield self.finding("password_policy.require_symbols", "the password policy does not require all of upper case, lower case, digits and symbols")
