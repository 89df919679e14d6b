"""IAM Identity Center's permission sets and assignments, read for ``audit`` and ``import``.

The input is one JSON document in the SSO Admin API's own names, which ``--identity-center
aws`` fetches through boto3 (the management or delegated-administrator account) and which a
file may hold (the same shape, e.g. saved with ``iamforge import --identity-center aws
--save-identity-center FILE``)::

    {"InstanceArn": "arn:aws:sso:::instance/ssoins-...",
     "PermissionSets": [{
        "Name": "engineering-developer", "PermissionSetArn": "...", "Description": "...",
        "SessionDuration": "PT4H", "InlinePolicy": "{...}" or {...} or null,
        "AttachedManagedPolicies": [{"Name": "...", "Arn": "arn:aws:iam::aws:policy/..."}],
        "CustomerManagedPolicyReferences": [{"Name": "...", "Path": "/"}],
        "PermissionsBoundary": {"CustomerManagedPolicyReference": {"Name": "...", "Path": "/"}}
                               or {"ManagedPolicyArn": "..."} or null,
        "Tags": [{"Key": "...", "Value": "..."}],
        "AccountAssignments": [{"AccountId": "111122223333", "PrincipalType": "GROUP",
                                "PrincipalId": "...", "PrincipalName": "Engineering"}]}]}

A permission set reaches an account as the role Identity Center provisions there,
``AWSReservedSSO_<name>_<id>`` under ``/aws-reserved/sso.amazonaws.com/``, trusting the
account's Identity Center SAML provider: :func:`provisioned_roles` builds exactly those roles,
so the audit judges a permission set as the principal it becomes, with the target account's
own customer managed policies and boundary when that account's authorization details are given.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from generator.audit.details import Inline, Principal, _Bad, _list
from generator.errors import ToolError, UsageError
from generator.policies.identity_center import managed_reference

SSO_PATH = "/aws-reserved/sso.amazonaws.com/"
_PROVISIONED = re.compile(r"^AWSReservedSSO_(?P<name>[\w+=,.@-]{1,32})_[0-9a-f]{16}\Z", re.ASCII)
_DURATION = re.compile(r"^PT(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?\Z")


@dataclass(frozen=True)
class Assignment:
    account_id: str
    principal_type: str  # GROUP | USER
    principal_id: str
    principal_name: str = ""


@dataclass
class PermissionSetRecord:
    """One permission set as Identity Center holds it."""

    name: str
    arn: str
    description: str = ""
    session_duration: str = "PT1H"
    inline: dict | None = None
    managed: list[str] = field(default_factory=list)  # AWS managed policy ARNs
    customer: list[tuple[str, str]] = field(default_factory=list)  # (name, path)
    boundary: dict | None = None  # the API's PermissionsBoundary
    tags: dict[str, str] = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)

    @property
    def session_hours(self) -> int | None:
        """Whole hours of the session (None when it is not a whole number of hours)."""
        m = _DURATION.match(self.session_duration or "")
        if not m or (m["m"] and int(m["m"])):
            return None
        return int(m["h"] or 0) or None

    def accounts(self) -> list[str]:
        return list(dict.fromkeys(a.account_id for a in self.assignments))

    def groups(self) -> list[str]:
        return list(dict.fromkeys(a.principal_name or a.principal_id for a in self.assignments
                                  if a.principal_type == "GROUP"))

    def boundary_arn(self, account_id: str) -> str | None:
        if not self.boundary:
            return None
        if self.boundary.get("ManagedPolicyArn"):
            return str(self.boundary["ManagedPolicyArn"])
        ref = self.boundary.get("CustomerManagedPolicyReference") or {}
        return f"arn:aws:iam::{account_id}:policy{ref.get('Path') or '/'}{ref.get('Name')}"


def is_identity_center_role(p: Principal) -> bool:
    """A role Identity Center provisioned for a permission set (its reserved path)."""
    return p.kind == "role" and p.path.startswith(SSO_PATH)


def permission_set_name(role_name: str) -> str | None:
    """``AWSReservedSSO_<name>_<id>`` -> ``<name>``; None for another name."""
    m = _PROVISIONED.match(role_name)
    return m["name"] if m else None


def _text(obj: dict, key: str, where: str, required: bool = True) -> str:
    value = obj.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise _Bad(where, f"{key} must be a non-empty string")
    return value


def _obj(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise _Bad(where, "not an object")
    return value


def _record(item: Any, where: str) -> PermissionSetRecord:
    item = _obj(item, where)
    inline = item.get("InlinePolicy")
    if isinstance(inline, str):
        if inline.strip():
            try:
                inline = json.loads(inline)
            except json.JSONDecodeError as exc:
                raise _Bad(where, f"InlinePolicy is not JSON ({exc.msg})") from None
        else:
            inline = None
    if inline is not None and not isinstance(inline, dict):
        raise _Bad(where, "InlinePolicy must be a policy document")
    managed = [_text(_obj(m, f"{where}.AttachedManagedPolicies[{i}]"), "Arn", f"{where}.AttachedManagedPolicies[{i}]")
               for i, m in enumerate(_list(item, "AttachedManagedPolicies", where))]
    customer = [(_text(_obj(c, at := f"{where}.CustomerManagedPolicyReferences[{i}]"), "Name", at), c.get("Path") or "/")
                for i, c in enumerate(_list(item, "CustomerManagedPolicyReferences", where))]
    boundary = item.get("PermissionsBoundary")
    if boundary is not None and not isinstance(boundary, dict):
        raise _Bad(where, "PermissionsBoundary must be an object or null")
    tags = {_text(_obj(t, f"{where}.Tags[{i}]"), "Key", f"{where}.Tags[{i}]"): str(t.get("Value", ""))
            for i, t in enumerate(_list(item, "Tags", where))}
    assignments = []
    for i, a in enumerate(_list(item, "AccountAssignments", where)):
        at = f"{where}.AccountAssignments[{i}]"
        a = _obj(a, at)
        account = _text(a, "AccountId", at)
        if not re.fullmatch(r"\d{12}", account):
            raise _Bad(at, "AccountId must be 12 digits")
        assignments.append(Assignment(account, _text(a, "PrincipalType", at), _text(a, "PrincipalId", at),
                                      _text(a, "PrincipalName", at, required=False)))
    return PermissionSetRecord(_text(item, "Name", where), _text(item, "PermissionSetArn", where),
                               _text(item, "Description", where, required=False),
                               _text(item, "SessionDuration", where, required=False) or "PT1H",
                               inline, managed, customer, boundary, tags, assignments)


def parse_identity_center(data: Any, source: str = "") -> list[PermissionSetRecord]:
    """The permission sets of one Identity Center document (the shape in the module docstring).

    Raises:
        UsageError: when it is not such a document or an entry is malformed; the message starts
            with ``source`` and names the entry (``PermissionSets[0].AccountAssignments[1]: ...``).
    """
    label = source or "input"
    if not isinstance(data, dict) or not isinstance(data.get("PermissionSets"), list):
        raise UsageError(f"{label}: not an IAM Identity Center document (no PermissionSets list)")
    try:
        return [_record(item, f"PermissionSets[{i}]") for i, item in enumerate(data["PermissionSets"])]
    except _Bad as bad:
        raise UsageError(f"{label}: {bad}") from None


def provisioned_roles(records: list[PermissionSetRecord], account_id: str | None) -> list[Principal]:
    """The roles Identity Center provisions for ``records`` in ``account_id`` (each permission set
    assigned there); with None, each permission set once, in the first account it is assigned in
    (or 000000000000 when it is assigned nowhere)."""
    out = []
    for r in records:
        accounts = r.accounts()
        if account_id is not None and account_id not in accounts:
            continue
        account = account_id or (accounts[0] if accounts else "000000000000")
        # Identity Center's own suffix is not the permission set's id; its shape is (16 hex digits).
        found = re.search(r"/ps-([0-9a-f]{16})\Z", r.arn)
        name = f"AWSReservedSSO_{r.name}_{found[1] if found else '0' * 16}"
        provider = f"arn:aws:iam::{account}:saml-provider/AWSSSO_{'0' * 16}_DO_NOT_DELETE"
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": provider},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}
        attached = list(r.managed) + [f"arn:aws:iam::{account}:policy{path}{pname}" for pname, path in r.customer]
        out.append(Principal("role", name, f"arn:aws:iam::{account}:role{SSO_PATH}{name}", SSO_PATH,
                             [Inline("AwsSSOInlinePolicy", r.inline)] if r.inline else [], attached,
                             r.boundary_arn(account), {}, trust=trust))  # Identity Center tags no such role
    return out


def records_of_provisioned_roles(roles: list[Principal]) -> list[PermissionSetRecord]:
    """Permission sets as read back from the roles Identity Center provisioned in one account
    (no instance access): the role's inline policy, managed policies and boundary; the session
    length and the groups are not in the role."""
    out = []
    for role in roles:
        name = permission_set_name(role.name)
        if name is None:
            continue
        managed = [a for a in role.attached if managed_reference(a) is None]
        customer = [ref for a in role.attached if (ref := managed_reference(a)) is not None]
        boundary = None
        if role.boundary:
            ref = managed_reference(role.boundary)
            boundary = ({"ManagedPolicyArn": role.boundary} if ref is None else
                        {"CustomerManagedPolicyReference": {"Name": ref[0], "Path": ref[1]}})
        out.append(PermissionSetRecord(name, f"provisioned:{role.arn}", "", "", role.inline[0].document
                                       if role.inline else None, managed, customer, boundary, dict(role.tags)))
    return out


# --- reading the instance through boto3 -----------------------------------------------------------

def _pages(client: Any, op: str, key: str, **kwargs: Any) -> list:
    out: list = []
    token = None
    while True:
        page = getattr(client, op)(**kwargs, **({"NextToken": token} if token else {}))
        out += page.get(key) or []
        token = page.get("NextToken")
        if not token:
            return out


def fetch_identity_center(session: Any = None, region: str | None = None) -> dict:
    """The instance's permission sets and assignments, in the document shape of this module.

    Raises:
        ToolError: when the API cannot be reached or refuses, or there is no instance.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    from generator.audit.fetch import client

    try:
        sso = client(session, "sso-admin", region)
        ids = client(session, "identitystore", region)
        instances = sso.list_instances().get("Instances") or []
        if not instances:
            raise ToolError("AWS API: no IAM Identity Center instance in this account and Region")
        arn, store = instances[0]["InstanceArn"], instances[0].get("IdentityStoreId", "")
        names: dict[str, str] = {}

        def principal_name(kind: str, pid: str) -> str:
            if pid not in names:
                try:
                    if kind == "GROUP":
                        names[pid] = ids.describe_group(IdentityStoreId=store, GroupId=pid).get("DisplayName", "")
                    else:
                        names[pid] = ids.describe_user(IdentityStoreId=store, UserId=pid).get("UserName", "")
                except ClientError:
                    names[pid] = ""
            return names[pid]

        # Every account of the organisation, where an assignment may be (ListAccountAssignments takes
        # one account); without Organizations access, the accounts each permission set is provisioned to.
        try:
            org_accounts: list[str] | None = [a["Id"] for a in _pages(client(session, "organizations", region),
                                                                      "list_accounts", "Accounts")]
        except ClientError:
            org_accounts = None
        sets = []
        for ps_arn in _pages(sso, "list_permission_sets", "PermissionSets", InstanceArn=arn):
            args = {"InstanceArn": arn, "PermissionSetArn": ps_arn}
            ps = sso.describe_permission_set(**args)["PermissionSet"]
            try:
                boundary = sso.get_permissions_boundary_for_permission_set(**args).get("PermissionsBoundary")
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                    raise
                boundary = None
            assignments = []
            accounts = org_accounts if org_accounts is not None else _pages(
                sso, "list_accounts_for_provisioned_permission_set", "AccountIds", **args)
            for account in accounts:
                for a in _pages(sso, "list_account_assignments", "AccountAssignments", AccountId=account, **args):
                    assignments.append({"AccountId": a["AccountId"], "PrincipalType": a["PrincipalType"],
                                        "PrincipalId": a["PrincipalId"],
                                        "PrincipalName": principal_name(a["PrincipalType"], a["PrincipalId"])})
            sets.append({
                "Name": ps["Name"], "PermissionSetArn": ps_arn, "Description": ps.get("Description", ""),
                "SessionDuration": ps.get("SessionDuration", "PT1H"),
                "InlinePolicy": sso.get_inline_policy_for_permission_set(**args).get("InlinePolicy") or None,
                "AttachedManagedPolicies": _pages(sso, "list_managed_policies_in_permission_set",
                                                  "AttachedManagedPolicies", **args),
                "CustomerManagedPolicyReferences": _pages(sso, "list_customer_managed_policy_references_in_permission_set",
                                                          "CustomerManagedPolicyReferences", **args),
                "PermissionsBoundary": boundary,
                "Tags": _pages(sso, "list_tags_for_resource", "Tags", InstanceArn=arn, ResourceArn=ps_arn),
                "AccountAssignments": sorted(assignments, key=lambda a: (a["AccountId"], a["PrincipalId"])),
            })
        return {"InstanceArn": arn, "PermissionSets": sorted(sets, key=lambda s: s["Name"])}
    except (BotoCoreError, ClientError) as exc:
        raise ToolError(f"AWS API: reading IAM Identity Center failed: {exc}") from exc


def load_identity_center(source: str, session: Any = None) -> tuple[list[PermissionSetRecord], dict]:
    """``source`` is ``aws`` (fetch) or a JSON file: the records and the raw document."""
    from generator import inputs

    if source == "aws":
        data = fetch_identity_center(session)
        return parse_identity_center(data, "aws:identity-center"), data
    data = inputs.read_json(source, "an IAM Identity Center JSON file", inputs.MAX_DETAILS_BYTES)
    return parse_identity_center(data, source), data
