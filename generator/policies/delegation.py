"""Delegated role creation (``can_create_roles``): AWS's permission-boundary delegation pattern.

Role variant of "Delegating responsibility to others using permissions boundaries" (IAM User
Guide). As AWS's guidance does, two boundaries take part:

* the delegate's own boundary (its department's), which lets through exactly the delegation:
  create and manage roles under ``role/<dept>/delegated/``, only with the delegated boundary,
  and pass those roles to compute services (``delegate_ceilings``);
* the **delegated boundary** (``iamforge-delegated-boundary-<key>``), which every role the
  delegate creates must carry: the department boundary's allows and region fence, and no IAM
  change at all, ``iam:PassRole`` included (``build_delegated_boundaries``). A created role
  with AdministratorAccess can then neither rewrite another role's trust or policies nor
  create roles of its own, so delegation never reaches a role outside the delegated set.

The delegate also cannot touch the boundary policies, remove a boundary, forge authorization
tags or change its own role. A role in a department without a boundary cannot be given this
safely (nothing would cap what the created roles can do). ``build_delegation`` then builds
nothing and raises nothing: the validator reports the spec (rule PB-002).
"""
from __future__ import annotations

from generator.policies.boundary import POLICY_EDIT_ACTIONS, protected_policy_resources, region_fence
from generator.policies.document import KIND_BOUNDARY, KIND_IDENTITY, PolicyDoc, policy, sorted_unique, statement
from generator.policies.identity import grant_statements
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
# Every IAM action that changes something (access levels Write, Permissions management and
# Tagging: each verb of the catalogue's IAM actions but Generate, Get, List and Simulate), denied
# to roles created by delegation. A test checks the list against the catalogue.
IAM_CHANGE_ACTIONS = (
    "iam:Accept*", "iam:Add*", "iam:Associate*", "iam:Attach*", "iam:Change*", "iam:Create*",
    "iam:Deactivate*", "iam:Delete*", "iam:Detach*", "iam:Disable*", "iam:Enable*", "iam:PassRole",
    "iam:Put*", "iam:Reject*", "iam:Remove*", "iam:Reset*", "iam:Resync*", "iam:Send*", "iam:Set*",
    "iam:Tag*", "iam:Untag*", "iam:Update*", "iam:Upload*",
)


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


def delegation_grants(spec: Spec, key: str, roles: list[Role]) -> list[dict]:
    """The Allow statements of delegation for ``roles`` (all carrying boundary ``key``): create
    and change roles under their delegated paths only with the delegated boundary, manage them,
    pass them to compute services."""
    delegated = sorted_unique(delegated_roles_arn(spec, r) for r in roles)
    return [
        statement(
            "CreateOrChangeOnlyWithBoundary",
            "Allow",
            WITH_BOUNDARY_ACTIONS,
            delegated,
            condition={"StringEquals": {"iam:PermissionsBoundary": spec.delegated_boundary_arn(key)}},
        ),
        statement("ManageDelegatedRoles", "Allow", MANAGE_DELEGATED_ACTIONS, delegated),
        statement(
            "PassDelegatedRoles",
            "Allow",
            ["iam:PassRole"],
            delegated,
            condition={"StringEquals": {"iam:PassedToService": list(PASSED_TO_SERVICES)}},
        ),
    ]


def delegate_ceilings(spec: Spec) -> dict[str, list[dict]]:
    """Boundary key -> the statements that let its delegates' delegation through it. Without
    them the boundary, a ceiling, would make ``can_create_roles`` inert; they reach only the
    delegated paths and only with the delegated boundary, as the delegation policy itself."""
    return {key: [dict(s, Sid=f"Delegation{s['Sid']}") for s in delegation_grants(spec, key, roles)]
            for key, roles in spec.delegates.items()}


def delegated_boundary_statements(spec: Spec, key: str) -> list[dict]:
    """The delegated boundary of ``key``: the department boundary's allows and region fence, and
    every IAM change denied."""
    boundary = spec.boundaries[key]
    return [
        *grant_statements(boundary.allow, default_prefix="BoundaryAllow"),
        *region_fence(boundary),
        statement("DenyEveryIamChange", "Deny", IAM_CHANGE_ACTIONS, ["*"]),
    ]


def build_delegated_boundaries(spec: Spec) -> list[PolicyDoc]:
    """One delegated boundary per boundary some delegate carries, in spec order. No principal of
    the spec carries it: the roles the delegates create do."""
    docs = []
    for key, roles in spec.delegates.items():
        names = ", ".join(r.name for r in roles)
        docs.append(PolicyDoc(
            key=f"boundary.{key}.delegated",
            kind=KIND_BOUNDARY,
            name=spec.delegated_boundary_policy_name(key),
            spec_path=spec.boundaries[key].path,
            document=policy(delegated_boundary_statements(spec, key)),
            attachments=(),
            managed=True,
            description=f"Permissions boundary of the roles {names} create: {key} without IAM changes (iamforge)",
        ))
    return docs


def build_delegation(spec: Spec, role: Role) -> PolicyDoc | None:
    """The delegation inline policy of a ``can_create_roles`` role.

    Returns:
        The document, or None when the role may not create roles or its department
        has no boundary (reported by the validator as PB-002, never built unsafely).
    """
    if not role.can_create_roles or not role.boundary or role.boundary not in spec.boundaries:
        return None
    statements = [
        *delegation_grants(spec, role.boundary, [role]),
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
        f"{spec.delegated_boundary_policy_name(role.boundary)} boundary only (iamforge)",
    )
