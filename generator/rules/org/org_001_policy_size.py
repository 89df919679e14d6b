"""ORG-001: each SCP and RCP stays within Organizations' 5,120 characters."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.policies.guardrails import compact_json
from generator.rules.base import Rule

LIMIT = 5120


class PolicySize(Rule):
    id = "ORG-001"
    title = "SCP and RCP size"
    grade = "BLOCK"
    waivable = False  # Organizations rejects it at apply
    modes = frozenset({"organization"})
    rationale = ("A service or resource control policy may hold at most 5,120 characters as stored; Terraform's "
                 "jsonencode stores it compact, so that is what is counted.")
    remediation = "Merge statements, use action wildcards, or split the policy in two (mind the five per target)."
    references = ("https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html",)

    def check(self, ctx) -> Iterator[Finding]:
        for policy in ctx.organization.policies.values():
            size = len(compact_json(policy.document))
            if size > LIMIT:
                yield self.finding(policy.path, f"{policy.kind.upper()} {policy.key} is {size:,} characters as "
                                   f"jsonencode stores it; AWS Organizations allows {LIMIT:,}")
