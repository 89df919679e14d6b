"""Delegated role creation (``can_create_roles``): AWS's permission-boundary delegation pattern.

Role variant of "Delegating responsibility to others using permissions boundaries"
(IAM User Guide; validator-rules.md §3.8). The delegate may create and manage roles
only under ``role/<dept>/delegated/``, only with its department's boundary attached,
may pass only those roles and only to compute services, and cannot touch the boundary
policies, remove a boundary, forge authorization tags or change its own role.

A role in a department without a boundary cannot be given this safely (nothing would
cap what the created roles can do). ``build_delegation`` then builds nothing and raises
nothing: the validator reports the spec (rule PB-002).
"""
from __future__ import annotations

from generator.policies.boundary import POLICY_EDIT_ACTIONS, protected_policy_resources
from generator.policies.document import KIND_IDENTITY, PolicyDoc, policy, sorted_unique, statement
from generator.spec.model import Role, Spec

INLINE_DELEGATION_NAME = "iamforge-delegation"

# All six support iam:PermissionsBoundary, so the key may sit with each of them.
WITH_BOUNDARY_ACTIONS = (
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
)
# Managing roles the delegate created; none of these supports iam:PermissionsBoundary,
# so they get their own statement, scoped to the same delegated path.
MANAGE_DELEGATED_ACTIONS = (
    "iam:DeleteRole",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:ListRoleTags",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
)
# Compute services a team runs its workloads on with roles it creates. Each can only
# use a passed role inside the delegated path, and that role is capped by the boundary.
# Services that themselves create resources or roles (cloudformation, codebuild, ...)
# are left out: passing a role to them would be a second delegation channel.
PASSED_TO_SERVICES = ("ec2.amazonaws.com", "ecs-tasks.amazonaws.com", "lambda.amazonaws.com")
# Every write on a role, denied on the delegate's own role (removing its boundary is
# denied on every role by DenyBoundaryRemoval already).
SELF_MODIFY_ACTIONS = (
    "iam:AttachRolePolicy",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
)
PRINCIPAL_TAG_ACTIONS = ("iam:TagRole", "iam:TagUser", "iam:UntagRole", "iam:UntagUser")


def delegated_path(role: Role) -> str:
    """IAM path of the roles ``role`` may create: ``/<dept>/delegated/``."""
    return f"/{role.department}/delegated/"


def delegated_roles_arn(spec: Spec, role: Role) -> str:
    """ARN pattern of every role ``role`` may create and pass."""
    return spec.arn("iam", f"role{delegated_path(role)}*")


def role_arn(spec: Spec, role: Role) -> str:
    """ARN of a spec role, path included."""
    return spec.arn("iam", f"role{role.iam_path}{role.name}")


def authorization_tag_keys(spec: Spec) -> list[str]:
    """Tag keys that carry authorization: the ABAC key and the required tags."""
    return sorted_unique([spec.tags.abac_key, *spec.tags.required])


def build_delegation(spec: Spec, role: Role) -> PolicyDoc | None:
    """The delegation inline policy of a ``can_create_roles`` role.

    Returns:
        The document, or None when the role may not create roles or its department
        has no boundary (reported by the validator as PB-002, never built unsafely).
    """
    if not role.can_create_roles or not role.boundary or role.boundary not in spec.boundaries:
        return None
    delegated = delegated_roles_arn(spec, role)
    boundary_arn = spec.boundary_arn(role.boundary)
    statements = [
        statement(
            "CreateOrChangeOnlyWithBoundary",
            "Allow",
            WITH_BOUNDARY_ACTIONS,
            [delegated],
            condition={"StringEquals": {"iam:PermissionsBoundary": boundary_arn}},
        ),
        statement("ManageDelegatedRoles", "Allow", MANAGE_DELEGATED_ACTIONS, [delegated]),
        statement(
            "PassDelegatedRoles",
            "Allow",
            ["iam:PassRole"],
            [delegated],
            condition={"StringEquals": {"iam:PassedToService": list(PASSED_TO_SERVICES)}},
        ),
        statement("DenyBoundaryRemoval", "Deny", ["iam:DeleteRolePermissionsBoundary"], ["*"]),
        statement("DenyBoundaryPolicyEdit", "Deny", POLICY_EDIT_ACTIONS, protected_policy_resources(spec)),
        statement("DenySelfModification", "Deny", SELF_MODIFY_ACTIONS, [role_arn(spec, role)]),
        # Created roles must not carry another department's authorization tags:
        # only the IAM administrator (Terraform) sets those keys.
        statement(
            "DenyAuthorizationTagChanges",
            "Deny",
            PRINCIPAL_TAG_ACTIONS,
            ["*"],
            condition={"ForAnyValue:StringEquals": {"aws:TagKeys": authorization_tag_keys(spec)}},
        ),
    ]
    return PolicyDoc(
        key=f"role.{role.department}.{role.key}.delegation",
        kind=KIND_IDENTITY,
        name=INLINE_DELEGATION_NAME,
        spec_path=f"{role.path}.can_create_roles",
        document=policy(statements),
        attachments=(("role", role.name),),
        managed=False,
        description=f"{role.name} may create roles under {delegated_path(role)} with the "
        f"{role.boundary} boundary only (iamforge)",
    )
