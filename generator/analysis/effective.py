"""Effective permissions of one principal.

The union of every identity Allow reaching the principal, limited by its permission boundary
(a ceiling: an action outside it is not granted, and the boundary's resource scope and
narrowing conditions carry over), minus explicit Denies from either side. Denies whose
condition is a negated narrowing key (``Deny iam:CreateRole if iam:PermissionsBoundary !=
X``) do not remove the grant; they add the constraint to it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from generator.analysis.arn import covers, effectively_star
from generator.analysis.conditions import allow_constraints, deny_constraints
from generator.analysis.document import Policy, Statement


@dataclass(frozen=True, slots=True)
class Source:
    """Where a statement came from: a generated document, an AWS managed policy, or a file."""

    key: str  # PolicyDoc key, managed policy ARN, or file name
    path: str  # spec path (or file) findings should point at
    kind: str = "identity"  # identity | boundary | managed


@dataclass(frozen=True, slots=True)
class Grant:
    """One way an action is allowed, after boundary and Deny statements were applied."""

    action: str  # lower-case
    source: Source
    statement: Statement
    resources: tuple[str, ...]
    not_resource: bool
    constraints: dict[str, tuple[str, ...]] = field(hash=False, compare=False)

    @property
    def unscoped(self) -> bool:
        """True when the grant reaches every resource of the action (``*``, ``role/*``, NotResource)."""
        return self.not_resource or any(effectively_star(r) for r in self.resources)

    @property
    def location(self) -> str:
        return f"{self.source.key} {self.statement.path}"


def resources_covered(deny: Statement, resources: tuple[str, ...], not_resource: bool) -> bool:
    """True when ``deny`` reaches every resource of a grant on ``resources`` (or NotResource)."""
    if deny.not_resource:
        return False
    if not_resource:
        return "*" in deny.resources
    return all(any(covers(d, r) for d in deny.resources) for r in resources)


class PermissionSet:
    """The effective permission model of one principal (or of one raw document)."""

    def __init__(self, identity: list[tuple[Source, Policy]], boundary: list[tuple[Source, Policy]] | None = None,
                 unknown_managed: tuple[str, ...] = ()) -> None:
        self.allows = [(src, s) for src, p in identity for s in p.statements if s.effect == "Allow"]
        self.denies = [(src, s) for src, p in identity + (boundary or []) for s in p.statements
                       if s.effect == "Deny"]
        self.bounded = boundary is not None
        self.ceiling = [(src, s) for src, p in (boundary or []) for s in p.statements if s.effect == "Allow"]
        self.unknown_managed = unknown_managed
        self._cache: dict[str, tuple[Grant, ...]] = {}
        # Each statement's expansion, looked up once: grants() scans them for every action asked.
        self._allow_sets = [(src, s, s.expanded()) for src, s in self.allows]
        self._ceiling_sets = [(s, s.expanded()) for _, s in self.ceiling]
        self._deny_sets = [(s, s.expanded()) for _, s in self.denies]

    def grants(self, action: str) -> tuple[Grant, ...]:
        """Every effective grant of ``action`` (lower-case ``svc:action``)."""
        if not action.islower():
            action = action.lower()
        if action in self._cache:
            return self._cache[action]
        out: list[Grant] = []
        candidates = [(src, s) for src, s, names in self._allow_sets if action in names]
        ceiling: list[Statement] = []
        if candidates and self.bounded:
            ceiling = [s for s, names in self._ceiling_sets if action in names]
            candidates = candidates if ceiling else []
        denies = [s for s, names in self._deny_sets if action in names] if candidates else []
        for src, stmt in candidates:
            grant = self._apply_ceiling(action, src, stmt, ceiling)
            grant = self._apply_denies(grant, denies)
            if grant is not None:
                out.append(grant)
        found = self._cache[action] = tuple(out)  # () for none: one shared empty tuple
        return found

    def allowed(self, action: str) -> bool:
        return bool(self.grants(action))

    def allowed_of(self, actions: frozenset[str]) -> set[str]:
        """The members of ``actions`` (lower-case) that :meth:`allowed` holds true for, in bulk.

        An action some identity Allow names, inside the boundary (when there is one) and named by
        no unconditional Deny is allowed without building its grants (a Deny with a condition only
        adds constraints); those an unconditional Deny names go through :meth:`grants`, which
        decides whether the Deny's resources cover the grant.
        """
        named = self.allowed_among(actions)
        if self.bounded:
            inside: set[str] = set()
            for _, names in self._ceiling_sets:
                inside |= named & names
            named = inside
        denied: set[str] = set()
        for deny, names in self._deny_sets:
            if not deny.conditions:  # a conditional Deny narrows a grant, it never removes it
                denied |= named & names
        return (named - denied) | {a for a in denied if self.grants(a)}

    def allowed_among(self, actions: frozenset[str]) -> set[str]:
        """The members of ``actions`` that some identity Allow names: a cheap pre-filter.

        (No union of every expansion: an attached ReadOnlyAccess alone expands to thousands.)
        """
        found: set[str] = set()
        for _, _, names in self._allow_sets:
            found |= actions & names  # C-level: iterates the smaller of the two sets
        return found

    @staticmethod
    def _apply_ceiling(action: str, src: Source, stmt: Statement, ceiling: list[Statement]) -> Grant:
        constraints = allow_constraints(stmt)
        resources, not_resource = stmt.resources, stmt.not_resource
        if ceiling:
            scoped = [c for c in ceiling if not c.not_resource and not any(effectively_star(r) for r in c.resources)]
            if len(scoped) == len(ceiling) and (not_resource or any(effectively_star(r) for r in resources)):
                resources, not_resource = tuple(r for c in scoped for r in c.resources), False
            common = None
            for c in ceiling:
                keys = allow_constraints(c)
                common = dict(keys) if common is None else {k: v for k, v in common.items() if k in keys}
            for key, values in (common or {}).items():
                constraints.setdefault(key, values)
        return Grant(action, src, stmt, resources, not_resource, constraints)

    @staticmethod
    def _apply_denies(grant: Grant, denies: list[Statement]) -> Grant | None:
        for deny in denies:
            if not resources_covered(deny, grant.resources, grant.not_resource):
                continue
            if not deny.conditions:
                return None
            for key, values in deny_constraints(deny).items():
                grant.constraints.setdefault(key, values)
        return grant
