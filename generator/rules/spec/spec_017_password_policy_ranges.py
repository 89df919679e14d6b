"""SPEC-017: password policy values are within the API's ranges."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


_RANGES = {"minimum_length": (6, 128), "max_age_days": (1, 1095), "reuse_prevention": (1, 24)}


class PasswordPolicyRanges(Rule):
    id = "SPEC-017"
    title = "Password policy ranges"
    grade = "BLOCK"
    waivable = False  # AWS rejects it at apply
    rationale = "UpdateAccountPasswordPolicy rejects values outside its ranges."
    remediation = "minimum_length 6-128, max_age_days 1-1095, reuse_prevention 1-24."
    references = ("IAM API UpdateAccountPasswordPolicy",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        policy = ctx.spec.password_policy
        for field, (low, high) in _RANGES.items():
            value = getattr(policy, field)
            if not low <= value <= high:
                yield self.finding(f"password_policy.{field}", f"password_policy.{field} {value} is outside {low}-{high}")
