"""PB-005: a delegate's iam:PassRole reaches only roles bounded like itself."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class DelegatePassRole(Rule):
    id = "PB-005"
    title = "PassRole limited to bounded roles"
    grade = "HIGH"
    rationale = "A delegate that can pass roles outside its boundary hands services more than it has itself."
    remediation = "Limit iam:PassRole to the department role path and add iam:PassedToService."
    references = ("IAM User Guide: delegation with boundaries",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        for principal in ctx.principals():
            if principal.role is None or not principal.role.can_create_roles:
                continue
            for grant in principal.permissions.grants("iam:passrole"):
                open_to = [r for r in grant.resources if not principal.targets.closed(r, "role")]
                if grant.not_resource or open_to or "iam:passedtoservice" not in grant.constraints:
                    yield self.finding(principal.path, f"{principal.label} delegates role creation but can pass roles "
                                                        f"beyond its boundary ({grant.location})")
                    break
