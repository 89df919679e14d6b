"""``get-account-authorization-details`` as a model: users, groups, roles and managed policies.

Accepts the AWS CLI's JSON (dates as strings, documents decoded) and boto3's response
(dates as ``datetime``); URL-encoded documents from the raw API are decoded too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import unquote

from generator.analysis.managed import is_aws_managed, policy_name
from generator.errors import UsageError
from generator.inputs import ContentError, parse_json

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
    # Compute resources and the roles they run as (``generator.analysis.reachability.ComputeIndex``),
    # when they were read from the account (``--from-aws``); None from files, which do not list them.
    compute: Any = None

    def principals(self) -> list[Principal]:
        return [*self.roles.values(), *self.users.values(), *self.groups.values()]

    def members(self, group: str) -> list[str]:
        return sorted(u.name for u in self.users.values() if group in u.groups)


class _Bad(Exception):
    """A malformed entry: ``where`` (``RoleDetailList[0].Tags[1]``) and what is wrong there."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def document(value: Any) -> Any:
    """A policy document from the API: already a dict, or JSON text (URL-encoded by the raw API).

    Raises:
        ValueError: when the text is neither JSON nor URL-encoded JSON, or nests too deeply.
    """
    if not isinstance(value, str):
        return value
    if not value.strip():
        raise ValueError("empty text")
    # Plain JSON first: URL-encoded JSON starts with %7B and never parses as it is, while
    # unquoting plain JSON first would corrupt any literal "%xx" inside its strings.
    try:
        return parse_json(value, "document")
    except ContentError as plain:
        try:
            return parse_json(unquote(value), "document")
        except ContentError as decoded:
            # Report the reading the text was meant for: URL-encoded when it starts with %.
            exc = decoded if value.lstrip().startswith("%") else plain
            where = f": line {exc.line}, column {exc.column}" if exc.line > 1 or exc.column > 1 else ""
            raise ValueError(exc.problem.removeprefix("not JSON: ") + where) from None


def timestamp(value: Any) -> datetime | None:
    """``datetime`` from boto3 or an ISO string from the CLI (naive values are UTC).

    Raises:
        ValueError: when ``value`` is not a date.
    """
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, date):  # a YAML fixture's bare date
        when = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    else:
        raise ValueError(f"expected a date, got {_kind(value)}")
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _list(entry: dict, key: str, where: str) -> list:
    value = entry.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Bad(_join(where, key), f"expected a list, got {_kind(value)}")
    return value


def _object(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise _Bad(where, f"expected an object, got {_kind(value)}")
    return value


def _string(entry: dict, key: str, where: str, default: str | None = None) -> str:
    value = entry.get(key)
    if value is None or value == "":
        if default is None:
            raise _Bad(where, f"missing {key}")
        return default
    if not isinstance(value, str):
        raise _Bad(_join(where, key), f"expected a string, got {_kind(value)}")
    return value


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _document(entry: dict, key: str, where: str) -> Any:
    value = entry.get(key)
    if value is None:
        return None
    try:
        decoded = document(value)
    except ValueError as exc:
        raise _Bad(_join(where, key), f"not a policy document: {exc}") from None
    if not isinstance(decoded, dict):
        raise _Bad(_join(where, key), f"expected a policy document (an object), got {_kind(decoded)}")
    return decoded


def _date(entry: dict, key: str, where: str) -> datetime | None:
    value = entry.get(key)
    try:
        return timestamp(value)
    except ValueError:
        raise _Bad(_join(where, key), f"{value!r} is not a date (expected ISO 8601, 2024-01-31T10:00:00Z)") from None


def _tags(entry: dict, where: str) -> dict[str, str]:
    tags = {}
    for i, item in enumerate(_list(entry, "Tags", where)):
        here = f"{_join(where, 'Tags')}[{i}]"
        tag = _object(item, here)
        value = tag.get("Value", "")
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            raise _Bad(f"{here}.Value", f"expected a string, got {_kind(value)}")
        tags[_string(tag, "Key", here)] = "" if value is None else str(value)
    return tags


def _inline(entry: dict, key: str, where: str) -> list[Inline]:
    out = []
    for i, item in enumerate(_list(entry, key, where)):
        here = f"{_join(where, key)}[{i}]"
        policy = _object(item, here)
        out.append(Inline(_string(policy, "PolicyName", here), _document(policy, "PolicyDocument", here)))
    return out


def _attached(entry: dict, where: str) -> list[str]:
    out = []
    for i, item in enumerate(_list(entry, "AttachedManagedPolicies", where)):
        here = f"{_join(where, 'AttachedManagedPolicies')}[{i}]"
        out.append(_string(_object(item, here), "PolicyArn", here))
    return out


def _boundary(entry: dict, where: str) -> str | None:
    value = entry.get("PermissionsBoundary")
    if value is None:
        return None
    here = _join(where, "PermissionsBoundary")
    return _string(_object(value, here), "PermissionsBoundaryArn", here, default="") or None


def _default_version(policy: dict, where: str) -> Any:
    listed = _join(where, "PolicyVersionList")
    versions = [(f"{listed}[{i}]", _object(v, f"{listed}[{i}]"))
                for i, v in enumerate(_list(policy, "PolicyVersionList", where))]
    wanted = policy.get("DefaultVersionId")
    chosen = next((v for v in versions if v[1].get("IsDefaultVersion") is True), None) \
        or next((v for v in versions if wanted and v[1].get("VersionId") == wanted), None) \
        or (versions[0] if versions else None)
    return _document(chosen[1], "Document", chosen[0]) if chosen else None


def _account_of(arns: list[str]) -> str:
    for arn in arns:
        parts = arn.split(":")
        if len(parts) > 4 and parts[4].isdigit():
            return parts[4]
    return ""


def _user(u: dict, where: str) -> Principal:
    name = _string(u, "UserName", where)
    groups = _list(u, "GroupList", where)
    for i, group in enumerate(groups):
        if not isinstance(group, str):
            raise _Bad(f"{_join(where, 'GroupList')}[{i}]", f"expected a group name, got {_kind(group)}")
    return Principal("user", name, _string(u, "Arn", where), _string(u, "Path", where, "/"),
                     _inline(u, "UserPolicyList", where), _attached(u, where), _boundary(u, where), _tags(u, where),
                     _date(u, "CreateDate", where), groups=list(groups))


def _group(g: dict, where: str) -> Principal:
    return Principal("group", _string(g, "GroupName", where), _string(g, "Arn", where), _string(g, "Path", where, "/"),
                     _inline(g, "GroupPolicyList", where), _attached(g, where), created=_date(g, "CreateDate", where))


def _role(r: dict, where: str) -> Principal:
    name = _string(r, "RoleName", where)
    arn = _string(r, "Arn", where)
    used_where = _join(where, "RoleLastUsed")
    used = _object(r.get("RoleLastUsed") or {}, used_where)
    return Principal("role", name, arn, _string(r, "Path", where, "/"), _inline(r, "RolePolicyList", where),
                     _attached(r, where), _boundary(r, where), _tags(r, where), _date(r, "CreateDate", where),
                     trust=_document(r, "AssumeRolePolicyDocument", where),
                     last_used=_date(used, "LastUsedDate", used_where),
                     last_used_region=_string(used, "Region", used_where, ""))


def _policy(p: dict, where: str) -> ManagedPolicy:
    arn = _string(p, "Arn", where)
    # moto leaves PolicyName out; the ARN's last segment is the name.
    return ManagedPolicy(arn, _string(p, "PolicyName", where, "") or policy_name(arn), _string(p, "Path", where, "/"),
                         _default_version(p, where))


def parse_details(data: Any, source: str = "") -> AccountDetails:
    """Build the model from one (merged) ``get-account-authorization-details`` response.

    Every entry is checked before it is used, so a malformed file is one message naming the
    entry (``RoleDetailList[0]: missing Arn``), never a ``KeyError`` from deep inside an audit.

    Raises:
        UsageError: when ``data`` is not authorization details or an entry is malformed; the
            message starts with ``source``.
    """
    label = source or "input"
    if not isinstance(data, dict) or not any(k in data for k in LISTS):
        raise UsageError(f"{label}: not get-account-authorization-details output "
                         f"(none of {', '.join(LISTS)})")
    users: dict[str, Principal] = {}
    groups: dict[str, Principal] = {}
    roles: dict[str, Principal] = {}
    policies: dict[str, ManagedPolicy] = {}
    readers = (("UserDetailList", _user, users, "name"), ("GroupDetailList", _group, groups, "name"),
               ("RoleDetailList", _role, roles, "name"), ("Policies", _policy, policies, "arn"))
    try:
        for key, read, into, id_attr in readers:
            for i, item in enumerate(_list(data, key, "")):
                where = f"{key}[{i}]"
                parsed = read(_object(item, where), where)
                into[getattr(parsed, id_attr)] = parsed
    except _Bad as bad:
        raise UsageError(f"{label}: {bad}") from None
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
