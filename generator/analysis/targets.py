"""Spec-aware escalation targets: which roles, users, groups and policies a resource pattern
reaches, and whether any of them could be more privileged than the acting principal."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from generator.analysis.arn import ArnIndex, effectively_star, glob_match, has_wildcard, parse_arn
from generator.analysis.escalation import IAM_KINDS
from generator.spec.model import Spec


@dataclass(frozen=True)
class Principal:
    """A role or user of the spec as an escalation target."""

    kind: str  # role | user | group
    arn: str
    boundary: str | None
    department: str


@dataclass
class SpecTargets:
    """Targets for one acting principal of a spec.

    A pattern is closed only when every spec principal it matches carries the actor's own
    boundary (any boundary, for an actor without one), and a wildcard pattern stays inside
    the IAM path of a department bounded that way (roles created there later are forced
    through it, PB-002). A wildcard that matches no spec principal is open: the account
    holds roles the spec does not describe.
    """

    spec: Spec
    actor_arn: str
    actor_boundary: str | None
    own_policy_names: tuple[str, ...] = ()
    principals: list[Principal] = field(default_factory=list)
    actor_department: str = ""

    def __post_init__(self) -> None:
        if not self.principals:
            self.principals = principal_index(self.spec)

    @cached_property
    def attached_policies(self) -> tuple[str, ...]:
        """ARNs of the managed policies the spec attaches: its own (boundaries, force-MFA) and the
        customer managed policies of this account that roles attach."""
        from generator.policies import protected_policy_arns

        own = f":{self.spec.account.id}:policy/"
        attached = {arn for role in self.spec.roles for arn in role.managed_policies if own in arn}
        return tuple(sorted(set(protected_policy_arns(self.spec)) | attached))

    def closed(self, resource: str, kind: str) -> bool:
        if kind == "self":
            # Before the wildcard test: ``role/*`` can never name a user's own entity.
            return not glob_match(resource, self.actor_arn)
        if kind in IAM_KINDS and effectively_star(resource):
            return False
        if kind == "assume":
            if self.designed_assumption(resource):
                return True
            kind = "role"
        if kind == "self":
            return not glob_match(resource, self.actor_arn)
        if kind == "policy":
            return self._policy_closed(resource)
        if kind in ("role", "user", "group"):
            return self._principal_closed(resource, kind)
        return not has_wildcard(resource)

    def closed_by_tag(self, resource: str, kind: str) -> bool:
        """Whether the spec principals of ``kind`` that ``resource`` matches and that carry the
        actor's department tag are all no more privileged than the actor. Principals outside
        the spec cannot carry the tag: only the IAM administrator sets it (TAG-003)."""
        tagged = [p for p in matching(self.principals, kind, resource)
                  if p.department == self.actor_department and p.arn != self.actor_arn]
        return all(self._not_above(p.boundary) for p in tagged)

    def _policy_closed(self, resource: str) -> bool:
        # A new default version of a policy attached to others is theirs to suffer: the boundaries
        # and force-MFA (everybody's), and any customer policy the spec attaches to a role.
        if any(glob_match(resource, arn) for arn in self.attached_policies):
            return False
        arn = parse_arn(resource)
        last = arn.resource.rsplit("/", 1)[-1] if arn else resource
        return not any(glob_match(last, name) for name in self.own_policy_names)

    def _principal_closed(self, resource: str, kind: str) -> bool:
        matched = [p for p in matching(self.principals, kind, resource) if p.arn != self.actor_arn]
        if not all(self._not_above(p.boundary) for p in matched):
            return False
        if not has_wildcard(resource):
            return True  # a spec principal checked above, or one named on purpose outside the spec
        # A pattern also reaches principals that exist outside the spec or are created later:
        # only a department path whose boundary caps them (PB-002 forces it) keeps it closed.
        return self._confined(resource, kind)

    def _not_above(self, boundary: str | None) -> bool:
        """A target with ``boundary`` cannot hold more than the actor: it carries the actor's
        own boundary, or any boundary when the actor has none to compare with."""
        if boundary is None:
            return False
        return self.actor_boundary is None or boundary == self.actor_boundary

    def _confined(self, resource: str, kind: str) -> bool:
        literal = resource.split("*", 1)[0].split("?", 1)[0]
        # A department's path is its key's segment right after ``<kind>/``: look that one up.
        base = self.spec.arn("iam", f"{kind}/")
        if literal.startswith(base):
            segment, slash, _ = literal[len(base):].partition("/")
            dept = self.spec.departments.get(segment) if slash else None
            if dept is not None and self._not_above(dept.boundary):
                return True
        if kind == "role":
            # Roles a delegate creates live under /<dept>/delegated/ and must carry the delegated
            # boundary (``<key>/delegated`` to PB-009, whose created role is the actor here).
            return any(self._not_above(boundary) and literal.startswith(prefix)
                       for prefix, boundary in self._delegated_paths)
        return False

    def designed_assumption(self, resource: str) -> bool:
        """True when a user (or the group) of a department assumes one of that department's
        human roles by name: the human path iamforge builds (``policies.human``), whose role is
        judged as a principal of its own."""
        if ":user/" not in self.actor_arn and ":group/" not in self.actor_arn:
            return False
        dept = self.spec.departments.get(self.actor_department)
        if dept is None or has_wildcard(resource):
            return False
        from generator.policies.human import human_roles, role_arns

        return resource in role_arns(self.spec, human_roles(self.spec, dept))

    _designed_assumption = designed_assumption  # the name PRV-005's callers knew

    @cached_property
    def _delegated_paths(self) -> tuple[tuple[str, str], ...]:
        """(ARN prefix of the roles a delegate may create, the boundary they are forced to carry)."""
        from generator.policies.delegation import delegated_path

        return tuple((self.spec.arn("iam", f"role{delegated_path(role)}"), f"{key}/delegated")
                     for key, roles in self.spec.delegates.items() for role in roles)


class PrincipalIndex(list):
    """:func:`principal_index`'s list, with a lookup by ARN pattern that reads only the ARNs sharing
    the pattern's literal start: judging every principal's escalations stays near linear in the
    size of the spec instead of matching each pattern against every principal."""

    def matching(self, kind: str, pattern: str) -> list[Principal]:
        by_kind = self.__dict__.setdefault("_sorted", {})
        if kind not in by_kind:
            by_kind[kind] = ArnIndex((p.arn, p) for p in self if p.kind == kind)
        return by_kind[kind].matching(pattern)


def matching(principals: list[Principal], kind: str, pattern: str) -> list[Principal]:
    """The principals of ``kind`` whose ARN ``pattern`` matches (an index, or any list)."""
    if isinstance(principals, PrincipalIndex):
        return principals.matching(kind, pattern)
    return [p for p in principals if p.kind == kind and glob_match(pattern, p.arn)]


def principal_index(spec: Spec) -> PrincipalIndex:
    """Every role, user and department group of ``spec`` with its ARN and boundary."""
    out = PrincipalIndex()
    for dept in spec.departments.values():
        for role in dept.roles.values():
            out.append(Principal("role", spec.arn("iam", f"role{role.iam_path}{role.name}"), role.boundary, dept.key))
        for user in dept.users:
            out.append(Principal("user", spec.arn("iam", f"user{user.iam_path}{user.name}"), user.boundary, dept.key))
        bounded = dept.boundary if dept.users and all(u.boundary == dept.boundary for u in dept.users) else None
        for path in (f"/{dept.key}/", "/"):
            out.append(Principal("group", spec.arn("iam", f"group{path}{dept.group_name}"), bounded, dept.key))
    return out
