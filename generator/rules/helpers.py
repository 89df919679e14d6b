"""Small helpers shared by rule modules: named action sets and statement predicates."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from generator.analysis.arn import effectively_star
from generator.analysis.catalog import ActionInfo, catalog
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


# Identity administration: AWS's reference classes most of these services' changes (CreateUser,
# CreateAccessKey, PassRole, AddUserToGroup, CreatePermissionSet, ...) as Write, not
# Permissions management, though each changes who may do what. The named set counts them.
IDENTITY_SERVICES = frozenset({"iam", "sso", "sso-directory", "identitystore"})


def _manages_permissions(info: ActionInfo) -> bool:
    levels = info.access_levels
    return "Permissions management" in levels or (info.service in IDENTITY_SERVICES and levels == {"Write"})


# The named sets judged by access level (AWS's classification of each action).
_BY_LEVEL: dict[str, Callable[[ActionInfo], bool]] = {
    "permissions": _manages_permissions,
    "scopable": lambda i: i.scopable,
    "mutating": lambda i: not i.access_levels <= {"List", "Read"},
    "tagging": lambda i: "Tagging" in i.access_levels,
}
_FIXED = {"credentials": CREDENTIAL_ACTIONS, "exfiltration": EXFILTRATION_ACTIONS}
_EXCLUDED = {"permissions": SELF_SERVICE, "scopable": SELF_SERVICE}


def in_set(action: str, name: str) -> bool:
    """Whether ``action`` (lower-case) belongs to the named set: ``permissions``, ``scopable``,
    ``mutating``, ``tagging`` (by AWS's access level), ``credentials`` or ``exfiltration``."""
    if name in _FIXED:
        return action in _FIXED[name]
    if name not in _BY_LEVEL:
        raise KeyError(name)
    info = catalog().actions.get(action)
    return info is not None and _BY_LEVEL[name](info) and action not in _EXCLUDED.get(name, ())


@lru_cache(maxsize=16384)
def _hits(actions: tuple[str, ...], not_action: bool, name: str) -> frozenset[str]:
    # Filtering what the statement names reads only the services it names.
    return frozenset(a for a in catalog().expand_all(actions, not_action) if in_set(a, name))


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
        found = effective(principal, stmt, hits(stmt, set_name))
        if found:
            yield source, stmt, found


def effective(principal: PrincipalView, stmt: Statement, actions: frozenset[str]) -> frozenset[str]:
    """Those of ``actions`` (named by ``stmt``) that reach the principal: inside its boundary and
    not taken away by a Deny. An action the boundary leaves out is PB-008's (never effective)."""
    pset = principal.permissions
    return frozenset(pset.allowed_of(pset.remaining(stmt, actions)))


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


# The one risk each kind of privileged role (``privileged:``, generator/policies/privileged.py) states,
# as the rules that report that risk. On a role of that kind those rules stand down, for that risk
# only: PRV-030 reports the role at info with the controls that compensate, and errors when one is
# missing. Every other rule (trust, policy grammar, sizes, ...) still judges the role.
ACCEPTED_BY_KIND: dict[str, frozenset[str]] = {
    # Full administrator access, for emergencies: everything that follows from AdministratorAccess.
    "break_glass": frozenset({
        "PB-001", "PB-002", "PB-003", "PB-004", "PRV-001", "PRV-002", "PRV-003", "PRV-004", "PRV-005", "PRV-006",
        "PRV-007", "PRV-009", "PRV-010", "PRV-011", "PRV-012", "PRV-018", "PRV-019", "PRV-021", "TAG-003",
    }),
    # Administers what the generated Terraform manages (IAM on iamforge's paths, boundaries and tags
    # included, the trail and its key), within its own boundary rather than a department's.
    "apply": frozenset({"PB-001", "PB-002", "PB-004", "PRV-005", "PRV-007", "PRV-011", "PRV-021", "TAG-003"}),
    # Reads the account's IAM configuration, which names no resource.
    "plan": frozenset({"PRV-010", "PRV-011"}),
    # Sets console passwords of department users: a credential that lets the holder sign in as them.
    "onboarding": frozenset({"PB-001", "PRV-005", "PRV-009", "PRV-021"}),
}


def privileged_kind(principal: PrincipalView) -> str | None:
    """``break_glass``, ``apply``, ``plan`` or ``onboarding`` for a privileged role, else None."""
    return getattr(principal.role, "privileged_kind", None) if principal.role is not None else None


def accepted_by_kind(principal: PrincipalView, rule_id: str) -> bool:
    """Whether ``rule_id``'s risk is the one ``principal``'s privileged kind states (PRV-030's to judge)."""
    kind = privileged_kind(principal)
    return kind is not None and rule_id in ACCEPTED_BY_KIND.get(kind, frozenset())


def designed_privileged_hop(spec: Spec | None, principal: PrincipalView, chain: Iterable[str]) -> bool:
    """Whether a reachability chain starts with ``principal`` assuming a privileged role whose trust
    names it: the path ``privileged:`` declares (break-glass, onboarding), judged by PRV-030."""
    hops = list(chain)
    if spec is None or len(hops) < 2 or not principal.arn:
        return False
    return any(hops[1] == f"role/{r.name}" and principal.arn in r.trust.aws_principals
               for r in getattr(spec, "privileged_roles", ()))
