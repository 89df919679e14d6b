"""ORG-002: at most five SCPs and five RCPs on the root, an OU or an account, FullAWSAccess included."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.org.model import FULL_ACCESS
from generator.rules.base import Rule

LIMIT = 5


class PoliciesPerTarget(Rule):
    id = "ORG-002"
    title = "Five SCPs and five RCPs per target"
    grade = "BLOCK"
    waivable = False  # Organizations refuses the sixth attachment
    modes = frozenset({"organization"})
    rationale = ("Organizations attaches at most five SCPs (and five RCPs) to the root, to one OU and to one "
                 "account. iamforge keeps AWS's FullAWSAccess (RCPFullAWSAccess) attached, the deny-list "
                 "strategy, and it counts: four iamforge policies of each type per target.")
    remediation = "Merge guardrails into one custom policy, or attach some higher up (an OU, the root)."
    references = ("https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html",
                  "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_strategies.html")

    def check(self, ctx) -> Iterator[Finding]:
        org = ctx.organization
        targets = {(a.target, a.target_key, a.kind) for a in org.attachments}
        for target, key, kind in sorted(targets):
            attached = org.attached(target, key, kind)
            for n, a in enumerate(attached, start=2):  # FullAWSAccess is the first
                if n > LIMIT:
                    yield self.finding(a.path, f"{a.policy} would be {kind.upper()} number {n} on {a.target_label} "
                                       f"({FULL_ACCESS[kind]} and {len(attached)} of iamforge's); AWS Organizations "
                                       f"allows {LIMIT}")
