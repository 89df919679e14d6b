"""PB-003: no principal can delete a permissions boundary."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context
from generator.rules.helpers import accepted_by_kind


_ACTIONS = ("iam:deleterolepermissionsboundary", "iam:deleteuserpermissionsboundary")


class BoundaryNotRemovable(Rule):
    id = "PB-003"
    modes = frozenset({"spec", "account"})  # it reads only ctx.principals(): real principals too
    title = "Boundary cannot be removed"
    grade = "HIGH"
    rationale = "Deleting the boundary lifts the ceiling from a role or user."
    remediation = "Never grant iam:Delete*PermissionsBoundary; the department boundary denies it explicitly."
    references = ("IAM User Guide: delegation example (NoBoundaryUserDelete)",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        for principal in ctx.principals():
            if accepted_by_kind(principal, self.id):
                continue  # the risk this privileged role's kind states (PRV-030)
            for action in _ACTIONS:
                grants = principal.permissions.grants(action)
                if grants:
                    yield self.finding(principal.path,
                                       f"{principal.label} can remove permissions boundaries ({grants[0].location})")
                    break
