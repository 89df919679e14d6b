"""Effective permissions of one principal.

The union of every identity Allow reaching the principal, limited by its permission boundary
(a ceiling: an action outside it is not granted, and the boundary's resource scope and
narrowing conditions carry over), minus explicit Denies from either side.

A Deny removes a grant when it always applies: no condition, or one that every request from the
as-of date on satisfies (:func:`~generator.analysis.conditions.always_true`). Denies whose
condition is a negated narrowing key (``Deny iam:CreateRole if iam:PermissionsBoundary !=
X``) do not remove the grant; they add the constraint to it. Any other conditional Deny leaves
the grant as it is. A statement whose condition can never hold
(:func:`~generator.analysis.conditions.never_true`: ``DateLessThan aws:CurrentTime`` a past date,
``StringEquals`` on no values, ...) grants or denies nothing: it does not enter the set at all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from generator.analysis.arn import covers, effectively_star
from generator.analysis.conditions import (CLOCK_KEYS, allow_constraints, always_true, as_of_instant, deny_constraints,
                                           never_true)
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


def _reads_clock(stmt: Statement) -> bool:
    return any(c.key_lower in CLOCK_KEYS for c in stmt.conditions)


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
                 unknown_managed: tuple[str, ...] = (), as_of: date | datetime | None = None) -> None:
        """``as_of`` is the day (or instant) conditions on the request time are judged at: the
        run's as-of date when it has one, else now."""
        self.as_of = as_of_instant(as_of)
        everything = [(src, s) for src, p in identity + (boundary or []) for s in p.statements]
        # Statements no request can satisfy: they grant, cap and deny nothing.
        self.closed = [(src, s) for src, s in everything if s.conditions and self._never(s)]
        dead = {id(s) for _, s in self.closed}
        self.allows = [(src, s) for src, p in identity for s in p.statements
                       if s.effect == "Allow" and id(s) not in dead]
        self.denies = [(src, s) for src, p in identity + (boundary or []) for s in p.statements
                       if s.effect == "Deny" and id(s) not in dead]
        self.bounded = boundary is not None
        self.ceiling = [(src, s) for src, p in (boundary or []) for s in p.statements
                        if s.effect == "Allow" and id(s) not in dead]
        self.unknown_managed = unknown_managed
        self._cache: dict[str, tuple[Grant, ...]] = {}
        # Each statement's expansion, looked up once: grants() scans them for every action asked.
        self._allow_sets = [(src, s, s.expanded()) for src, s in self.allows]
        self._ceiling_sets = [(s, s.expanded()) for _, s in self.ceiling]
        self._deny_sets = [(s, s.expanded()) for _, s in self.denies]
        # The Denies that remove what they name (no condition, or one that always holds).
        self._removing = [(src, s, s.expanded()) for src, s in self.denies if self.always_applies(s)]
        self._removing_ids = frozenset(id(s) for _, s, _ in self._removing)
        self._denied: dict[int, frozenset[str]] = {}

    def _never(self, stmt: Statement) -> bool:
        if stmt.memo("_reads_clock", _reads_clock):
            return never_true(stmt.conditions, self.as_of)
        # Without the clock the answer is the same on any day: kept on the statement.
        return stmt.memo("_never_true", lambda s: never_true(s.conditions, self.as_of))

    def always_applies(self, deny: Statement) -> bool:
        """True when ``deny`` applies to every request: no condition, or one that always holds."""
        if not deny.conditions:
            return True
        if deny.memo("_reads_clock", _reads_clock):
            return always_true(deny.conditions, self.as_of)
        return deny.memo("_always_true", lambda s: always_true(s.conditions, self.as_of))

    def denied(self, stmt: Statement, actions: frozenset[str] | None = None) -> frozenset[str]:
        """The actions of Allow ``stmt`` (of ``actions`` when given) that a Deny which always applies
        takes away on every resource ``stmt`` names: what the statement no longer grants.

        A Deny scoped to some of the statement's resources, or with a condition that does not
        always hold, takes nothing away here (the grant still reaches something).
        """
        if not self._removing:
            return frozenset()
        key = id(stmt)
        full = self._denied.get(key)
        if full is None:
            names = stmt.expanded()
            full = frozenset().union(*(names & deny_names for _, deny, deny_names in self._removing
                                       if resources_covered(deny, stmt.resources, stmt.not_resource)))
            self._denied[key] = full
        return full if actions is None else full & actions

    def remaining(self, stmt: Statement, actions: frozenset[str] | None = None) -> frozenset[str]:
        """The actions of Allow ``stmt`` (of ``actions`` when given) that no Deny takes away."""
        names = stmt.expanded() if actions is None else actions
        return names - self.denied(stmt, names)

    def denied_by(self, stmt: Statement, actions: frozenset[str] | None = None) -> list[str]:
        """Where the Denies that take actions of ``stmt`` away are: ``source statement`` each."""
        names = stmt.expanded() if actions is None else actions
        return [f"{src.key} {deny.path}" for src, deny, deny_names in self._removing
                if names & deny_names and resources_covered(deny, stmt.resources, stmt.not_resource)]

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
            grant = self._apply_denies(grant, denies, self._removing_ids)
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
        adds constraints); those an unconditional Deny (or one whose condition always holds) names
        go through :meth:`grants`, which decides whether the Deny's resources cover the grant.
        """
        named = self.allowed_among(actions)
        if self.bounded:
            inside: set[str] = set()
            for _, names in self._ceiling_sets:
                inside |= named & names
            named = inside
        denied: set[str] = set()
        for _, _, names in self._removing:  # any other Deny narrows a grant, it never removes it
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
    def _apply_denies(grant: Grant, denies: list[Statement], removing: frozenset[int]) -> Grant | None:
        for deny in denies:
            if not resources_covered(deny, grant.resources, grant.not_resource):
                continue
            if id(deny) in removing:  # no condition, or one that always holds
                return None
            for key, values in deny_constraints(deny).items():
                grant.constraints.setdefault(key, values)
        return grant
