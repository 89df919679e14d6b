"""PWD-005: users can change their own password and expiry does not lock them out."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class Usability(Rule):
    id = "PWD-005"
    title = "Password policy usability"
    grade = "INFO"
    rationale = "Users who cannot change their password, or are locked out at expiry, create admin work and workarounds."
    remediation = "Set allow_users_to_change: true and hard_expiry: false."
    references = ('IAM User Guide: account password policy',)

    def check(self, ctx: Context) -> Iterator[Finding]:
        policy = ctx.spec.password_policy
        if not policy.allow_users_to_change or policy.hard_expiry:
            yield self.finding("password_policy.hard_expiry", "users cannot change their own password, or expired passwords need an administrator (hard_expiry)")
