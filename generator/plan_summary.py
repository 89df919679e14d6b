"""What a terraform plan does, in IAM terms: principals and policies changed, and who gains or loses what.

Input is ``terraform show -json PLAN``. Output is a :class:`PlanSummary` (``as_dict()`` for
``--format json``) and :func:`render_text` for reviewers. Policy documents are compared
statement by statement (:mod:`generator.tools.statement_diff`).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from generator.report.formats import neutralise
from generator.tools.plan_config import PlanConfig, instance_key, strip_keys
from generator.tools.statement_diff import StatementDelta, as_list, diff_documents, parse_document

__all__ = ["PlanSummary", "StatementDelta", "diff_documents", "render_text", "summarize_plan"]

UNKNOWN = "(known after apply)"
PRINCIPAL_TYPES = {"aws_iam_role": "role", "aws_iam_user": "user", "aws_iam_group": "group"}
OTHER_IAM_TYPES = {"aws_iam_policy": "policy", "aws_iam_openid_connect_provider": "oidc provider",
                   "aws_iam_instance_profile": "instance profile", "aws_iam_account_password_policy": "password policy"}
# Document-bearing resources: type -> (kind, document attribute, owner kind, owner attribute).
DOCUMENTS = {
    "aws_iam_policy": ("managed", "policy", "", ""),
    "aws_iam_role_policy": ("inline", "policy", "role", "role"),
    "aws_iam_user_policy": ("inline", "policy", "user", "user"),
    "aws_iam_group_policy": ("inline", "policy", "group", "group"),
    "aws_iam_role": ("trust", "assume_role_policy", "role", "name"),
}
# Attachment resources: type -> (principal kind, principal attribute, policy attribute).
ATTACHMENTS = {
    "aws_iam_role_policy_attachment": ("role", "role", "policy_arn"),
    "aws_iam_user_policy_attachment": ("user", "user", "policy_arn"),
    "aws_iam_group_policy_attachment": ("group", "group", "policy_arn"),
    "aws_iam_role_policy_attachments_exclusive": ("role", "role_name", "policy_arns"),
    "aws_iam_user_policy_attachments_exclusive": ("user", "user_name", "policy_arns"),
    "aws_iam_group_policy_attachments_exclusive": ("group", "group_name", "policy_arns"),
}
_WATCHED = ("permissions_boundary", "assume_role_policy", "max_session_duration", "path", "tags", "policy")


@dataclass
class ResourceChange:
    """A principal or policy created, updated, replaced or destroyed."""

    kind: str  # role, user, group, policy, oidc provider, ...
    name: str
    address: str
    action: str  # create, update, delete, replace
    details: list[str] = field(default_factory=list)


@dataclass
class PolicyChange:
    """A policy document that changed, and the statements gained and lost."""

    address: str
    kind: str  # managed, inline, trust
    policy: str
    action: str
    principals: list[str] = field(default_factory=list)
    gained: list[StatementDelta] = field(default_factory=list)
    lost: list[StatementDelta] = field(default_factory=list)
    unknown: bool = False  # the new document is only known after apply


@dataclass
class AttachmentChange:
    """A managed policy attached to or detached from a principal."""

    address: str
    principal: str
    policy: str
    action: str  # attach, detach
    policy_address: str = ""  # the aws_iam_policy in this plan, when it is one


@dataclass
class PlanSummary:
    """The whole plan in IAM terms."""

    counts: dict[str, int] = field(default_factory=dict)
    resources: list[ResourceChange] = field(default_factory=list)
    policies: list[PolicyChange] = field(default_factory=list)
    attachments: list[AttachmentChange] = field(default_factory=list)
    memberships: list[dict] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return any(self.counts.get(k) for k in ("create", "update", "delete", "replace"))

    def by_principal(self) -> dict[str, dict[str, list]]:
        """Per principal (``role x``): statements gained and lost, policies attached and detached."""
        docs = {p.address: p for p in self.policies}
        view: dict[str, dict[str, list]] = {}
        counted: set[tuple[str, str, str]] = set()  # (principal, policy address, side) already listed

        def add(principal: str, pol: PolicyChange, side: str) -> None:
            if (principal, pol.address, side) in counted:
                return
            counted.add((principal, pol.address, side))
            statements = pol.gained if side == "gains" else pol.lost
            entry = view.setdefault(principal, {"gains": [], "loses": [], "attached": [], "detached": []})
            entry[side] += [{"via": pol.policy, "kind": pol.kind, **asdict(s)} for s in statements]

        for pol in self.policies:
            for principal in pol.principals:
                add(principal, pol, "gains")
                add(principal, pol, "loses")
        for att in self.attachments:
            entry = view.setdefault(att.principal, {"gains": [], "loses": [], "attached": [], "detached": []})
            listed = entry["attached" if att.action == "attach" else "detached"]
            if att.policy not in listed:
                listed.append(att.policy)
            pol = docs.get(att.policy_address)
            if pol is not None and att.principal not in pol.principals:
                add(att.principal, pol, "gains" if att.action == "attach" else "loses")
        return dict(sorted(view.items()))

    def as_dict(self) -> dict:
        return {
            "counts": self.counts,
            "resources": [asdict(r) for r in self.resources],
            "policies": [asdict(p) for p in self.policies],
            "attachments": [asdict(a) for a in self.attachments],
            "memberships": self.memberships,
            "principals": self.by_principal(),
        }


# -- the plan -----------------------------------------------------------------------


def _action(actions: list[str]) -> str:
    if actions == ["no-op"] or actions == ["read"]:
        return "no-op"
    if "create" in actions and "delete" in actions:
        return "replace"
    return actions[0] if actions else "no-op"


def _value(change: dict, side: str, attr: str) -> object:
    values = change.get(side) or {}
    if side == "after" and (change.get("after_unknown") or {}).get(attr) is True:
        return UNKNOWN
    return values.get(attr)


class _Resolver:
    """Names for the principals and policies a plan's resources point at, known or not yet."""

    def __init__(self, plan: dict, changes: list[dict]) -> None:
        self.config = PlanConfig(plan)
        self.changes = changes
        self.policy_by_arn: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.principals: dict[str, str] = {}
        for rc in changes:
            change = rc["change"]
            self.names[rc["address"]] = str(_value(change, "after", "name") or _value(change, "before", "name")
                                            or rc["address"])
            if rc["type"] in PRINCIPAL_TYPES:
                self.principals[rc["address"]] = f"{PRINCIPAL_TYPES[rc['type']]} {self.names[rc['address']]}"
            if rc["type"] == "aws_iam_policy":
                for side in ("before", "after"):
                    arn = (change.get(side) or {}).get("arn")
                    if isinstance(arn, str):
                        self.policy_by_arn[arn] = rc["address"]

    def _targets(self, address: str, attribute: str, types: tuple[str, ...], index: int | None) -> list[str]:
        """Instances of ``types`` that ``attribute`` of ``address`` refers to in the configuration."""
        targets = {t for t in self.config.attribute_targets(address, attribute) if t.split(".")[-2] in types}
        candidates = [rc["address"] for rc in self.changes if strip_keys(rc["address"]) in targets]
        if len(candidates) > 1:
            keyed = [c for c in candidates if instance_key(c) and instance_key(c) == instance_key(address)]
            candidates = keyed or (candidates[index:index + 1] if index is not None and len(targets) == 1 else [])
        return candidates

    def policy(self, arn: object, address: str, attribute: str, index: int | None = None) -> tuple[str, str]:
        """(label, policy address or '') for a policy ARN an attachment names."""
        if isinstance(arn, str) and arn != UNKNOWN:
            addr = self.policy_by_arn.get(arn, "")
            return (self.names[addr] if addr else arn), addr
        found = self._targets(address, attribute, ("aws_iam_policy",), index)
        return (self.names[found[0]], found[0]) if len(found) == 1 else (UNKNOWN, "")

    def principal(self, kind: str, name: object, address: str, attribute: str) -> str:
        """``role x`` for the principal a policy or attachment names (resolved when unknown)."""
        if isinstance(name, str) and name and name != UNKNOWN:
            return f"{kind} {name}"
        found = self._targets(address, attribute, tuple(PRINCIPAL_TYPES), None)
        return self.principals[found[0]] if len(found) == 1 else f"{kind} {UNKNOWN}"


def summarize_plan(plan: dict) -> PlanSummary:
    """Build the IAM summary of a ``terraform show -json`` plan."""
    summary = PlanSummary(counts={"create": 0, "update": 0, "delete": 0, "replace": 0})
    changes = [rc for rc in plan.get("resource_changes", []) if rc.get("mode", "managed") == "managed"]
    names = _Resolver(plan, changes)
    held: dict[str, set[str]] = {}  # policy address -> principals holding it through unchanged attachments
    for rc in changes:
        change, action = rc["change"], _action(rc["change"].get("actions", []))
        kind = PRINCIPAL_TYPES.get(rc["type"]) or OTHER_IAM_TYPES.get(rc["type"])
        if action != "no-op":
            summary.counts[action] += 1
            if kind:
                summary.resources.append(ResourceChange(kind, names.names[rc["address"]], rc["address"], action,
                                                        _details(change, action)))
        if rc["type"] in DOCUMENTS and action != "no-op":
            _add_document_change(summary, rc, action, names)
        elif rc["type"] in ATTACHMENTS and action != "no-op":
            _add_attachments(summary, rc, action, names)
        elif rc["type"] in ATTACHMENTS:
            pkind, pattr, aattr = ATTACHMENTS[rc["type"]]
            before = change.get("before") or {}
            for i, arn in enumerate(as_list(before.get(aattr))):
                _, addr = names.policy(arn, rc["address"], aattr, i)
                if addr:
                    held.setdefault(addr, set()).add(f"{pkind} {before.get(pattr)}")
        elif rc["type"] in ("aws_iam_group_membership", "aws_iam_user_group_membership") and action != "no-op":
            _add_memberships(summary, rc)
    for pol in summary.policies:
        if pol.kind == "managed":
            pol.principals = sorted(held.get(pol.address, set()))
    summary.policies.sort(key=lambda p: p.address)
    summary.attachments.sort(key=lambda a: (a.principal, a.policy, a.action))
    return summary


def _details(change: dict, action: str) -> list[str]:
    """What changed on an updated principal or policy, in words."""
    if action == "delete":
        return []
    details = []
    boundary = _value(change, "after", "permissions_boundary")
    old_boundary = (change.get("before") or {}).get("permissions_boundary")
    if action in ("create", "replace") and boundary:
        details.append(f"permissions boundary: {boundary}")
    elif action == "update" and boundary != old_boundary:
        details.append(f"permissions boundary: {old_boundary or 'none'} -> {boundary or 'none'}")
    if action == "update":
        before, after = change.get("before") or {}, change.get("after") or {}
        unknown = change.get("after_unknown") or {}
        for attr in _WATCHED:
            if attr != "permissions_boundary" and (before.get(attr) != after.get(attr) or unknown.get(attr) is True):
                details.append(f"{attr} changed")
    return details


def _add_document_change(summary: PlanSummary, rc: dict, action: str, names: _Resolver) -> None:
    kind, attr, owner_kind, owner_attr = DOCUMENTS[rc["type"]]
    change = rc["change"]
    before = parse_document((change.get("before") or {}).get(attr)) if action != "create" else None
    after_value = _value(change, "after", attr)
    after = None if action == "delete" else parse_document(after_value)
    if kind == "trust" and action == "update" and before == after and after_value != UNKNOWN:
        return
    gained, lost = diff_documents(before, after)
    principals = []
    if owner_kind:
        owner = _value(change, "after" if action != "delete" else "before", owner_attr)
        principals = [names.principal(owner_kind, owner, rc["address"], owner_attr)]
    label = names.names[rc["address"]]
    if kind == "trust":
        label = f"trust policy of {principals[0]}"
    summary.policies.append(PolicyChange(rc["address"], kind, label, action, principals, gained, lost,
                                         unknown=after_value == UNKNOWN))


def _add_attachments(summary: PlanSummary, rc: dict, action: str, names: _Resolver) -> None:
    pkind, pattr, aattr = ATTACHMENTS[rc["type"]]
    change = rc["change"]
    before, after = change.get("before") or {}, change.get("after") or {}
    unknown = (change.get("after_unknown") or {}).get(aattr)
    old = [] if action == "create" else as_list(before.get(aattr))
    if action == "delete":
        new: list = []
    elif unknown is True:
        new = [UNKNOWN]
    else:
        flags = unknown if isinstance(unknown, list) else []
        new = [UNKNOWN if i < len(flags) and flags[i] is True else v for i, v in enumerate(as_list(after.get(aattr)))]
    side = "before" if action == "delete" else "after"
    principal = names.principal(pkind, _value(change, side, pattr), rc["address"], pattr)
    for i, arn in enumerate(new):
        if arn == UNKNOWN or arn not in old or action == "replace":
            label, addr = names.policy(arn, rc["address"], aattr, i)
            summary.attachments.append(AttachmentChange(rc["address"], principal, label, "attach", addr))
    for i, arn in enumerate(old):
        if arn not in new or action == "replace":
            label, addr = names.policy(arn, rc["address"], aattr, i)
            summary.attachments.append(AttachmentChange(rc["address"], principal, label, "detach", addr))


def _add_memberships(summary: PlanSummary, rc: dict) -> None:
    change = rc["change"]
    before, after = change.get("before") or {}, change.get("after") or {}
    if rc["type"] == "aws_iam_group_membership":
        group = after.get("group") or before.get("group")
        old = {(u, group) for u in as_list(before.get("users"))}
        new = {(u, group) for u in as_list(after.get("users"))}
    else:
        user = after.get("user") or before.get("user")
        old = {(user, g) for g in as_list(before.get("groups"))}
        new = {(user, g) for g in as_list(after.get("groups"))}
    for user, group in sorted(new - old):
        summary.memberships.append({"user": user, "group": group, "action": "join", "address": rc["address"]})
    for user, group in sorted(old - new):
        summary.memberships.append({"user": user, "group": group, "action": "leave", "address": rc["address"]})


# -- text -----------------------------------------------------------------------------

_SIGN = {"create": "+", "delete": "-", "update": "~", "replace": "-/+"}
_SECTIONS = (("Roles", ("role",)), ("Users", ("user",)), ("Groups", ("group",)), ("Managed policies", ("policy",)))


def _statement_text(s: dict) -> str:
    actions = ", ".join(s["actions"]) or "*"
    text = f"{s['effect']} {'all actions except ' if s['not_actions'] else ''}{actions}"
    if s["resources"]:
        text += f" on {'all resources except ' if s['not_resources'] else ''}{', '.join(s['resources'])}"
    if s["principals"]:
        text += f" for {', '.join(s['principals'])}"
    conditions = [f"{op} {key}={','.join(map(str, values if isinstance(values, list) else [values]))}"
                  for op, keys in sorted(s["conditions"].items()) for key, values in sorted(keys.items())]
    if conditions:
        text += " if " + " and ".join(conditions)
    return text


def render_text(summary: PlanSummary) -> str:
    """The summary as reviewers read it (a PR comment): what changes, then who gains or loses what."""
    c = summary.counts
    lines = [f"Plan: {c['create']} to create, {c['update']} to update, {c['replace']} to replace, "
             f"{c['delete']} to destroy (all resources)"]
    if not summary.has_changes:
        return lines[0] + "\nNo changes: the account already matches the configuration.\n"
    other = ("role", "user", "group", "policy")
    for title, kinds in (*_SECTIONS, ("Other IAM resources", None)):
        rows = [r for r in summary.resources if (r.kind in kinds if kinds else r.kind not in other)]
        if rows:
            lines += ["", title]
            for r in rows:
                label = r.name if kinds else f"{r.kind} {r.name}"
                extra = f"  ({'; '.join(r.details)})" if r.details else ""
                lines.append(f"  {_SIGN[r.action]} {label}{extra}")
    if summary.memberships:
        lines += ["", "Group membership"]
        for m in summary.memberships:
            sign, verb = ("+", "joins") if m["action"] == "join" else ("-", "leaves")
            lines.append(f"  {sign} {m['user']} {verb} {m['group']}")
    principals = summary.by_principal()
    if principals:
        lines += ["", "Who gains or loses what"]
        for principal, entry in principals.items():
            lines.append(f"  {principal}")
            lines += [f"    + attached {p}" for p in entry["attached"]]
            lines += [f"    - detached {p}" for p in entry["detached"]]
            lines += [f"    + {_statement_text(s)}  [{s['via']}]" for s in entry["gains"]]
            lines += [f"    - {_statement_text(s)}  [{s['via']}]" for s in entry["loses"]]
    attached = {a.policy_address for a in summary.attachments}
    loose = [p for p in summary.policies if p.kind == "managed" and not p.principals and p.address not in attached]
    if loose:
        lines += ["", "Managed policies not attached to a principal in this plan (boundaries, or attached elsewhere)"]
        for pol in loose:
            lines.append(f"  {_SIGN[pol.action]} {pol.policy}")
            lines += [f"    + {_statement_text(asdict(s))}" for s in pol.gained]
            lines += [f"    - {_statement_text(asdict(s))}" for s in pol.lost]
    unknown = [p.policy for p in summary.policies if p.unknown]
    if unknown:
        lines += ["", "Documents known only after apply (not diffed): " + ", ".join(unknown)]
    return "\n".join(_safe_line(line) for line in lines) + "\n"


_FENCE = re.compile(r"`{3,}|~{3,}")


def _safe_line(line: str) -> str:
    """One line of the summary as it may go into a terminal, a CI log and a ```diff fenced pull-request
    comment: names, ARNs and condition values come from the plan, so a line feed, a control or bidi
    character, a workflow command or a fence in them is escaped (a run of three backticks or tildes
    would close the comment's fence and let the rest of the data pose as the summary)."""
    return _FENCE.sub(lambda m: "".join(f"\\x{ord(c):02x}" for c in m.group(0)), neutralise(line))
