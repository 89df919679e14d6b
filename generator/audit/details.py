"""``get-account-authorization-details`` as a model: users, groups, roles and managed policies.

Accepts the AWS CLI's JSON (dates as strings, documents decoded) and boto3's response
(dates as ``datetime``); URL-encoded documents from the raw API are decoded too.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from generator.analysis.managed import is_aws_managed, policy_name
from generator.errors import UsageError

LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


@dataclass(frozen=True)
class Inline:
    """An inline policy of a user, group or role."""

    name: str
    document: Any


@dataclass
class ManagedPolicy:
    """A managed policy of the account (customer managed) or of AWS, with its default version."""

    arn: str
    name: str
    path: str
    document: Any  # None when the details hold no version of it

    @property
    def aws_managed(self) -> bool:
        return is_aws_managed(self.arn)


@dataclass
class Principal:
    """A user, group or role with what is attached to it."""

    kind: str  # user | group | role
    name: str
    arn: str
    path: str
    inline: list[Inline] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)  # managed policy ARNs
    boundary: str | None = None  # boundary policy ARN
    tags: dict[str, str] = field(default_factory=dict)
    created: datetime | None = None
    groups: list[str] = field(default_factory=list)  # users only
    trust: Any = None  # roles only
    last_used: datetime | None = None  # roles only: RoleLastUsed.LastUsedDate
    last_used_region: str = ""

    @property
    def key(self) -> str:
        """The finding path of this principal: ``role/<name>``."""
        return f"{self.kind}/{self.name}"

    @property
    def service_linked(self) -> bool:
        return self.kind == "role" and self.path.startswith("/aws-service-role/")


@dataclass
class AccountDetails:
    """Everything the authorization details say about one account."""

    account_id: str
    users: dict[str, Principal]
    groups: dict[str, Principal]
    roles: dict[str, Principal]
    policies: dict[str, ManagedPolicy]
    source: str = ""  # file name or ``aws:<account id>``

    def principals(self) -> list[Principal]:
        return [*self.roles.values(), *self.users.values(), *self.groups.values()]

    def members(self, group: str) -> list[str]:
        return sorted(u.name for u in self.users.values() if group in u.groups)


def document(value: Any) -> Any:
    """A policy document from the API: already a dict, or (raw API) URL-encoded JSON text."""
    if isinstance(value, str):
        try:
            return json.loads(unquote(value))
        except ValueError:
            return json.loads(value)
    return value


def timestamp(value: Any) -> datetime | None:
    """``datetime`` from boto3 or an ISO string from the CLI (naive values are UTC)."""
    if value in (None, ""):
        return None
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _tags(items: Any) -> dict[str, str]:
    return {str(t["Key"]): str(t.get("Value", "")) for t in items or []}


def _inline(items: Any) -> list[Inline]:
    return [Inline(p["PolicyName"], document(p.get("PolicyDocument"))) for p in items or []]


def _attached(items: Any) -> list[str]:
    return [p["PolicyArn"] for p in items or []]


def _boundary(entry: dict) -> str | None:
    return (entry.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")


def _default_version(policy: dict) -> Any:
    versions = policy.get("PolicyVersionList") or []
    wanted = policy.get("DefaultVersionId")
    chosen = next((v for v in versions if v.get("IsDefaultVersion")), None) \
        or next((v for v in versions if wanted and v.get("VersionId") == wanted), None) \
        or (versions[0] if versions else None)
    return document(chosen.get("Document")) if chosen else None


def _account_of(arns: list[str]) -> str:
    for arn in arns:
        parts = arn.split(":")
        if len(parts) > 4 and parts[4].isdigit():
            return parts[4]
    return ""


def parse_details(data: Any, source: str = "") -> AccountDetails:
    """Build the model from one (merged) ``get-account-authorization-details`` response.

    Raises:
        UsageError: when ``data`` is not authorization details.
    """
    if not isinstance(data, dict) or not any(k in data for k in LISTS):
        raise UsageError(f"{source or 'input'}: not get-account-authorization-details output "
                         f"(none of {', '.join(LISTS)})")
    users, groups, roles, policies = {}, {}, {}, {}
    for u in data.get("UserDetailList") or []:
        users[u["UserName"]] = Principal(
            "user", u["UserName"], u["Arn"], u.get("Path", "/"), _inline(u.get("UserPolicyList")),
            _attached(u.get("AttachedManagedPolicies")), _boundary(u), _tags(u.get("Tags")),
            timestamp(u.get("CreateDate")), groups=list(u.get("GroupList") or []))
    for g in data.get("GroupDetailList") or []:
        groups[g["GroupName"]] = Principal(
            "group", g["GroupName"], g["Arn"], g.get("Path", "/"), _inline(g.get("GroupPolicyList")),
            _attached(g.get("AttachedManagedPolicies")), created=timestamp(g.get("CreateDate")))
    for r in data.get("RoleDetailList") or []:
        used = r.get("RoleLastUsed") or {}
        roles[r["RoleName"]] = Principal(
            "role", r["RoleName"], r["Arn"], r.get("Path", "/"), _inline(r.get("RolePolicyList")),
            _attached(r.get("AttachedManagedPolicies")), _boundary(r), _tags(r.get("Tags")),
            timestamp(r.get("CreateDate")), trust=document(r.get("AssumeRolePolicyDocument")),
            last_used=timestamp(used.get("LastUsedDate")), last_used_region=used.get("Region", ""))
    for p in data.get("Policies") or []:
        arn = p["Arn"]
        # moto leaves PolicyName out; the ARN's last segment is the name.
        policies[arn] = ManagedPolicy(arn, p.get("PolicyName") or policy_name(arn), p.get("Path", "/"),
                                      _default_version(p))
    account = _account_of([x.arn for x in (*users.values(), *groups.values(), *roles.values())]
                          + [a for a in policies if not is_aws_managed(a)])
    return AccountDetails(account, users, groups, roles, policies, source)


def merge_pages(pages: list[dict]) -> dict:
    """One response from the pages of a paginated call (lists concatenated)."""
    merged: dict[str, list] = {k: [] for k in LISTS}
    for page in pages:
        for key in LISTS:
            merged[key].extend(page.get(key) or [])
    return merged
