"""Privilege-escalation matcher over an effective permission set.

A method (``escalation_methods.yaml``) fires when every one of its actions has an *open*
grant. A grant is closed when a narrowing condition applies (``iam:PermissionsBoundary``,
an ``iam:PassedToService`` naming another service, ABAC tag matching, ...) or when all its
resources are scoped to targets that cannot reach a more privileged principal; what
"cannot reach" means is the :class:`Targets` policy (raw document or spec-aware).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import yaml

from generator.analysis.arn import effectively_star, has_wildcard
from generator.analysis.catalog import catalog
from generator.analysis.conditions import service_allowed
from generator.analysis.effective import Grant, PermissionSet

IAM_KINDS = frozenset({"role", "user", "group", "policy", "self", "assume"})  # assume: a role to assume
# Existing non-IAM resources that may run under a privileged role: a pattern reaches one of them
# when it has a wildcard (DocumentTargets, SpecTargets).
RESOURCE_KINDS = frozenset({"function", "devendpoint", "stack", "stackset", "project", "notebook", "instance",
                            "launchtemplate", "pipeline", "job", "task", "service", "codeinterpreter"})
KINDS = IAM_KINDS | RESOURCE_KINDS | {"new"}
PATHFINDING_URL = "https://pathfinding.cloud/paths/{}"


@dataclass(frozen=True)
class Method:
    """One escalation method: every action must be reachable."""

    id: str
    title: str
    sources: tuple[str, ...]
    actions: tuple[tuple[str, str], ...]  # (lower-case action, target kind)
    passed_to_service: str | None = None
    pathfinding: tuple[str, ...] = ()  # pathfinding.cloud path ids, e.g. ("ecs-003", "ecs-001")
    spelled: tuple[str, ...] = ()  # the actions as the catalogue file spells them, for messages

    def display(self, action: str) -> str:
        """``action`` as AWS spells it: the IAM catalogue's spelling, else the method file's (an
        action the catalogue does not know yet, such as bedrock-agentcore's)."""
        cat = catalog()
        if cat.lookup(action) is not None:
            return cat.display(action)
        return next((name for name in self.spelled if name.lower() == action), action)

    def reference(self) -> str:
        """`` (pathfinding.cloud ecs-003, ecs-001: https://pathfinding.cloud/paths/ecs-003)``, or ""."""
        if not self.pathfinding:
            return ""
        return f" (pathfinding.cloud {', '.join(self.pathfinding)}: {PATHFINDING_URL.format(self.pathfinding[0])})"

    def label(self) -> str:
        """The id with its pathfinding.cloud ids, for a list of further methods."""
        return f"{self.id} (pathfinding.cloud {', '.join(self.pathfinding)})" if self.pathfinding else self.id


@dataclass(frozen=True)
class Escalation:
    """A method the principal can use, with one open grant per action as evidence."""

    method: Method
    grants: tuple[Grant, ...]

    def describe(self) -> str:
        where = ", ".join(f"{self.method.display(g.action)} in {g.location}" for g in self.grants)
        return f"{self.method.id} ({self.method.title}) via {where}{self.method.reference()}"


PRINCIPAL_KINDS = frozenset({"role", "user", "group"})
TAG_MATCH = "resource-tag-match"


class Targets(Protocol):
    """Decides whether a resource pattern can only reach harmless targets.

    Implementations may also offer ``closed_by_tag(resource, kind)``: whether the principals
    the pattern matches *and that carry the actor's own ABAC tag* are all harmless (the
    reach of a grant conditioned on ``iam:ResourceTag/<key> = ${aws:PrincipalTag/<key>}``).
    Without it a tag-matched grant counts as closed: nothing is known about who is tagged.
    """

    def closed(self, resource: str, kind: str) -> bool: ...


class DocumentTargets:
    """Targets for a lone document: nothing is known about the account, so a pattern is open
    when it names every resource of its type (or, for non-IAM resources, has a wildcard)."""

    def closed(self, resource: str, kind: str) -> bool:
        if kind in IAM_KINDS:
            return not effectively_star(resource)
        return not has_wildcard(resource)


@lru_cache(maxsize=1)
def methods() -> tuple[Method, ...]:
    """The method catalogue from ``escalation_methods.yaml``.

    Raises:
        ValueError: when a method names a resource kind the targets do not know, or a
            pathfinding.cloud id that is not ``<service>-<nnn>``.
    """
    data = yaml.load((Path(__file__).with_name("escalation_methods.yaml")).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    out = []
    for m in data["methods"]:
        method = Method(
            id=m["id"],
            title=m["title"],
            sources=tuple(m.get("sources", ())),
            actions=tuple((a.lower(), k) for a, k in m["actions"].items()),
            passed_to_service=m.get("passed_to_service"),
            pathfinding=tuple(m.get("pathfinding", ())),
            spelled=tuple(m["actions"]),
        )
        unknown = sorted({k for _, k in method.actions} - KINDS)
        if unknown:
            raise ValueError(f"escalation method {method.id}: unknown resource kind {', '.join(unknown)}")
        bad = [p for p in method.pathfinding if not re.fullmatch(r"[a-z0-9]+-\d{3}", p)]
        if bad:
            raise ValueError(f"escalation method {method.id}: not a pathfinding.cloud id: {', '.join(bad)}")
        out.append(method)
    return tuple(out)


@lru_cache(maxsize=1)
def _needed_actions() -> tuple[tuple[Method, frozenset[str]], ...]:
    """Each method with the set of actions it needs, for a subset test per principal."""
    return tuple((m, frozenset(a for a, _ in m.actions)) for m in methods())


@lru_cache(maxsize=1)
def escalation_actions() -> frozenset[str]:
    return frozenset(a for m in methods() for a, _ in m.actions)


def grant_is_open(grant: Grant, kind: str, method: Method, targets: Targets) -> bool:
    """True when ``grant`` lets ``method`` reach a target of ``kind``."""
    constraints = dict(grant.constraints)
    if grant.action == "iam:passrole" and method.passed_to_service:
        if not service_allowed(constraints, method.passed_to_service):
            return False
    constraints.pop("iam:passedtoservice", None)
    if kind == "new":
        # The caller creates the resource, tagged as ABAC demands: a tag match narrows nothing.
        constraints.pop(TAG_MATCH, None)
    if set(constraints) == {TAG_MATCH} and kind in PRINCIPAL_KINDS:
        # ABAC on a role or user reaches the actor's own department, which may hold a
        # more privileged principal than the actor: ask the targets who carries the tag.
        by_tag = getattr(targets, "closed_by_tag", None)
        if by_tag is None:
            return False
        resources = ("*",) if grant.not_resource else grant.resources
        return any(not by_tag(r, kind) for r in resources)
    if constraints:
        return False
    if kind == "new" or grant.not_resource:
        return True
    return any(not targets.closed(r, kind) for r in grant.resources)


def applies_to(method: Method, principal_kind: str) -> bool:
    """False for a method acting on the principal's own entity of another kind: a user cannot be
    the target of ``AttachRolePolicy`` on itself, nor a role of ``DeleteUserPermissionsBoundary``."""
    for action, kind in method.actions:
        if kind != "self":
            continue
        target = "role" if "role" in action.split(":", 1)[1] else "user" if "user" in action else ""
        if target and principal_kind in ("role", "user", "group") and target != principal_kind:
            return False
    return True


def find_escalations(permissions: PermissionSet, targets: Targets | None = None,
                     principal_kind: str = "") -> list[Escalation]:
    """Every method of the catalogue that ``permissions`` makes possible (for a ``role``, ``user`` or
    ``group``: only the methods that can apply to that kind of principal)."""
    targets = targets or DocumentTargets()
    present = permissions.allowed_among(escalation_actions())
    found: list[Escalation] = []
    for method, needed in _needed_actions():
        if not needed <= present or not applies_to(method, principal_kind):
            continue
        evidence: list[Grant] = []
        for action, kind in method.actions:
            open_grant = next((g for g in permissions.grants(action) if grant_is_open(g, kind, method, targets)), None)
            if open_grant is None:
                break
            evidence.append(open_grant)
        else:
            found.append(Escalation(method, tuple(evidence)))
    return found
