"""ABAC policies: a role acts only on resources tagged with its own department.

With ``k = tags.abac_key`` and ``P = ${aws:PrincipalTag/k}``:

* actions on existing resources are allowed when ``aws:ResourceTag/k == P``;
* create actions (``Create*``/``Run*``) when ``aws:RequestTag/k == P`` and every tag key
  sent is in the allow-list (``k``, the required tags, the common tags);
* actions that act on no specific resource (``Resource`` must be ``*``, e.g. ``Describe*``)
  are allowed without a tag condition, in their own statement;
* guardrails deny changing or removing ``k`` on resources of the services in scope and
  deny tagging principals with authorization tag keys.

Every condition key in a statement is supported by every action of that statement,
according to AWS's action catalogue (``catalog.supports``). An action that acts on
resources but supports neither ``aws:ResourceTag`` nor, for creation, ``aws:RequestTag``
plus ``aws:TagKeys`` cannot be scoped by tag: it is left out of the document (never
allowed unconditionally) and listed by ``abac_unsupported`` for the validator.

Known limit: a create action is checked on the tags it sets, not on the existing
resources it uses (the AMI, subnet or security group of ``ec2:RunInstances``, the volume
of ``ec2:CreateSnapshot``); scope those with ``permissions`` grants when that matters.
"""
from __future__ import annotations

from dataclasses import dataclass

from generator.policies import catalog
from generator.policies.delegation import PRINCIPAL_TAG_ACTIONS, authorization_tag_keys
from generator.policies.document import KIND_IDENTITY, PolicyDoc, policy, sorted_unique, statement
from generator.spec.model import Role, Spec

INLINE_ABAC_NAME = "iamforge-abac"

EXISTING = "existing"
CREATE = "create"
UNTAGGABLE = "untaggable"
UNSUPPORTED = "unsupported"

_CREATE_PREFIXES = ("Create", "Run")
_REMOVAL_PREFIXES = ("Untag", "Delete", "Remove")


@dataclass(frozen=True)
class AbacPlan:
    """How a role's ``abac.actions`` are placed.

    Attributes:
        existing: Actions/patterns allowed with ``aws:ResourceTag``.
        create: Actions/patterns allowed with ``aws:RequestTag`` and ``aws:TagKeys``.
        untaggable: Actions/patterns acting on no specific resource, allowed on ``*``.
        unsupported: ``(action, reason)`` pairs left out of the document.
    """

    existing: tuple[str, ...]
    create: tuple[str, ...]
    untaggable: tuple[str, ...]
    unsupported: tuple[tuple[str, str], ...]

    @property
    def allowed(self) -> tuple[str, ...]:
        """Every action or pattern the document allows."""
        return (*self.existing, *self.create, *self.untaggable)


def classify(action: str, key: str) -> tuple[str, str]:
    """Place one exact catalogue action; returns ``(class, reason)``.

    Args:
        action: An exact action name (``ec2:StartInstances``).
        key: The ABAC tag key.
    """
    if catalog.canonical(action) is None:
        return UNSUPPORTED, "unknown action (not in the IAM action catalogue)"
    _, name = catalog.split_action(catalog.canonical(action))
    resource_tag = catalog.supports(action, f"aws:ResourceTag/{key}")
    if name.startswith(_CREATE_PREFIXES):
        if catalog.supports(action, f"aws:RequestTag/{key}") and catalog.supports(action, "aws:TagKeys"):
            return CREATE, ""
        if resource_tag and not catalog.is_wildcard_only(action):
            return EXISTING, ""
        return UNSUPPORTED, "creates resources but supports neither aws:RequestTag with aws:TagKeys nor aws:ResourceTag"
    if resource_tag:
        return EXISTING, ""
    if catalog.is_wildcard_only(action):
        return UNTAGGABLE, ""
    return UNSUPPORTED, "acts on resources but does not support aws:ResourceTag"


def plan(spec: Spec, role: Role) -> AbacPlan:
    """Classify a role's ABAC actions; patterns stay whole when all their matches agree."""
    key = spec.tags.abac_key
    buckets: dict[str, set[str]] = {EXISTING: set(), CREATE: set(), UNTAGGABLE: set()}
    unsupported: dict[str, str] = {}
    for pattern in (role.abac.actions if role.abac else []):
        matches = catalog.expand(pattern)
        if pattern.strip() == "*":
            unsupported[pattern] = "the all-actions wildcard cannot be scoped by tag"
            continue
        if not matches:
            unsupported[pattern] = "matches no action in the IAM action catalogue"
            continue
        placed = {a: classify(a, key) for a in matches}
        classes = {c for c, _ in placed.values()}
        if len(classes) == 1 and UNSUPPORTED not in classes:
            # An exact name takes the catalogue spelling; a wildcard pattern stays as written.
            target = pattern if any(c in pattern for c in "*?") else matches[0]
            buckets[classes.pop()].add(target)
            continue
        for action, (cls, reason) in placed.items():
            if cls == UNSUPPORTED:
                via = f" (matched by {pattern})" if action != pattern else ""
                unsupported[action] = reason + via
            else:
                buckets[cls].add(action)
    return AbacPlan(
        existing=tuple(sorted(buckets[EXISTING])),
        create=tuple(sorted(buckets[CREATE])),
        untaggable=tuple(sorted(buckets[UNTAGGABLE])),
        unsupported=tuple(sorted(unsupported.items())),
    )


def abac_unsupported(spec: Spec, role: Role) -> list[tuple[str, str]]:
    """ABAC actions of ``role`` that cannot be scoped by tag and were left out, with the reason."""
    return list(plan(spec, role).unsupported)


def _exact(patterns: tuple[str, ...]) -> list[str]:
    return sorted_unique(a for p in patterns for a in catalog.expand(p))


def guardrail_statements(spec: Spec, services: list[str]) -> list[dict]:
    """Denies that keep the ABAC tag on resources of ``services`` and on principals intact."""
    key = spec.tags.abac_key
    ptag = f"${{aws:PrincipalTag/{key}}}"
    other_dept: list[str] = []
    set_value: list[str] = []
    key_in_request: list[str] = []
    unverifiable: list[str] = []
    for svc in services:
        for action in catalog.tagging_actions(svc):
            _, name = catalog.split_action(action)
            tag_keys = catalog.supports(action, "aws:TagKeys")
            if catalog.supports(action, f"aws:ResourceTag/{key}"):
                other_dept.append(action)
            if name.startswith(_REMOVAL_PREFIXES):
                (key_in_request if tag_keys else unverifiable).append(action)
            elif tag_keys and catalog.supports(action, f"aws:RequestTag/{key}"):
                set_value.append(action)
            else:
                (key_in_request if tag_keys else unverifiable).append(action)
    out: list[dict] = []
    if other_dept:
        out.append(statement(
            "DenyTagChangesOnOtherDepartments", "Deny", other_dept, ["*"],
            condition={"StringNotEquals": {f"aws:ResourceTag/{key}": ptag},
                       "Null": {f"aws:ResourceTag/{key}": "false"}},
        ))
    if set_value:
        out.append(statement(
            "DenyAbacTagSetToOtherValue", "Deny", set_value, ["*"],
            condition={"ForAnyValue:StringEquals": {"aws:TagKeys": [key]},
                       "StringNotEquals": {f"aws:RequestTag/{key}": ptag}},
        ))
    if key_in_request:
        out.append(statement(
            "DenyAbacTagRemoval", "Deny", key_in_request, ["*"],
            condition={"ForAnyValue:StringEquals": {"aws:TagKeys": [key]}},
        ))
    if unverifiable:
        # These tagging actions cannot be conditioned on the keys they change, so the
        # only way to protect the ABAC tag is to deny them to this role outright.
        out.append(statement("DenyUnverifiableTagging", "Deny", unverifiable, ["*"]))
    out.append(statement(
        "DenyPrincipalAuthorizationTagChanges", "Deny", PRINCIPAL_TAG_ACTIONS, ["*"],
        condition={"ForAnyValue:StringEquals": {"aws:TagKeys": authorization_tag_keys(spec)}},
    ))
    return out


def allowed_request_tag_keys(spec: Spec) -> list[str]:
    """Tag keys a create request may carry: the ABAC key, the required and the common tags."""
    return sorted_unique([spec.tags.abac_key, *spec.tags.required, *spec.tags.common])


def abac_statements(spec: Spec, role: Role) -> list[dict]:
    """The ABAC statements of ``role`` (allows, then guardrails); empty when nothing is allowed."""
    if role.abac is None:
        return []
    p = plan(spec, role)
    if not p.allowed:
        return []
    key = spec.tags.abac_key
    ptag = f"${{aws:PrincipalTag/{key}}}"
    resources = role.abac.resources or ["*"]
    create_cond = {
        "StringEquals": {f"aws:RequestTag/{key}": ptag},
        "ForAllValues:StringEquals": {"aws:TagKeys": allowed_request_tag_keys(spec)},
    }
    out: list[dict] = []
    if p.existing:
        out.append(statement("AbacExistingResources", "Allow", p.existing, resources,
                             condition={"StringEquals": {f"aws:ResourceTag/{key}": ptag}}))
    if p.create:
        out.append(statement("AbacCreateTagged", "Allow", p.create, resources, condition=create_cond))
        # EC2 authorizes tag-on-create as a separate ec2:CreateTags call; without this
        # the create actions above would fail whenever they carry tags (always, here).
        ec2_creates = [catalog.split_action(a)[1] for a in _exact(p.create) if a.startswith("ec2:")]
        if ec2_creates:
            out.append(statement(
                "AbacTagOnCreate", "Allow", ["ec2:CreateTags"], resources,
                condition={**create_cond, "StringEquals": {
                    "ec2:CreateAction": ec2_creates, f"aws:RequestTag/{key}": ptag}},
            ))
    if p.untaggable:
        out.append(statement("AbacNoResourceTag", "Allow", p.untaggable, ["*"]))
    services = sorted_unique(catalog.split_action(a)[0] for a in _exact((*p.existing, *p.create)))
    out.extend(guardrail_statements(spec, services))
    return out


def build_abac(spec: Spec, role: Role) -> PolicyDoc | None:
    """The role's ABAC inline policy; None without ``abac`` or when no action can be scoped."""
    statements = abac_statements(spec, role)
    if not statements:
        return None
    return PolicyDoc(
        key=f"role.{role.department}.{role.key}.abac",
        kind=KIND_IDENTITY,
        name=INLINE_ABAC_NAME,
        spec_path=role.abac.path,
        document=policy(statements),
        attachments=(("role", role.name),),
        managed=False,
        description=f"{role.name} acts only on resources tagged "
        f"{spec.tags.abac_key}=<its own {spec.tags.abac_key}> (iamforge)",
    )
