"""Small helpers shared by rule modules: named action sets and statement predicates."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from generator.analysis.arn import effectively_star
from generator.analysis.catalog import catalog
from generator.analysis.conditions import allow_constraints
from generator.analysis.document import Statement
from generator.analysis.effective import Grant, Source
from generator.spec.model import Role, Spec, User

if TYPE_CHECKING:
    from generator.rules.context import PrincipalView

# Actions that hand back credentials (cloudsplaining ACTIONS_THAT_RETURN_CREDENTIALS, §3.5),
# minus ecr:GetAuthorizationToken which every image pull needs.
CREDENTIAL_ACTIONS = frozenset(a.lower() for a in (
    "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
    "iam:CreateServiceSpecificCredential", "iam:ResetServiceSpecificCredential", "sts:AssumeRole",
    "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:GetFederationToken", "sts:GetSessionToken",
    "sso:GetRoleCredentials", "codeartifact:GetAuthorizationToken", "redshift:GetClusterCredentials",
    "redshift:GetClusterCredentialsWithIAM", "redshift-serverless:GetCredentials", "rds-db:connect",
    "ec2:GetPasswordData", "lightsail:GetInstanceAccessDetails", "lightsail:GetRelationalDatabaseMasterUserPassword",
    "cognito-identity:GetCredentialsForIdentity", "appsync:CreateApiKey", "grafana:CreateWorkspaceApiKey",
    "gamelift:RequestUploadCredentials", "gamelift:GetInstanceAccess", "iot:AssumeRoleWithCertificate",
    "chime:CreateApiKey", "mediapackage:RotateIngestEndpointCredentials", "sagemaker:CreatePresignedDomainUrl",
    "sagemaker:CreatePresignedNotebookInstanceUrl", "ecr-public:GetAuthorizationToken",
))
# Read actions that move data out (cloudsplaining READ_ONLY_DATA_EXFILTRATION_ACTIONS).
EXFILTRATION_ACTIONS = frozenset(a.lower() for a in (
    "s3:GetObject", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
    "secretsmanager:GetSecretValue", "rds:CopyDBSnapshot", "rds:CreateDBSnapshot",
))
# MFA self-service (AWS's own force-MFA pattern): creating one's virtual MFA device grants nothing.
SELF_SERVICE = frozenset({"iam:createvirtualmfadevice"})
SENSITIVE_SERVICES = frozenset({"iam", "sts", "kms", "organizations", "account"})


@lru_cache(maxsize=None)
def action_set(name: str) -> frozenset[str]:
    """A named set of catalogued actions (lower-case)."""
    cat = catalog()
    if name == "permissions":
        return frozenset(a for a, i in cat.actions.items() if i.access_level == "Permissions management") - SELF_SERVICE
    if name == "scopable":
        return frozenset(a for a, i in cat.actions.items() if i.scopable) - SELF_SERVICE
    if name == "mutating":
        return frozenset(a for a, i in cat.actions.items() if i.access_level not in ("List", "Read"))
    if name == "tagging":
        return frozenset(a for a, i in cat.actions.items() if i.access_level == "Tagging")
    if name == "credentials":
        return CREDENTIAL_ACTIONS
    if name == "exfiltration":
        return EXFILTRATION_ACTIONS
    raise KeyError(name)


@lru_cache(maxsize=16384)
def _hits(actions: tuple[str, ...], not_action: bool, name: str) -> frozenset[str]:
    return catalog().expand_all(actions, not_action) & action_set(name)


def hits(stmt: Statement, name: str) -> frozenset[str]:
    """Actions of the named set that ``stmt`` covers."""
    return _hits(stmt.actions, stmt.not_action, name)


def unscoped(stmt: Statement) -> bool:
    """The statement reaches every resource: ``*``, ``role/*``-style ARNs, or NotResource."""
    return stmt.memo("_unscoped", lambda s: s.not_resource or any(effectively_star(r) for r in s.resources))


def unconstrained(stmt: Statement) -> bool:
    """An unscoped Allow without any narrowing condition (an unrelated condition does not count)."""
    return stmt.memo("_unconstrained", lambda s: s.allow and unscoped(s) and not allow_constraints(s))


def unconstrained_hits(principal: PrincipalView, set_name: str) -> Iterator[tuple[Source, Statement, frozenset[str]]]:
    """Identity statements of ``principal`` that allow actions of the named set on every resource
    without a narrowing condition (``Action: "*"`` is left to PRV-001/PRV-002)."""
    for source, stmt in principal.statements():
        if stmt.every_action or not unconstrained(stmt):
            continue
        found = hits(stmt, set_name)
        if found:
            yield source, stmt, found


def open_grants(principal: PrincipalView, actions: Iterable[str]) -> Iterator[Grant]:
    """Effective grants of ``actions`` that reach every resource without a narrowing condition."""
    for action in actions:
        for grant in principal.permissions.grants(action):
            if grant.unscoped and not grant.constraints:
                yield grant


def tag_origin(spec: Spec, principal: Role | User, key: str) -> str:
    """The spec path that puts tag ``key`` on ``principal`` (a role or user of ``spec``).

    Final tags merge, later winning: ``tags.common``, ``departments.<d>.tags``, the ABAC key and
    ``Owner`` from the department, then (roles only) ``departments.<d>.roles.<r>.tags``.
    """
    dept = spec.raw.get("departments", {}).get(principal.department, {}) or {}
    dept_path = f"departments.{principal.department}"
    if isinstance(principal, Role) and key in ((dept.get("roles", {}).get(principal.key) or {}).get("tags") or {}):
        return f"{principal.path}.tags"
    if key == spec.tags.abac_key:
        return f"{dept_path}.tag_value"
    if key == "Owner":
        return f"{dept_path}.owner"
    if key in (dept.get("tags") or {}):
        return f"{dept_path}.tags"
    return "tags.common"


def names(actions: Iterable[str], limit: int = 4) -> str:
    """Canonical action names for a message: ``iam:PassRole, s3:GetObject and 3 more``."""
    cat = catalog()
    shown = sorted((cat.lookup(a).name if cat.lookup(a) else a) for a in actions)
    if len(shown) <= limit:
        return ", ".join(shown)
    return ", ".join(shown[:limit]) + f" and {len(shown) - limit} more"
