"""The normalized spec model: defaults filled in, references resolved.

Blueprints, policy builders and rules consume this; nothing downstream reads raw YAML.
Every object knows its dotted spec ``path`` so findings can point at the right line
(the loader keeps a ``marks`` table from path to (line, column)).
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TypeVar

T = TypeVar("T")


def parent_path(path: str) -> str:
    """``a.b[2]`` -> ``a.b``; ``a.b`` -> ``a``; ``a`` -> ``''``."""
    if path.endswith("]") and "[" in path:
        return path[: path.rfind("[")]
    return path[: path.rfind(".")] if "." in path else ""


def closest(marks: Mapping[str, T], path: str, default: T) -> T:
    """The entry of ``path`` or of its closest ancestor in ``marks``; ``default`` when none has one."""
    p = path
    while p:
        if p in marks:
            return marks[p]
        p = parent_path(p)
    return marks.get("", default)


@dataclass(frozen=True)
class Mark:
    """Where a node starts in the spec file (1-based)."""

    file: str
    line: int
    column: int


# The loader keeps each position as one int, ``line << 25 | column``, rather than a tuple of
# two: at 10,000 roles that is some 400,000 positions, and 20 MB less. 2**25 is 32 MiB, the
# largest spec file, so neither part can overflow into the other.
_COLUMN_BITS = 25


def pack_position(line: int, column: int) -> int:
    """One int for a 1-based (line, column)."""
    return (line << _COLUMN_BITS) | column


def unpack_position(position: int) -> tuple[int, int]:
    """The 1-based (line, column) of :func:`pack_position`."""
    return position >> _COLUMN_BITS, position & ((1 << _COLUMN_BITS) - 1)


class MarkTable(Mapping[str, Mark]):
    """Spec path -> :class:`Mark`, built on demand from the loader's packed position table."""

    def __init__(self, file: str, positions: dict[str, int]) -> None:
        self._file = file
        self._positions = positions

    def __getitem__(self, path: str) -> Mark:
        line, column = unpack_position(self._positions[path])
        return Mark(self._file, line, column)

    def __contains__(self, path: object) -> bool:
        return path in self._positions

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)


@dataclass
class Account:
    id: str
    alias: str | None
    partition: str
    regions: list[str]

    @property
    def home_region(self) -> str:
        return self.regions[0]


@dataclass
class Tags:
    abac_key: str
    required: list[str]
    common: dict[str, str]


@dataclass
class PasswordPolicy:
    minimum_length: int = 14
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True
    max_age_days: int = 90
    reuse_prevention: int = 24
    allow_users_to_change: bool = True
    hard_expiry: bool = False


@dataclass
class Mfa:
    enforce: bool = True
    max_age_seconds: int = 3600


@dataclass
class Grant:
    """One statement written in the spec (`permissions:` or a boundary's `allow:`)."""

    path: str
    actions: list[str]
    resources: list[str]
    sid: str | None = None
    effect: str = "Allow"
    conditions: dict[str, dict[str, list[str]]] = field(default_factory=dict)


@dataclass
class Boundary:
    name: str
    path: str
    description: str
    allow: list[Grant]
    regions: list[str]  # empty: no region restriction


@dataclass
class ExternalAccount:
    account_id: str
    external_id: str | None


@dataclass
class GithubOidc:
    subjects: list[str]
    audience: str = "sts.amazonaws.com"


@dataclass
class Trust:
    path: str
    aws_principals: list[str] = field(default_factory=list)
    require_mfa: bool = False
    external_account: ExternalAccount | None = None
    github_oidc: GithubOidc | None = None
    services: list[str] = field(default_factory=list)


@dataclass
class Abac:
    path: str
    actions: list[str]
    resources: list[str] = field(default_factory=lambda: ["*"])


@dataclass
class Role:
    key: str  # the role's key in the spec (``developer``)
    department: str  # the department's key (``engineering``)
    path: str  # spec path: departments.engineering.roles.developer
    name: str  # IAM role name: ``<department>-<role>``
    iam_path: str  # IAM path: ``/<department>/``
    description: str
    max_session_hours: int
    trust: Trust
    abac: Abac | None
    permissions: list[Grant]
    managed_policies: list[str]
    can_create_roles: bool
    tags: dict[str, str]  # final tags: common + required + role's own
    boundary: str | None  # boundary key (the department's)
    # privileged roles only (``privileged:``): break_glass | apply | plan | onboarding; None for a department's
    privileged_kind: str | None = None
    # also delivered as an IAM Identity Center permission set (``permission_set: true``)
    permission_set: bool = False
    iam_role: bool = True  # False: delivered only as a permission set (no IAM role generated)


@dataclass
class User:
    name: str
    department: str
    path: str  # spec path: departments.engineering.users[0]
    iam_path: str
    tags: dict[str, str]
    boundary: str | None


@dataclass
class Department:
    key: str
    path: str
    tag_value: str
    owner: str
    boundary: str | None
    group_name: str
    permissions: list[Grant]  # attached to the department group
    users: list[User]
    roles: dict[str, Role]
    identity_center_group: str | None = None  # display name of its Identity Center group


@dataclass
class ArchiveRule:
    name: str
    filters: dict[str, dict[str, list[str]]]  # criterion -> {eq|neq|contains|exists: values}


@dataclass
class AccessAnalyzer:
    external_access: bool = True
    unused_access_enabled: bool = False
    unused_access_age_days: int = 90
    archive_rules: list[ArchiveRule] = field(default_factory=list)


@dataclass
class CloudTrail:
    enabled: bool
    name: str
    multi_region: bool
    include_global_service_events: bool
    log_file_validation: bool
    kms_create: bool
    kms_key_arn: str | None
    bucket_name: str
    bucket_retention_days: int
    access_log_bucket_name: str
    cloudwatch_logs_enabled: bool
    cloudwatch_logs_retention_days: int
    alarms_email: str | None
    alarms_cis: bool
    insights: bool


@dataclass
class StateAccess:
    """The S3 backend of the generated Terraform that a pipeline role reads or writes."""

    bucket: str
    key: str
    lock_table: str | None = None


@dataclass
class PipelineAccess:
    """``privileged.apply`` (one GitHub environment subject) or ``privileged.plan`` (exact
    subjects), and the state."""

    path: str
    subjects: tuple[str, ...]
    audience: str = "sts.amazonaws.com"
    state: StateAccess | None = None


@dataclass
class BreakGlass:
    path: str
    users: list[str]
    mfa_max_age_seconds: int = 900
    max_session_hours: int = 1


@dataclass
class Onboarding:
    path: str
    users: list[str]


@dataclass
class Privileged:
    """``privileged:``: the roles a team runs iamforge with; each part optional.

    ``roles`` holds them as :class:`Role` objects (``privileged_kind`` set, no department) so
    the rules judge them as principals; they are never part of ``Spec.roles``.
    """

    break_glass: BreakGlass | None = None
    apply: PipelineAccess | None = None
    plan: PipelineAccess | None = None
    onboarding: Onboarding | None = None
    roles: dict[str, Role] = field(default_factory=dict)  # kind -> role


@dataclass
class Exception_:
    """An ``exceptions:`` entry's waiver of one rule at one spec path (and below); an entry naming
    several ``rules`` is one of these per rule."""

    rule: str
    path: str
    reason: str
    expires: date
    spec_path: str  # where the entry itself sits: exceptions[0]
    rule_path: str = ""  # where the rule id sits: exceptions[0].rule, exceptions[0].rules[1]

    @property
    def checkov(self) -> bool:
        """A checkov check id (CKV_AWS_355): written into the generated Terraform as ``checkov:skip``."""
        return self.rule.upper().startswith(("CKV_", "CKV2_"))


# The spec sections that generate a module of the same name.
_MODULE_SECTIONS = ("boundaries", "cloudtrail", "access_analyzer", "password_policy", "mfa", "privileged")


def generated_modules(path: str) -> tuple[str, ...]:
    """The generated modules (``roles``, ``departments``, ...) whose resources hold what spec
    ``path`` declares; ``()`` for a path that generates no Terraform of its own."""
    parts = path.split(".")
    if parts[0] == "departments" and len(parts) >= 2:
        if len(parts) == 2:
            return ("departments", "roles")
        return ("roles",) if parts[2] == "roles" else ("departments",)
    if parts[0] in _MODULE_SECTIONS:
        return (parts[0],)
    return ()


@dataclass
class Spec:
    """The whole normalized spec."""

    file: str
    version: int
    account: Account
    tags: Tags
    password_policy: PasswordPolicy
    mfa: Mfa
    boundaries: dict[str, Boundary]
    departments: dict[str, Department]
    access_analyzer: AccessAnalyzer
    cloudtrail: CloudTrail
    exceptions: list[Exception_]
    privileged: Privileged = field(default_factory=lambda: Privileged())
    marks: Mapping[str, Mark] = field(default_factory=dict, repr=False)
    raw: dict = field(default_factory=dict, repr=False)  # the validated, plain document (for rules on raw values)

    @property
    def roles(self) -> list[Role]:
        return [r for d in self.departments.values() for r in d.roles.values()]

    @property
    def privileged_roles(self) -> list[Role]:
        """The ``privileged:`` roles (break-glass, apply, plan, onboarding), in that order."""
        return list(self.privileged.roles.values())

    @property
    def users(self) -> list[User]:
        return [u for d in self.departments.values() for u in d.users]

    @cached_property
    def delegates(self) -> dict[str, list[Role]]:
        """Boundary key -> the roles carrying it that may create roles (``can_create_roles``), in
        spec order. Worked out once: the policies, the rules and every principal's escalation
        targets ask."""
        out: dict[str, list[Role]] = {}
        for role in self.roles:
            if role.can_create_roles and role.boundary and role.boundary in self.boundaries:
                out.setdefault(role.boundary, []).append(role)
        return out

    def arn(self, service: str, resource: str, region: str = "") -> str:
        """Build an ARN in this account: ``arn(iam, 'role/x')``."""
        return f"arn:{self.account.partition}:{service}:{region}:{self.account.id}:{resource}"

    def boundary_policy_name(self, key: str) -> str:
        return f"iamforge-boundary-{key}"

    def boundary_arn(self, key: str) -> str:
        return self.arn("iam", f"policy/iamforge/{self.boundary_policy_name(key)}")

    def delegated_boundary_policy_name(self, key: str) -> str:
        """The boundary of roles created through ``can_create_roles`` under boundary ``key``
        (a name no ``iamforge-boundary-<key>`` can take)."""
        return f"iamforge-delegated-boundary-{key}"

    def delegated_boundary_arn(self, key: str) -> str:
        return self.arn("iam", f"policy/iamforge/{self.delegated_boundary_policy_name(key)}")

    def locate(self, path: str) -> Mark | None:
        """The mark of ``path`` or of its closest ancestor that has one."""
        return closest(self.marks, path, None)
