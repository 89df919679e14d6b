"""A ``permission_set`` role as an IAM Identity Center permission set, built as data.

Identity Center provisions a permission set into each account it is assigned in as a role
(``AWSReservedSSO_<name>_<id>``) with the permission set's one inline policy, its managed
policies and its permissions boundary. The permission set therefore carries the role's own
documents, the ones the validator already judged on the role:

* the inline policy is the role's inline policies (``permissions``, ``abac``, ``delegation``)
  merged, statement for statement, in that order;
* AWS managed policies attach by ARN; customer managed policies, and the department's
  boundary, by name and path: each target account must have them (the boundary comes from
  that account's own spec: rule IDC-004 checks it is there);
* the session lasts the role's ``max_session_hours``.

ABAC: a role's department tag is fixed on the role, but an Identity Center session's tag
comes from the person's identity-store attribute (the instance's attributes for access
control). A person in the department's group whose attribute names another department would
reach that department's resources, so a permission set with ABAC also denies everything to a
session whose tag is not its own department's value; so does one whose statements read any
principal tag (a hand-written ``${aws:PrincipalTag/...}``). Rule IDC-005 reports a principal tag
other than the ABAC key, which no pin can hold to a value.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from generator.policies.document import PolicySet, policy, statement
from generator.spec.model import Role, Spec

ROLE_INLINE_PARTS = ("permissions", "abac", "delegation")
PIN_SID = "DenySessionsOfOtherDepartments"
# An identity-store attribute that usually carries a person's department.
DEFAULT_ABAC_SOURCE = "${path:enterprise.department}"


@dataclass(frozen=True)
class PermissionSetPolicies:
    """What a permission set attaches: ``inline`` (None when the role has no inline policy),
    AWS managed ARNs, customer managed (name, path) pairs and the boundary (name, path)."""

    inline: dict[str, Any] | None
    aws_managed: tuple[str, ...]
    customer_managed: tuple[tuple[str, str], ...]
    boundary: tuple[str, str] | None


def managed_reference(arn: str) -> tuple[str, str] | None:
    """(name, path) of a customer managed policy ARN; None for an AWS managed one."""
    _, _, _, _, account, resource = arn.split(":", 5)
    if account == "aws":
        return None
    parts = resource.split("/")  # policy/<path...>/<name>
    return parts[-1], "/" + "".join(p + "/" for p in parts[1:-1])


def principal_tag_keys(statements: list[dict]) -> set[str]:
    """The principal tag keys the statements read (``aws:PrincipalTag/<key>`` as a condition key or
    a ``${...}`` variable), lower-cased: tag keys are case-insensitive."""
    return set(re.findall(r"aws:principaltag/([\w .:/=+@-]+?)(?=[\"}])", json.dumps(statements).lower()))


def session_duration(role: Role) -> str:
    """The permission set's ISO 8601 session duration."""
    return f"PT{role.max_session_hours}H"


def permission_set_policies(spec: Spec, role: Role, built: PolicySet) -> PermissionSetPolicies:
    """The documents and references of ``role``'s permission set; ``built`` is ``build(spec)``."""
    statements: list[dict] = []
    for part in ROLE_INLINE_PARTS:
        doc = built.docs.get(f"role.{role.department}.{role.key}.{part}")
        if doc is not None:
            statements += doc.document["Statement"]
    if role.abac is not None or principal_tag_keys(statements):
        value = spec.departments[role.department].tag_value
        statements.append(statement(PIN_SID, "Deny", ["*"], ["*"],
                                    condition={"StringNotEquals": {f"aws:PrincipalTag/{spec.tags.abac_key}": [value]}}))
    aws = tuple(sorted(a for a in role.managed_policies if managed_reference(a) is None))
    customer = tuple(sorted(ref for a in role.managed_policies if (ref := managed_reference(a)) is not None))
    boundary = managed_reference(spec.boundary_arn(role.boundary)) if role.boundary else None
    return PermissionSetPolicies(policy(statements) if statements else None, aws, customer, boundary)
