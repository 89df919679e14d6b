"""PB-002: creating or changing roles and users requires the boundary."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context
from generator.rules.helpers import accepted_by_kind


BOUNDARY_ACTIONS = tuple(a.lower() for a in (
    "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
    "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:CreateUser", "iam:PutUserPermissionsBoundary",
    "iam:AttachUserPolicy", "iam:DetachUserPolicy", "iam:PutUserPolicy", "iam:DeleteUserPolicy",
))
_ACTION_SET = frozenset(BOUNDARY_ACTIONS)


class CreationThroughBoundary(Rule):
    id = "PB-002"
    modes = frozenset({"spec", "account"})  # it reads only ctx.principals(): real principals too
    title = "Role and user creation forced through the boundary"
    grade = "CRIT"
    rationale = "A delegate that can create roles without the boundary can create an administrator."
    remediation = "Add StringEquals iam:PermissionsBoundary = <department boundary ARN> (`can_create_roles` does it)."
    references = ("IAM User Guide: delegating with permissions boundaries (CreateOrChangeOnlyWithBoundary)",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        for role in ctx.spec.roles if ctx.spec is not None else ():  # an account has no can_create_roles
            # The generator builds no delegation policy then; the spec still asks for one.
            if role.can_create_roles and (not role.boundary or role.boundary not in ctx.spec.boundaries):
                yield self.finding(f"{role.path}.can_create_roles",
                                   f"role {role.name} may create roles but its department has no permission "
                                   "boundary to force on them")
        for principal in ctx.principals():
            if accepted_by_kind(principal, self.id):
                continue  # the risk this privileged role's kind states (PRV-030)
            for action in sorted(principal.permissions.allowed_among(_ACTION_SET)):
                loose = [g for g in principal.permissions.grants(action) if "iam:permissionsboundary" not in g.constraints]
                if loose:
                    yield self.finding(principal.path, f"{principal.label} can use {action} without the "
                                                        f"iam:PermissionsBoundary condition ({loose[0].location})")
                    break
