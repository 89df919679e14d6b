"""PB-004: no principal can edit or delete a boundary policy or the force-MFA policy."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.arn import glob_match
from generator.findings import Finding
from generator.policies import protected_policy_arns
from generator.rules.base import Rule
from generator.rules.context import Context
from generator.rules.helpers import accepted_by_kind


_ACTIONS = ("iam:createpolicyversion", "iam:deletepolicy", "iam:deletepolicyversion", "iam:setdefaultpolicyversion")


class BoundaryImmutable(Rule):
    id = "PB-004"
    title = "Boundary and force-MFA policies immutable"
    grade = "HIGH"
    rationale = ("Whoever can write a new version of the boundary raises the ceiling for everybody under it; "
                 "a new version of the force-MFA policy lifts MFA from every user.")
    remediation = ("Scope policy-version actions away from the boundary and force-MFA ARNs (the boundary denies "
                   "them explicitly).")
    references = ("IAM User Guide: delegation example (NoBoundaryPolicyEdit)",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        arns = protected_policy_arns(ctx.spec)
        for principal in ctx.principals():
            if accepted_by_kind(principal, self.id):
                continue  # the risk this privileged role's kind states (PRV-030)
            hit = next((g for a in _ACTIONS for g in principal.permissions.grants(a)
                        if g.not_resource or any(glob_match(r, b) for r in g.resources for b in arns)), None)
            if hit is not None:
                yield self.finding(principal.path, f"{principal.label} can change a boundary or the force-MFA policy "
                                                    f"({hit.action} in {hit.location})")
