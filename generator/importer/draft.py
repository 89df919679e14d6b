"""Authorization details -> a draft v1 spec (plain data plus notes keyed by spec path).

Departments come from a principal tag (``--department-tag``, default the ABAC key
``Department``), else from a user's first group, else (roles) from the IAM path or a
``<department>-`` name prefix; the rest go to ``unassigned``. Every role keeps its trust,
inline and customer managed statements (as ``permissions``), AWS managed attachments and
its department's boundary. What the spec cannot hold is recorded as a note, never dropped.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from generator.analysis.managed import is_aws_managed
from generator.audit.details import AccountDetails, Principal
from generator.importer.statements import translate_document
from generator.importer.trust import WARNING, translate_trust
from generator.spec import schema

UNASSIGNED = "unassigned"
TAG_VALUE = re.compile(rf"(?:{schema.TAG_VALUE_RE})")
TAG_KEY = re.compile(rf"(?:{schema.TAG_KEY_RE})")


@dataclass
class Draft:
    """The spec as data and the notes to write as comments, by dotted spec path ('' = top)."""

    data: dict[str, Any]
    notes: dict[str, list[str]] = field(default_factory=dict)

    def note(self, path: str, text: str) -> None:
        self.notes.setdefault(path, []).append(text)


def key_of(value: str) -> str:
    """A spec key (``[A-Za-z0-9][A-Za-z0-9_-]{0,63}``) from a name or tag value."""
    key = re.sub(r"[^a-z0-9_-]+", "-", value.lower()).strip("-_")
    return (key or "x")[:64]


def _department(p: Principal, tag: str, known: dict[str, str]) -> str | None:
    value = p.tags.get(tag)
    if value:
        return key_of(value)
    if p.kind == "user" and p.groups:
        return key_of(p.groups[0])
    if p.kind == "role":
        segment = p.path.strip("/").split("/")[0]
        if segment in known:
            return segment
        prefix = next((k for k in sorted(known, key=len, reverse=True) if p.name.startswith(f"{k}-")), None)
        if prefix:
            return prefix
    return None


def _departments(details: AccountDetails, tag: str) -> dict[str, str]:
    """Department key -> tag value, from tags and group names."""
    known: dict[str, str] = {}
    for p in details.principals():
        value = p.tags.get(tag)
        if value and TAG_VALUE.fullmatch(value):
            known.setdefault(key_of(value), value)
    for u in details.users.values():
        if not u.tags.get(tag) and u.groups:
            known.setdefault(key_of(u.groups[0]), u.groups[0])
    return known


def _role_key(role: Principal, dept: str, taken: set[str]) -> str:
    base = key_of(role.name[len(dept) + 1:] if role.name.startswith(f"{dept}-") else role.name)
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}"[:64], n + 1
    taken.add(key)
    return key


def _boundary(draft: Draft, details: AccountDetails, arn: str) -> str | None:
    """The spec key of boundary ``arn`` (added to ``boundaries`` on first use), None when inexpressible."""
    policy = details.policies.get(arn)
    key = key_of(policy.name if policy else arn.rsplit("/", 1)[-1])
    if key in draft.data["boundaries"]:
        return key
    if policy is None or policy.document is None:
        draft.note("", f"boundary {arn}: its document is not in the authorization details; not imported")
        return None
    grants, notes = translate_document(policy.document, f"boundary {policy.name}")
    for text in notes:
        draft.note(f"boundaries.{key}", text)
    allow = [g for g in grants if g.get("effect", "Allow") == "Allow"]
    for g in grants:
        if g not in allow:
            draft.note(f"boundaries.{key}", f"boundary {policy.name}: Deny statement not expressible in allow: {g}")
    if not allow:
        draft.note("", f"boundary {arn} has no Allow statement the spec can hold; not imported")
        return None
    draft.data["boundaries"][key] = {"description": f"Imported from {arn}", "allow": allow}
    draft.note(f"boundaries.{key}", f"generated as iamforge-boundary-{key} under /iamforge/, not as {arn}")
    return key


def _permissions(draft: Draft, details: AccountDetails, p: Principal, path: str) -> tuple[list[dict], list[str]]:
    """Inline and customer managed statements of ``p``; AWS managed ARNs."""
    grants: list[dict] = []
    managed: list[str] = []
    for inline in p.inline:
        found, notes = translate_document(inline.document, f"{p.key} inline policy {inline.name}")
        grants += found
        for text in notes:
            draft.note(path, text)
    for arn in p.attached:
        policy = details.policies.get(arn)
        if policy.aws_managed if policy is not None else is_aws_managed(arn):
            managed.append(arn)
            continue
        if policy is None or policy.document is None:
            draft.note(path, f"customer managed policy {arn}: document not in the details; not imported")
            continue
        found, notes = translate_document(policy.document, f"customer managed policy {policy.name}")
        grants += found
        for text in notes:
            draft.note(path, text)
        draft.note(path, f"customer managed policy {policy.name} ({arn}) folded into permissions")
    return grants, managed


def draft_spec(details: AccountDetails, department_tag: str = "Department", regions: tuple[str, ...] = ("us-east-1",),
               alias: str | None = None, permission_sets: list | None = None) -> Draft:
    """Build the draft spec of ``details``; ``permission_sets`` (IAM Identity Center's records,
    generator.audit.identity_center) become roles with ``permission_set: true``. Without them,
    the roles Identity Center provisioned in the account are read back as such."""
    from generator.audit.identity_center import is_identity_center_role, records_of_provisioned_roles
    account: dict[str, Any] = {"id": details.account_id or "000000000000"}
    if alias:
        account["alias"] = alias
    account["regions"] = list(regions)
    draft = Draft({"version": 1, "account": account, "tags": {"abac_key": department_tag}, "boundaries": {},
                   "departments": {}, "cloudtrail": {"enabled": False}})
    draft.note("cloudtrail", "not imported: enable it to let iamforge create the trail, bucket, key and alarms")
    if not details.account_id:
        draft.note("account", "the account id was not found in the details: set it")
    known = _departments(details, department_tag)
    members: dict[str, list[Principal]] = {}
    provisioned = [r for r in details.roles.values() if is_identity_center_role(r)]
    if permission_sets is None:
        permission_sets = records_of_provisioned_roles(provisioned)
    for p in (*details.users.values(), *details.roles.values()):
        if p.service_linked:
            draft.note("", f"service-linked role {p.name} is AWS's own; not imported")
            continue
        if p in provisioned:
            continue  # a permission set's role: imported from the permission set below
        members.setdefault(_department(p, department_tag, known) or UNASSIGNED, []).append(p)
    for dept in sorted(members):
        _add_department(draft, details, dept, known.get(dept, dept.capitalize()), members[dept])
    for record in permission_sets:
        _add_permission_set(draft, details, record, department_tag, known)
    for group in details.groups.values():
        if key_of(group.name) not in draft.data["departments"]:
            draft.note("departments", f"group {group.name} is not a department (spec groups are one per department); "
                                      f"members {details.members(group.name)}, inline {[i.name for i in group.inline]}, "
                                      f"attached {group.attached}: not imported")
    if not draft.data["boundaries"]:
        del draft.data["boundaries"]
    return draft


def _add_department(draft: Draft, details: AccountDetails, dept: str, tag_value: str, people: list[Principal]) -> None:
    path = f"departments.{dept}"
    owner = next((p.tags["Owner"] for p in people if p.tags.get("Owner")), "unknown")
    entry: dict[str, Any] = {"tag_value": tag_value, "owner": owner}
    if owner == "unknown":
        draft.note(path, "no Owner tag found: set owner to the department's contact")
    if dept == UNASSIGNED:
        draft.note(path, "principals without a department tag, group or name prefix")
    boundaries = Counter(p.boundary for p in people if p.boundary)
    if boundaries:
        arn = boundaries.most_common(1)[0][0]
        key = _boundary(draft, details, arn)
        if key:
            entry["boundary"] = key
        for p in people:
            if p.boundary != arn:
                draft.note(path, f"{p.key} has boundary {p.boundary}; the department's boundary is {arn}")
    group = details.groups.get(dept) or next((g for g in details.groups.values() if key_of(g.name) == dept), None)
    if group is not None:
        grants, managed = _permissions(draft, details, group, path)
        if grants:
            entry["permissions"] = grants
        if managed:
            draft.note(path, f"group {group.name} has AWS managed policies {managed}: groups take inline permissions only")
    users = [p for p in people if p.kind == "user"]
    if users:
        entry["users"] = sorted(u.name for u in users)
    for u in users:
        if u.inline or u.attached:
            draft.note(path, f"user {u.name} has its own policies (inline {[i.name for i in u.inline]}, attached "
                             f"{u.attached}): spec users get permissions through the department group only")
        other = [g for g in u.groups if key_of(g) != dept]
        if other:
            draft.note(path, f"user {u.name} is also in groups {other}")
        if u.path != f"/{dept}/":
            draft.note(path, f"user {u.name} is at path {u.path}; iamforge generates it at /{dept}/")
    roles: dict[str, Any] = {}
    taken: set[str] = set()
    for role in sorted((p for p in people if p.kind == "role"), key=lambda r: r.name):
        key = _role_key(role, dept, taken)
        rpath = f"{path}.roles.{key}"
        trust, notes = translate_trust(role.trust, details.account_id)
        for text in notes:
            mark = WARNING if text.startswith(WARNING) else ""
            draft.note(rpath if trust else path, f"{mark}role {role.name}: {text[len(mark):]}")
        if not trust:
            draft.note(path, f"role {role.name} not imported: its trust names no principal the spec can hold")
            continue
        body: dict[str, Any] = {"trust": trust}
        grants, managed = _permissions(draft, details, role, rpath)
        if grants:
            body["permissions"] = grants
        if managed:
            body["managed_policies"] = managed
        extra = {k: v for k, v in role.tags.items() if k not in ("Owner", draft.data["tags"]["abac_key"])}
        for k, v in list(extra.items()):
            if not (TAG_KEY.fullmatch(k) and TAG_VALUE.fullmatch(v)):
                draft.note(rpath, f"tag {k!r}: {v!r} not imported: the spec's tags take letters, digits, spaces "
                                  "and _.:/=+-@ only")
                del extra[k]
        if extra:
            body["tags"] = extra
        if role.name != f"{dept}-{key}" or role.path != f"/{dept}/":
            draft.note(rpath, f"existing role {role.name} at {role.path} is generated as {dept}-{key} at /{dept}/: "
                              "rename one side before adopting it")
        roles[key] = body
    if roles:
        entry["roles"] = roles
    draft.data["departments"][dept] = entry


def _add_permission_set(draft: Draft, details: AccountDetails, r: Any, tag: str, known: dict[str, str]) -> None:
    """Permission set ``r`` as a role with ``permission_set: true`` in its department: from its
    department tag, else its group's name, else a ``<department>-`` prefix of its name."""
    account = draft.data["account"]["id"]
    groups = r.groups()
    value = r.tags.get(tag)
    prefix = next((k for k in sorted({*known, *draft.data["departments"]}, key=len, reverse=True)
                   if r.name.startswith(f"{k}-")), None)
    dept = key_of(value) if value else key_of(groups[0]) if groups else prefix or UNASSIGNED
    path = f"departments.{dept}"
    named = groups[0] if groups and TAG_VALUE.fullmatch(groups[0]) else None
    entry = draft.data["departments"].setdefault(dept, {"tag_value": value or known.get(dept) or named
                                                        or dept.capitalize(), "owner": r.tags.get("Owner", "unknown")})
    if groups:
        entry.setdefault("identity_center", {"group": groups[0]})
        for other in groups[1:]:
            draft.note(path, f"permission set {r.name} is also assigned to group {other}; the department's group "
                             f"is {entry['identity_center']['group']}")
    else:
        draft.note(path, f"permission set {r.name} is assigned to no group: set identity_center.group")
    key = r.name[len(dept) + 1:] if r.name.startswith(f"{dept}-") else r.name
    key = key_of(key)
    rpath = f"{path}.roles.{key}"
    roles = entry.setdefault("roles", {})
    if key in roles:  # the same role as an IAM role too (people move over): one role, both deliveries
        roles[key]["permission_set"] = True
        draft.note(rpath, f"also permission set {r.name}: its permissions are the IAM role's as imported; "
                          "compare them with the permission set's before generating")
        return
    # Only a permission set, as in the account: no IAM role that did not exist before.
    body: dict[str, Any] = {"permission_set": True, "iam_role": False,
                            "trust": {"aws_principals": [f"arn:aws:iam::{account}:root"], "require_mfa": True}}
    if r.description:
        body["description"] = r.description[:1000]
    hours = r.session_hours
    if hours is not None and 1 <= hours <= 12:
        body["max_session_hours"] = hours
    elif not r.session_duration:
        draft.note(rpath, f"read from the role Identity Center provisioned for {r.name}: its session length and "
                          "groups are the instance's (import with --identity-center to read them)")
    else:
        draft.note(rpath, f"session duration {r.session_duration} of {r.name} is not 1-12 whole hours; "
                          "the default (1 hour) is used")
    if r.inline:
        grants, notes = translate_document(r.inline, f"permission set {r.name} inline policy")
        grants = [g for g in grants if g.get("sid") != "DenySessionsOfOtherDepartments"]  # iamforge's own pin
        for text in notes:
            draft.note(rpath, text)
        if grants:
            body["permissions"] = grants
    managed = list(r.managed) + [f"arn:aws:iam::{account}:policy{ppath}{pname}" for pname, ppath in r.customer]
    if managed:
        body["managed_policies"] = managed
    for pname, ppath in r.customer:
        draft.note(rpath, f"customer managed policy {ppath}{pname} must exist in every account the permission "
                          "set is assigned in")
    arn = r.boundary_arn(account)
    if arn:
        bkey = _boundary(draft, details, arn)
        if bkey and entry.get("boundary") not in (None, bkey):
            draft.note(rpath, f"permission set {r.name} has boundary {arn}; the department's is {entry['boundary']}")
        elif bkey:
            entry["boundary"] = bkey
    elsewhere = [a for a in r.accounts() if a != account]
    if elsewhere:
        draft.note(rpath, f"permission set {r.name} is also assigned in {', '.join(elsewhere)}: list them in the "
                          f"organisation spec, identity_center.assignments.{r.name}.accounts")
    if r.name != f"{dept}-{key}":
        draft.note(rpath, f"permission set {r.name} is generated as {dept}-{key}: rename one side before adopting it")
    roles[key] = body
