"""The human path: a department's users assume their department's MFA-protected roles.

A human role trusts this account (``aws_principals`` naming the account root, or the account
id) with ``require_mfa``. Such a trust delegates to identity policies: without one, nobody can
assume the role. iamforge gives each department group one inline policy that allows
``sts:AssumeRole`` on exactly its own department's human roles, with MFA present and no older
than ``mfa.max_age_seconds`` (the same condition as the trust), and lets it through the
boundary the department's users carry. No other department's role is reachable this way.
"""
from __future__ import annotations

from generator.policies.document import KIND_IDENTITY, PolicyDoc, policy, statement
from generator.policies.trust import mfa_condition
from generator.spec.model import Department, Role, Spec

INLINE_ASSUME_NAME = "iamforge-assume-roles"


def trusts_own_account(spec: Spec, role: Role) -> bool:
    """True when ``role``'s trust names this account as a whole (its root, or its id)."""
    root = spec.arn("iam", "root")
    return any(p in (root, spec.account.id) for p in role.trust.aws_principals)


def human_roles(spec: Spec, department: Department) -> list[Role]:
    """The department's roles its people assume: trusting this account, MFA required."""
    return [r for r in department.roles.values()
            if r.iam_role and r.trust.require_mfa and trusts_own_account(spec, r)]


def role_arns(spec: Spec, roles: list[Role]) -> list[str]:
    return sorted(spec.arn("iam", f"role{r.iam_path}{r.name}") for r in roles)


def assume_statement(spec: Spec, arns: list[str], sid: str) -> dict:
    return statement(sid, "Allow", ["sts:AssumeRole"], arns, condition=mfa_condition(spec))


def build_group_assume(spec: Spec, department: Department) -> PolicyDoc | None:
    """The group policy that lets the department's users assume its human roles; None when the
    department has no users or no such role."""
    roles = human_roles(spec, department)
    if not department.users or not roles:
        return None
    return PolicyDoc(
        key=f"group.{department.key}.assume_roles",
        kind=KIND_IDENTITY,
        name=INLINE_ASSUME_NAME,
        spec_path=f"{department.path}.users",
        document=policy([assume_statement(spec, role_arns(spec, roles), "AssumeDepartmentRolesWithMfa")]),
        attachments=(("group", department.group_name),),
        managed=False,
        description=f"Members of {department.group_name} may assume its roles with MFA (iamforge)",
    )


def assume_ceilings(spec: Spec) -> dict[str, list[dict]]:
    """Boundary key -> the statement that lets its users' departments' human roles through it."""
    arns: dict[str, set[str]] = {}
    for dept in spec.departments.values():
        roles = human_roles(spec, dept)
        for user in dept.users if roles else ():
            if user.boundary:
                arns.setdefault(user.boundary, set()).update(role_arns(spec, roles))
    return {key: [assume_statement(spec, sorted(found), "AllowAssumeDepartmentRolesWithMfa")]
            for key, found in arns.items()}
