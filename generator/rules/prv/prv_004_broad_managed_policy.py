"""PRV-004: no broad AWS managed policies (AdministratorAccess, IAMFullAccess, AmazonS3FullAccess, ...)."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.managed import lookup
from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class BroadManagedPolicy(Rule):
    id = "PRV-004"
    title = "No broad AWS managed policies"
    grade = "HIGH"
    rationale = "Full-access AWS managed policies grant whole services (or everything) on every resource."
    remediation = "Replace the attachment with the scoped alternative named in the message."
    references = ("checkov CKV_AWS_274, CKV2_AWS_56", "CIS 1.16, 1.22", "AWS Security Hub IAM.27")

    def check(self, ctx: Context) -> Iterator[Finding]:
        for role in ctx.spec.roles:
            for i, arn in enumerate(role.managed_policies):
                entry = lookup(arn)
                if entry is not None and entry.broad:
                    yield self.finding(f"{role.path}.managed_policies[{i}]",
                                       f"role {role.name} attaches {entry.name}, which is too broad; "
                                       f"use {entry.alternative}")
