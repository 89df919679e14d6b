"""Identity policies written as grants in the spec: role ``permissions`` and department groups."""
from __future__ import annotations

from collections.abc import Iterable

from generator.policies.document import KIND_IDENTITY, PolicyDoc, make_sid, policy, statement, unique_sids
from generator.spec.model import Department, Grant, Role

INLINE_PERMISSIONS_NAME = "iamforge-permissions"


def grant_sid(grant: Grant, index: int, default_prefix: str) -> str:
    """The grant's own Sid when it is valid, else ``<prefix><n>`` (1-based position)."""
    if grant.sid:
        cleaned = make_sid(grant.sid)
        if cleaned == grant.sid:
            return grant.sid
    return f"{default_prefix}{index + 1}"


def grant_statements(grants: Iterable[Grant], default_prefix: str = "Grant") -> list[dict]:
    """Statements for spec grants, one each, with valid and unique Sids.

    Args:
        grants: The spec's grants (``permissions:`` or a boundary's ``allow:``).
        default_prefix: Prefix of generated Sids for grants without a usable ``sid``.

    Returns:
        Canonical statements in grant order.
    """
    grants = list(grants)
    sids = unique_sids(grant_sid(g, i, default_prefix) for i, g in enumerate(grants))
    return [
        statement(sid, g.effect, g.actions, g.resources, condition=g.conditions)
        for sid, g in zip(sids, grants)
    ]


def build_role_permissions(role: Role) -> PolicyDoc | None:
    """The role's ``permissions`` grants as one inline policy; None when it has none."""
    if not role.permissions:
        return None
    return PolicyDoc(
        key=f"role.{role.department}.{role.key}.permissions",
        kind=KIND_IDENTITY,
        name=INLINE_PERMISSIONS_NAME,
        spec_path=f"{role.path}.permissions",
        document=policy(grant_statements(role.permissions)),
        attachments=(("role", role.name),),
        managed=False,
        description=f"Permissions of {role.name} from the spec (iamforge)",
    )


def build_group_permissions(department: Department) -> PolicyDoc | None:
    """The department's ``permissions`` grants as an inline group policy; None when it has none."""
    if not department.permissions:
        return None
    return PolicyDoc(
        key=f"group.{department.key}.permissions",
        kind=KIND_IDENTITY,
        name=INLINE_PERMISSIONS_NAME,
        spec_path=f"{department.path}.permissions",
        document=policy(grant_statements(department.permissions)),
        attachments=(("group", department.group_name),),
        managed=False,
        description=f"Permissions of the {department.group_name} group from the spec (iamforge)",
    )
