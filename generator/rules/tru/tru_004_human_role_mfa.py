"""TRU-004: roles people assume require MFA."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class HumanRoleMfa(Rule):
    id = "TRU-004"
    title = "MFA for human-assumed roles"
    grade = "HIGH"
    rationale = "Roles assumed by people should not be reachable with a stolen password or access key alone."
    remediation = "Set trust.require_mfa: true."
    references = ("CIS AWS Foundations v7.0 2.10", "AWS Security Hub IAM.5, IAM.19")

    def check(self, ctx: Context) -> Iterator[Finding]:
        for role in ctx.spec.roles:
            if role.trust.aws_principals and not role.trust.require_mfa:
                yield self.finding(f"{role.trust.path}.require_mfa",
                                   f"role {role.name} is assumed by IAM principals without requiring MFA")
