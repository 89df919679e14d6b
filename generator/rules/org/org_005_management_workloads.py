"""ORG-005: no workload runs in the management account (CIS v7.0 2.1.3)."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule


class ManagementWorkloads(Rule):
    id = "ORG-005"
    title = "No workloads in the management account"
    grade = "HIGH"
    modes = frozenset({"organization"})
    rationale = ("SCPs never apply to the management account, and whoever runs there can change every account's "
                 "guardrails; a workload (or its people) there has the organisation's keys.")
    remediation = "Give the workload a member account of its own under a workloads OU."
    references = ("CIS AWS Foundations v7.0 2.1.3",
                  "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_best-practices_mgmt-acct.html")

    def check(self, ctx) -> Iterator[Finding]:
        org = ctx.organization
        for member in org.accounts.values():
            if member.id == org.management_id:
                yield self.finding(f"{member.path}.id", f"account {member.key} ({member.purpose}) is the management "
                                   f"account {org.management_id}: SCPs do not apply there; give it a member account")
