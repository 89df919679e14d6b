"""PRV-004: no broad AWS managed policies (AdministratorAccess, IAMFullAccess, AmazonS3FullAccess, ...)."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.managed import lookup
from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context, PrincipalView


def _all_denied(principal: PrincipalView | None, arn: str) -> bool:
    """True when Denies that always apply take every action of the attached policy away."""
    if principal is None:
        return False
    perms = principal.permissions
    statements = [s for src, s in perms.allows if src.kind == "managed" and src.key == arn]
    return bool(statements) and not any(perms.remaining(s) for s in statements)


class BroadManagedPolicy(Rule):
    id = "PRV-004"
    title = "No broad AWS managed policies"
    grade = "HIGH"
    rationale = "Full-access AWS managed policies grant whole services (or everything) on every resource."
    remediation = "Replace the attachment with the scoped alternative named in the message."
    references = ("checkov CKV_AWS_274, CKV2_AWS_56", "CIS AWS Foundations v7.0 2.14, 2.20", "AWS Security Hub IAM.27")

    def check(self, ctx: Context) -> Iterator[Finding]:
        roles = {p.name: p for p in ctx.principals() if p.kind == "role"}
        for role in ctx.spec.roles:
            for i, arn in enumerate(role.managed_policies):
                entry = lookup(arn)
                if entry is not None and entry.broad and not _all_denied(roles.get(role.name), arn):
                    yield self.finding(f"{role.path}.managed_policies[{i}]",
                                       f"role {role.name} attaches {entry.name}, which is too broad; "
                                       f"use {entry.alternative}")
