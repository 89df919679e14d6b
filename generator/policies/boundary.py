"""Permission boundaries: the spec's ceiling, a region fence and self-protection.

A boundary is a ceiling, never a grant. It only lets through what its ``allow`` grants
list; if a department role uses ABAC or permissions of its own, the spec author must allow
those actions here too, or they are dead (PB-008). Besides what the spec says and the
protective denies, a boundary lets through only what iamforge itself grants and scopes: when
users carry it, the own-user MFA self-service that enrolment needs and the assumption of their
department's human roles (``policies.human``); when a delegate carries it, the delegation
(``policies.delegation``), which reaches only the delegated paths.
"""
from __future__ import annotations

from generator.policies.document import KIND_BOUNDARY, PolicyDoc, policy, statement
from generator.policies.identity import grant_statements
from generator.policies.mfa import IAMFORGE_POLICY_PATH, mfa_policy_arn, self_service_statements
from generator.spec.model import Boundary, Spec

# Services and actions that are global (served from one Region, usually us-east-1) or
# that the console calls regardless of Region. They are exempt from the Region fence,
# otherwise IAM, STS, billing and support would break for every restricted principal.
# Derived from AWS's "Deny access to AWS based on the requested Region" SCP example,
# without its regional entries (acm, kms, config, ...) so the fence stays tight.
GLOBAL_ACTIONS = (
    "account:*",
    "aws-marketplace-management:*",
    "aws-marketplace:*",
    "aws-portal:*",
    "billing:*",
    "budgets:*",
    "ce:*",
    "cloudfront:*",
    "cur:*",
    "ec2:DescribeRegions",
    "freetier:*",
    "globalaccelerator:*",
    "health:*",
    "iam:*",
    "invoicing:*",
    "networkmanager:*",
    "organizations:*",
    "payments:*",
    "pricing:*",
    "route53:*",
    "route53domains:*",
    "s3:GetAccountPublicAccessBlock",
    "s3:ListAllMyBuckets",
    "s3:PutAccountPublicAccessBlock",
    "shield:*",
    "sts:*",
    "support:*",
    "supportplans:*",
    "tax:*",
    "trustedadvisor:*",
    "waf:*",
)

POLICY_EDIT_ACTIONS = (
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
)
BOUNDARY_REMOVAL_ACTIONS = ("iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary")
# Every action here supports iam:PermissionsBoundary (Service Authorization Reference).
CREATE_WITH_BOUNDARY_ACTIONS = (
    "iam:CreateRole",
    "iam:CreateUser",
    "iam:PutRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
)


def protected_policy_arns(spec: Spec) -> list[str]:
    """ARNs of the policies no principal may edit: every boundary (the delegated ones too) and
    the force-MFA policy."""
    arns = [spec.boundary_arn(k) for k in spec.boundaries]
    arns += [spec.delegated_boundary_arn(k) for k in spec.delegates]
    if spec.mfa.enforce:
        arns.append(mfa_policy_arn(spec))
    return sorted(arns)


def protected_policy_resources(spec: Spec) -> list[str]:
    """The ``Resource`` that covers :func:`protected_policy_arns` in generated Deny statements:
    every policy on iamforge's own path. One ARN whatever the number of boundaries, so the
    boundary and delegation policies stay far below IAM's size quotas for any organisation
    (listing each boundary made every boundary grow with the number of departments)."""
    return [spec.arn("iam", f"policy{IAMFORGE_POLICY_PATH}*")]


def boundary_principals(spec: Spec) -> dict[str, tuple[tuple[str, str], ...]]:
    """Boundary key -> every role and user carrying it, sorted (one pass over the principals)."""
    pairs: dict[str, list[tuple[str, str]]] = {}
    for r in spec.roles:
        if r.boundary:
            pairs.setdefault(r.boundary, []).append(("role", r.name))
    for u in spec.users:
        if u.boundary:
            pairs.setdefault(u.boundary, []).append(("user", u.name))
    return {key: tuple(sorted(found)) for key, found in pairs.items()}


def region_fence(boundary: Boundary) -> list[dict]:
    """The Deny of every regional action outside the boundary's ``regions`` (none without them)."""
    if not boundary.regions:
        return []
    return [statement(
        "DenyOutsideAllowedRegions",
        "Deny",
        not_actions=GLOBAL_ACTIONS,
        resources=["*"],
        condition={"StringNotEquals": {"aws:RequestedRegion": list(boundary.regions)}},
    )]


def boundary_statements(spec: Spec, key: str, boundary: Boundary, users_carry_it: bool,
                        ceilings: list[dict] = ()) -> list[dict]:
    """The statements of boundary ``key``: allows, region fence, self-protection.
    ``users_carry_it`` says whether some user (not only roles) has it as boundary; ``ceilings``
    are the scoped statements iamforge's own grants need through it (see the module)."""
    own_arn = spec.boundary_arn(key)
    # A delegate carrying this boundary creates roles with the delegated boundary instead.
    allowed_boundaries = [own_arn] + ([spec.delegated_boundary_arn(key)] if key in spec.delegates else [])
    statements = grant_statements(boundary.allow, default_prefix="BoundaryAllow")
    if spec.mfa.enforce and users_carry_it:
        # Users carry this boundary: without MFA self-service in the ceiling they could never enrol.
        statements += self_service_statements(spec)
    statements += list(ceilings)
    statements += region_fence(boundary)
    statements += [
        statement("DenyProtectedPolicyEdit", "Deny", POLICY_EDIT_ACTIONS, protected_policy_resources(spec)),
        statement("DenyBoundaryRemoval", "Deny", BOUNDARY_REMOVAL_ACTIONS, ["*"]),
        # StringNotEquals also matches when the key is absent: creating a role or user
        # with no boundary at all is denied too.
        statement(
            "DenyCreateOrChangeWithoutThisBoundary",
            "Deny",
            CREATE_WITH_BOUNDARY_ACTIONS,
            ["*"],
            condition={"StringNotEquals": {"iam:PermissionsBoundary": allowed_boundaries}},
        ),
    ]
    return statements


def build_boundaries(spec: Spec, ceilings: dict[str, list[dict]] | None = None) -> list[PolicyDoc]:
    """One managed boundary policy per ``boundaries`` entry, in spec order; ``ceilings`` maps a
    boundary key to the scoped statements iamforge's own grants need through it."""
    docs = []
    carriers = boundary_principals(spec)
    ceilings = ceilings or {}
    for key, boundary in spec.boundaries.items():
        docs.append(
            PolicyDoc(
                key=f"boundary.{key}",
                kind=KIND_BOUNDARY,
                name=spec.boundary_policy_name(key),
                spec_path=boundary.path,
                document=policy(boundary_statements(
                    spec, key, boundary, any(kind == "user" for kind, _ in carriers.get(key, ())),
                    ceilings.get(key, []))),
                attachments=carriers.get(key, ()),
                managed=True,
                description=boundary.description or f"Permissions boundary {key} (iamforge)",
            )
        )
    return docs
