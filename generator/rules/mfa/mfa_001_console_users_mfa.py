"""MFA-001: console users are covered by an MFA-enforcement policy."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


def enforces_mfa(policy) -> bool:
    """A Deny of (almost) everything while aws:MultiFactorAuthPresent is false or missing."""
    for stmt in policy.statements:
        if stmt.effect != "Deny" or not (stmt.not_action or stmt.every_action):
            continue
        for cond in stmt.conditions:
            if (cond.key_lower == "aws:multifactorauthpresent" and cond.base == "Bool" and cond.if_exists
                    and "false" in {v.lower() for v in cond.values}):
                return True
    return False


class ConsoleUsersMfa(Rule):
    id = "MFA-001"
    title = "Console users must use MFA"
    grade = "HIGH"
    rationale = "A console password alone is one phishing email away from the account."
    remediation = "Keep mfa.enforce: true so the force-MFA policy is attached to every department group."
    references = ("CIS AWS Foundations v7.0 2.10", "AWS Security Hub IAM.5, IAM.19")

    def check(self, ctx: Context) -> Iterator[Finding]:
        for principal in ctx.principals():
            if principal.user is not None and not any(enforces_mfa(d.policy) for d in principal.documents):
                yield self.finding(principal.path, f"user {principal.name} is not covered by an MFA-enforcement policy")
