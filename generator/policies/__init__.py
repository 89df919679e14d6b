"""Every IAM and resource policy document, built once from the spec model as plain data.

The validator checks these objects and the blueprints emit them with ``jsonencode``:
what is validated is what is deployed. ``build`` is pure and deterministic (no I/O, no
clock, sorted wherever order carries no meaning), so two builds of one spec are equal
byte for byte once serialized.

Document keys:
    ``mfa.force_mfa``; ``boundary.<key>``; ``boundary.<key>.delegated``;
    ``group.<dept>.{permissions,assume_roles}``;
    ``role.<dept>.<role>.{trust,permissions,abac,delegation}``;
    ``cloudtrail.{bucket,access_log_bucket,kms,sns,logs_delivery,logs_delivery_trust}``;
    ``privileged.<kind>.{trust,permissions,boundary}``.
"""
from __future__ import annotations

from generator.gcpause import gc_paused
from generator.policies.abac import AbacPlan, FamilyGrant, LeftOut, abac_unsupported, build_abac
from generator.policies.abac import plan as abac_plan
from generator.policies.boundary import build_boundaries, protected_policy_arns
from generator.policies.cloudtrail import CloudTrailLayout, build_cloudtrail, cloudtrail_layout
from generator.policies.delegation import (
    build_delegated_boundaries,
    build_delegation,
    delegate_ceilings,
    delegated_path,
    delegated_roles_arn,
    role_arn,
)
from generator.policies.document import (
    KIND_BOUNDARY,
    KIND_IDENTITY,
    KIND_RESOURCE,
    KIND_TRUST,
    KINDS,
    POLICY_VERSION,
    PolicyDoc,
    PolicySet,
    canonical_json,
    conditions,
    make_sid,
    minified_size,
    policy,
    statement,
)
from generator.policies.human import assume_ceilings, build_group_assume
from generator.policies.identity import build_group_permissions, build_role_permissions
from generator.policies.mfa import IAMFORGE_POLICY_PATH, MFA_POLICY_NAME, build_mfa, mfa_policy_arn
from generator.policies.privileged import build_privileged
from generator.policies.trust import GITHUB_OIDC_HOST, build_trust, github_oidc_provider_arn
from generator.spec.model import Spec

__all__ = [
    "GITHUB_OIDC_HOST",
    "IAMFORGE_POLICY_PATH",
    "KINDS",
    "KIND_BOUNDARY",
    "KIND_IDENTITY",
    "KIND_RESOURCE",
    "KIND_TRUST",
    "MFA_POLICY_NAME",
    "POLICY_VERSION",
    "AbacPlan",
    "CloudTrailLayout",
    "FamilyGrant",
    "LeftOut",
    "PolicyDoc",
    "PolicySet",
    "abac_plan",
    "abac_unsupported",
    "build",
    "canonical_json",
    "cloudtrail_layout",
    "conditions",
    "delegated_path",
    "delegated_roles_arn",
    "github_oidc_provider_arn",
    "make_sid",
    "mfa_policy_arn",
    "minified_size",
    "policy",
    "protected_policy_arns",
    "role_arn",
    "statement",
]


@gc_paused
def build(spec: Spec) -> PolicySet:
    """Build every policy document of ``spec``.

    Order: force-MFA, boundaries, delegated boundaries, then per department its group policies and per role
    trust, permissions, ABAC, delegation, then CloudTrail. Documents the spec does not
    call for (or that cannot be built safely, see ``build_delegation``) are absent.

    Args:
        spec: The normalized spec.

    Returns:
        The documents by key, plus user-to-group memberships.

    Raises:
        ValueError: If two documents would get the same key (a model invariant broke).
    """
    ceilings: dict[str, list[dict]] = {}
    for extra in (assume_ceilings(spec), delegate_ceilings(spec)):
        for key, statements in extra.items():
            ceilings.setdefault(key, []).extend(statements)
    docs: list[PolicyDoc | None] = [build_mfa(spec), *build_boundaries(spec, ceilings), *build_delegated_boundaries(spec)]
    for dept in spec.departments.values():
        docs += [build_group_permissions(dept), build_group_assume(spec, dept)]
        for role in dept.roles.values():
            docs += [
                build_trust(spec, role),
                build_role_permissions(role),
                build_abac(spec, role),
                build_delegation(spec, role),
            ]
    docs += build_cloudtrail(spec)
    docs += build_privileged(spec)
    by_key: dict[str, PolicyDoc] = {}
    for doc in docs:
        if doc is None:
            continue
        if doc.key in by_key:
            raise ValueError(f"duplicate policy document key {doc.key!r}")
        by_key[doc.key] = doc
    memberships = {
        u.name: (dept.group_name,) for dept in spec.departments.values() for u in dept.users
    }
    return PolicySet(docs=by_key, memberships=memberships)
