"""ABAC policies: a role acts only on resources tagged with its own department.

With ``k = tags.abac_key`` and ``P = ${aws:PrincipalTag/k}``, each action is placed in the
first tag-key family (``abac_families.FAMILIES``) whose keys the catalogue lets it use:

* actions on existing resources are allowed when the family's resource tag equals ``P``
  (``aws:ResourceTag/k``; ``s3:ExistingObjectTag/k`` for S3 objects);
* create actions when the family's request tag equals ``P`` and every tag key sent is in
  the allow-list (``k``, the required tags, the common tags): ``aws:RequestTag/k`` with
  ``aws:TagKeys``; ``s3:RequestObjectTag/k`` with ``s3:RequestObjectTagKeys`` for
  ``s3:PutObject``;
* actions that act on no specific resource (``Resource`` must be ``*``, e.g. ``Describe*``)
  are allowed without a tag condition, in their own statement;
* guardrails (``abac_guardrails``) deny changing or removing ``k`` on resources of the
  families and services in scope and deny tagging principals with authorization tag keys.

Every condition key in a statement is supported by every action of that statement,
according to AWS's action catalogue (``catalog.supports``): each family gets its own
statements. An action that acts on resources but that no family can scope (for example
``s3:DeleteObject``, which sees no object tag) is left out of the document (never allowed
unconditionally) and listed by ``abac_unsupported``; rule TAG-010 reports it.

S3 uploads: ``s3:PutObject`` cannot see the tags of an object it overwrites, so a tag
condition alone would let a department replace another department's object with one tagged
``P``. ABAC uploads are therefore allowed only under the department's own key prefix,
``<bucket>/${aws:PrincipalTag/k}/...`` (``abac.resources`` narrows the buckets), where no other
department can write; and an upload that carries tags is also authorized as
``s3:PutObjectTagging``, which is allowed there on the same conditions.

Known limits: a create action is checked on the tags it sets, not on the existing
resources it uses (the AMI, subnet or security group of ``ec2:RunInstances``, the volume
of ``ec2:CreateSnapshot``); scope those with ``permissions`` grants or ``abac.resources``
when that matters.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from generator.policies import catalog
from generator.policies.abac_families import CREATE, EXISTING, FAMILIES, S3_OBJECT_TAGS, TagFamily, place, why_unscoped
from generator.policies.abac_guardrails import guardrail_statements
from generator.policies.document import KIND_IDENTITY, PolicyDoc, policy, sorted_unique, statement
from generator.spec.model import Role, Spec

INLINE_ABAC_NAME = "iamforge-abac"

UNTAGGABLE = "untaggable"
UNSUPPORTED = "unsupported"

__all__ = [
    "CREATE", "EXISTING", "INLINE_ABAC_NAME", "UNSUPPORTED", "UNTAGGABLE", "AbacPlan", "FamilyGrant",
    "LeftOut", "abac_statements", "abac_unsupported", "allowed_request_tag_keys", "build_abac", "classify",
    "plan",
]


@dataclass(frozen=True)
class FamilyGrant:
    """The actions one tag-key family scopes.

    Attributes:
        family: The family whose condition keys scope these actions.
        existing: Actions/patterns allowed on resources carrying the caller's tag.
        create: Actions/patterns allowed when the request sets the caller's tag.
    """

    family: TagFamily
    existing: tuple[str, ...]
    create: tuple[str, ...]


@dataclass(frozen=True)
class LeftOut:
    """An ABAC action that cannot be scoped by tag and is not in the document.

    Attributes:
        action: The exact action, or the entry as written when it matches nothing.
        reason: Why no tag condition can scope it.
        index: Index of the ``abac.actions`` entry it comes from.
        pattern: That entry as written.
    """

    action: str
    reason: str
    index: int
    pattern: str

    @property
    def explained(self) -> str:
        """The reason, naming the pattern when the action came from a wildcard."""
        return self.reason if self.pattern == self.action else f"{self.reason} (matched by {self.pattern})"


@dataclass(frozen=True)
class AbacPlan:
    """How a role's ``abac.actions`` are placed.

    Attributes:
        grants: Per tag-key family with actions, in table order.
        untaggable: Actions/patterns acting on no specific resource, allowed on ``*``.
        left_out: Actions left out of the document, sorted by action.
    """

    grants: tuple[FamilyGrant, ...]
    untaggable: tuple[str, ...]
    left_out: tuple[LeftOut, ...]

    @property
    def existing(self) -> tuple[str, ...]:
        """Actions/patterns allowed on existing tagged resources, every family."""
        return tuple(a for g in self.grants for a in g.existing)

    @property
    def create(self) -> tuple[str, ...]:
        """Actions/patterns allowed to create tagged resources, every family."""
        return tuple(a for g in self.grants for a in g.create)

    @property
    def allowed(self) -> tuple[str, ...]:
        """Every action or pattern the document allows."""
        return (*self.existing, *self.create, *self.untaggable)

    @property
    def unsupported(self) -> tuple[tuple[str, str], ...]:
        """``(action, reason)`` pairs left out of the document."""
        return tuple((x.action, x.explained) for x in self.left_out)


@lru_cache(maxsize=16384)
def classify(action: str, key: str) -> tuple[str, TagFamily | None, str]:
    """Place one exact catalogue action; returns ``(class, family, reason)``.

    Args:
        action: An exact action name (``ec2:StartInstances``).
        key: The ABAC tag key.
    """
    if catalog.canonical(action) is None:
        return UNSUPPORTED, None, "unknown action (not in the IAM action catalogue)"
    placed = place(action, key)
    if placed is not None:
        return placed[0], placed[1], ""
    if catalog.is_wildcard_only(action):
        return UNTAGGABLE, None, ""
    return UNSUPPORTED, None, why_unscoped(action, key)


def plan(spec: Spec, role: Role) -> AbacPlan:
    """Classify a role's ABAC actions; patterns stay whole when all their matches agree.

    An action reached by several entries is reported at the entry naming it exactly, or
    else at the first pattern matching it.
    """
    key = spec.tags.abac_key
    buckets: dict[tuple[str, TagFamily | None], set[str]] = {}
    left_out: dict[str, LeftOut] = {}

    def leave_out(action: str, reason: str, index: int, pattern: str) -> None:
        if action == pattern or action not in left_out:
            left_out[action] = LeftOut(action, reason, index, pattern)

    for index, pattern in enumerate(role.abac.actions if role.abac else []):
        exact = not any(c in pattern for c in "*?")
        matches = catalog.expand(pattern)
        if pattern.strip() == "*":
            leave_out(pattern, "the all-actions wildcard cannot be scoped by tag", index, pattern)
            continue
        if not matches:
            leave_out(pattern, "matches no action in the IAM action catalogue", index, pattern)
            continue
        placed = {a: classify(a, key) for a in matches}
        classes = {(c, f) for c, f, _ in placed.values()}
        if len(classes) == 1 and UNSUPPORTED not in {c for c, _ in classes}:
            # An exact name takes the catalogue spelling; a wildcard pattern stays as written.
            buckets.setdefault(classes.pop(), set()).add(matches[0] if exact else pattern)
            continue
        for action, (cls, family, reason) in placed.items():
            if cls == UNSUPPORTED:
                leave_out(action, reason, index, action if exact else pattern)
            else:
                buckets.setdefault((cls, family), set()).add(action)
    grants = tuple(
        FamilyGrant(f, tuple(sorted(buckets.get((EXISTING, f), ()))), tuple(sorted(buckets.get((CREATE, f), ()))))
        for f in FAMILIES if (EXISTING, f) in buckets or (CREATE, f) in buckets
    )
    return AbacPlan(
        grants=grants,
        untaggable=tuple(sorted(buckets.get((UNTAGGABLE, None), ()))),
        left_out=tuple(left_out[a] for a in sorted(left_out)),
    )


def abac_unsupported(spec: Spec, role: Role) -> list[tuple[str, str]]:
    """ABAC actions of ``role`` that cannot be scoped by tag and were left out, with the reason."""
    return list(plan(spec, role).unsupported)


def _exact(patterns: tuple[str, ...]) -> list[str]:
    return sorted_unique(a for p in patterns for a in catalog.expand(p))


def allowed_request_tag_keys(spec: Spec) -> list[str]:
    """Tag keys a create request may carry: the ABAC key, the required and the common tags."""
    return sorted_unique([spec.tags.abac_key, *spec.tags.required, *spec.tags.common])


def abac_statements(spec: Spec, role: Role) -> list[dict]:
    """The ABAC statements of ``role`` (allows, then guardrails); empty when nothing is allowed.

    They depend on the spec's ``tags`` and the role's ``abac`` alone, and most roles of a spec
    share both: built once per distinct pair and shared (documents are never changed after
    they are built: ``tests/unit/test_policies.py`` checks that validating and rendering leave
    every document as built).
    """
    if role.abac is None:
        return []
    key = (repr(spec.tags), tuple(role.abac.actions), tuple(role.abac.resources or ()))
    built = _ABAC_BUILT.get(key)
    if built is None:
        if len(_ABAC_BUILT) >= 1024:
            _ABAC_BUILT.clear()
        built = _ABAC_BUILT[key] = _abac_statements(spec, role)
    return list(built)


_ABAC_BUILT: dict[tuple, list[dict]] = {}


def _abac_statements(spec: Spec, role: Role) -> list[dict]:
    p = plan(spec, role)
    if not p.allowed:
        return []
    resources = role.abac.resources or ["*"]
    out: list[dict] = []
    for grant in p.grants:
        out.extend(_grant_statements(spec, grant, resources))
    if p.untaggable:
        out.append(statement("AbacNoResourceTag", "Allow", p.untaggable, ["*"]))
    scope = [(g.family, sorted_unique(catalog.split_action(a)[0] for a in _exact((*g.existing, *g.create))))
             for g in p.grants]
    out.extend(guardrail_statements(spec, scope))
    return out


def _grant_statements(spec: Spec, grant: FamilyGrant, resources: list[str]) -> list[dict]:
    """The allow statements of one family: existing resources, then creation."""
    family, key = grant.family, spec.tags.abac_key
    ptag = f"${{aws:PrincipalTag/{key}}}"
    out: list[dict] = []
    if grant.existing:
        out.append(statement(family.sid_existing, "Allow", grant.existing, resources,
                             condition={"StringEquals": {family.existing_key(key): ptag}}))
    if not grant.create:
        return out
    create_cond = {
        "StringEquals": {family.request_key(key): ptag},
        "ForAllValues:StringEquals": {family.request_keys: allowed_request_tag_keys(spec)},
    }
    if family is S3_OBJECT_TAGS:
        # Uploads only under the department's own prefix (see the module), with their tags.
        prefixed = department_prefixed(spec, resources, ptag)
        if not prefixed:  # abac.resources names no S3 ARN: no upload anywhere
            return out
        out.append(statement(family.sid_create, "Allow", grant.create, prefixed, condition=create_cond))
        out.append(statement("AbacTagOnUpload", "Allow", ["s3:PutObjectTagging"], prefixed, condition=create_cond))
        return out
    out.append(statement(family.sid_create, "Allow", grant.create, resources, condition=create_cond))
    # EC2 authorizes tag-on-create as a separate ec2:CreateTags call; without this
    # the create actions above would fail whenever they carry tags (always, here).
    ec2_creates = [catalog.split_action(a)[1] for a in _exact(grant.create) if a.startswith("ec2:")]
    if ec2_creates:
        out.append(statement(
            "AbacTagOnCreate", "Allow", ["ec2:CreateTags"], resources,
            condition={**create_cond, "StringEquals": {
                "ec2:CreateAction": ec2_creates, f"aws:RequestTag/{key}": ptag}},
        ))
    return out


def department_prefixed(spec: Spec, resources: list[str], ptag: str) -> list[str]:
    """S3 object ARNs of ``resources`` under the key prefix ``ptag``: ``*`` becomes every
    bucket's ``<ptag>/*``, a bucket pattern ``arn:aws:s3:::data-*`` its ``<ptag>/*``, an object
    pattern ``arn:aws:s3:::data/reports/*`` ``data/reports/<ptag>/*``. Other ARNs are left out:
    they name no S3 object."""
    out = []
    for resource in resources:
        if resource == "*":
            out.append(f"arn:{spec.account.partition}:s3:::*/{ptag}/*")
            continue
        head, sep, rest = resource.partition(":::")
        if not sep or not head.endswith(":s3"):
            continue
        if "/" in rest:
            rest = rest.rstrip("*").rstrip("/")
        out.append(f"{head}:::{rest}/{ptag}/*")
    return sorted_unique(out)


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
