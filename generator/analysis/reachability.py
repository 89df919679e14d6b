"""Who can become whom: a reachability graph over the principals of a spec or of an account.

An edge ``A -> R`` says that principal ``A`` can act as role ``R``:

* ``R``'s trust policy names ``A``'s ARN (same account: no identity grant is needed on ``A``'s
  side), or names the account and ``A`` has an identity ``sts:AssumeRole`` grant on ``R``;
* ``A`` can rewrite ``R``'s trust policy (``iam:UpdateAssumeRolePolicy`` on ``R``: it names
  itself and assumes ``R``, no ``sts`` grant needed);
* ``A`` can pass ``R`` to a compute service ``R`` trusts and run code there (an escalation method of
  ``escalation_methods.yaml`` with ``iam:PassRole``, every other action granted);
* ``A`` can change code that already runs as ``R`` (``lambda:UpdateFunctionCode`` on a function
  whose role is ``R``, ...): precise when the account's compute resources are known
  (:class:`ComputeIndex`, ``audit --from-aws``), otherwise an :class:`Unknown` target whose
  candidates are the roles the service could run as.

A principal that reaches an administrator (effective ``*`` on ``*``), a principal that can escalate
(PRV-005), or an unbounded principal whose permissions some reachable principal can rewrite
(``iam:CreatePolicyVersion`` on a policy attached to it, ``iam:PutRolePolicy`` on it, ...) holds in
effect what that principal holds: :meth:`Graph.reach` names the chain.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Callable

from generator.analysis.arn import ArnIndex, glob_match, has_wildcard, parse_arn
from generator.analysis.catalog import catalog
from generator.analysis.conditions import service_allowed
from generator.analysis.document import normalize
from generator.analysis.effective import Grant, PermissionSet
from generator.analysis.escalation import (
    RESOURCE_KINDS,
    TAG_MATCH,
    Escalation,
    Method,
    applies_to,
    find_escalations,
    methods,
)

ASSUME = "sts:assumerole"
# The service principal whose roles run each kind of existing compute resource.
SERVICE_OF_KIND = {
    "function": "lambda.amazonaws.com", "instance": "ec2.amazonaws.com", "launchtemplate": "ec2.amazonaws.com",
    "stack": "cloudformation.amazonaws.com", "stackset": "cloudformation.amazonaws.com",
    "notebook": "sagemaker.amazonaws.com", "devendpoint": "glue.amazonaws.com", "job": "glue.amazonaws.com",
    "project": "codebuild.amazonaws.com", "task": "ecs-tasks.amazonaws.com",
    "service": "tasks.apprunner.amazonaws.com", "codeinterpreter": "bedrock-agentcore.amazonaws.com",
    "pipeline": "datapipeline.amazonaws.com",
}
# Actions that rewrite a principal's permissions, by the kind of resource they name.
REWRITE = {
    "role": ("iam:attachrolepolicy", "iam:putrolepolicy"),
    "user": ("iam:attachuserpolicy", "iam:putuserpolicy"),
    "policy": ("iam:createpolicyversion", "iam:setdefaultpolicyversion"),
}

PASSROLE = frozenset({"iam:passrole"})
# Taking over a user: a key of one's own for it, or its console password.
TAKEOVER = ("iam:createaccesskey", "iam:createloginprofile", "iam:updateloginprofile")
REWRITE_ACTIONS = frozenset(a for actions in REWRITE.values() for a in actions)


def escalations_of(view: Any) -> list[Escalation]:
    """PRV-005's escalations of a principal view, without methods that cannot apply to its kind."""
    return find_escalations(view.permissions, view.targets, view.kind)


def is_admin(permissions: PermissionSet) -> bool:
    """Effective ``*`` on ``*`` without a narrowing condition (after boundary and Denies)."""
    return any(g.statement.every_action and g.unscoped and not g.constraints
               for g in permissions.grants("iam:createaccesskey"))


@dataclass(frozen=True)
class TrustFacts:
    """Who a trust policy lets call ``sts:AssumeRole``: AWS principals as written, and services."""

    aws: tuple[str, ...] = ()
    services: tuple[str, ...] = ()


def trust_of_document(document: Any) -> TrustFacts:
    """The Allow ``sts:AssumeRole`` principals of a trust policy (conditions are not judged: a
    same-account caller can usually meet them, and TRU rules judge them)."""
    if not isinstance(document, dict):
        return TrustFacts()
    aws: list[str] = []
    services: list[str] = []
    for stmt in normalize(document).statements:
        # NotAction is expanded (NotAction sts:TagSession allows sts:AssumeRole); NotPrincipal in an
        # Allow is not judged here (TRU-008 refuses it in what iamforge generates).
        if stmt.effect != "Allow" or stmt.not_principal or ASSUME not in stmt.expanded():
            continue
        for kind, value in stmt.principals:
            if kind == "*" or (kind == "AWS" and value == "*"):
                aws.append("*")
            elif kind == "AWS":
                aws.append(value)
            elif kind == "Service":
                services.append(value)
    return TrustFacts(tuple(aws), tuple(services))


@dataclass
class ComputeIndex:
    """Compute resources of the account and the role each runs as, for the kinds that were read.

    ``roles[kind]`` maps resource ARNs to role ARNs; a kind missing from ``roles`` was not read.
    """

    roles: dict[str, dict[str, str]] = field(default_factory=dict)
    regions: frozenset[str] = frozenset()  # the regions read; empty: every region (a test's own index)

    def known(self, kind: str) -> bool:
        return kind in self.roles

    def covers(self, resource: str) -> bool:
        """True when ``resource`` (an ARN) lies in a region that was read: a function in a region the
        audit did not list is not absent, it is unknown."""
        parts = resource.split(":")
        return not self.regions or len(parts) < 4 or parts[3] in self.regions or parts[3] == ""

    def matching(self, kind: str, patterns: list[str]) -> list[tuple[str, str]]:
        return sorted((arn, role) for arn, role in self.roles.get(kind, {}).items()
                      if any(glob_match(p, arn) for p in patterns))


@dataclass
class Node:
    """A principal in the graph: ``view`` is the rules' :class:`PrincipalView`."""

    key: str  # role/<name>, user/<name>, group/<name>
    kind: str
    arn: str
    view: Any
    trust: TrustFacts | None = None  # roles
    attached: tuple[str, ...] = ()  # customer managed policy ARNs attached to it (its groups' for a user)
    boundary: str | None = None


@dataclass(frozen=True)
class Step:
    """One edge: ``target`` reached, and how (for the message)."""

    target: str
    how: str


@dataclass(frozen=True)
class Unknown:
    """Code that runs as a role the inputs do not name (``resource`` of ``kind``)."""

    resource: str
    kind: str
    method: Method
    action: str
    candidates: tuple[str, ...]  # node keys of the roles the service could run it as


@dataclass(frozen=True)
class Reach:
    """A chain from an actor to a privileged principal."""

    chain: tuple[str, ...]  # node keys, actor first
    steps: tuple[Step, ...]
    what: str  # admin | escalates (<method>) | permissions rewritable by ...

    def describe(self) -> str:
        return f"{' -> '.join(self.chain)} ({self.what})"

    def detail(self) -> str:
        return "; ".join(f"{s.target}: {s.how}" for s in self.steps)


def open_grant(permissions: PermissionSet, action: str, arn: str, service: str | None = None) -> Grant | None:
    """A grant of ``action`` reaching ``arn`` without a narrowing condition (a PassRole grant
    whose ``iam:PassedToService`` admits ``service`` counts)."""
    for grant in permissions.grants(action):
        constraints = dict(grant.constraints)
        if service is not None:
            if not service_allowed(constraints, service):
                continue
            constraints.pop("iam:passedtoservice", None)
        if constraints:
            continue
        if grant.not_resource:
            if not any(glob_match(r, arn) for r in grant.resources):
                return grant
        elif any(glob_match(r, arn) for r in grant.resources):
            return grant
    return None


def _usable(permissions: PermissionSet, action: str) -> Grant | None:
    """Some grant of ``action`` that no narrowing condition closes (the caller's own new
    resource: a tag match narrows nothing)."""
    for grant in permissions.grants(action):
        constraints = {k: v for k, v in grant.constraints.items() if k != TAG_MATCH}
        if not constraints:
            return grant
    return None


def _patterns(permissions: PermissionSet, action: str) -> list[str]:
    out: list[str] = []
    for grant in permissions.grants(action):
        if grant.constraints:
            continue
        out.extend(("*",) if grant.not_resource else grant.resources)
    return out


class Graph:
    """The reachability graph of one spec or account.

    Args:
        nodes: every role, user and group.
        account_id: the account; trust naming another account's principals is not followed.
        compute: the compute resources read from the account, or None (a spec: none are known).
        infer_compute: report :class:`Unknown` targets for compute whose role is not known.
        designed: ``designed(actor, role_arn)``: an assumption the spec builds on purpose (a
            department's users assuming its MFA human roles), not followed.
    """

    def __init__(self, nodes: list[Node], account_id: str, compute: ComputeIndex | None = None,
                 infer_compute: bool = False, designed: Callable[[Node, str], bool] | None = None) -> None:
        self.nodes = {n.key: n for n in nodes}
        self.account_id = account_id
        self.compute = compute or ComputeIndex()
        self._rewrites: dict[str, list[Step]] = {}
        self.infer_compute = infer_compute
        self.designed = designed or (lambda _actor, _arn: False)
        self.roles = [n for n in nodes if n.kind == "role"]
        self._by_name = {n.arn.rsplit("/", 1)[-1]: n for n in self.roles}
        self._order = {n.key: i for i, n in enumerate(self.roles)}
        self._roles_by_arn = ArnIndex((n.arn, n) for n in self.roles)
        self._trusting: dict[str, list[Node]] = {}  # principal ARN -> roles whose trust names it
        self._trusting_all: list[Node] = []  # roles trusting "*"
        for role in self.roles:
            for p in role.trust.aws if role.trust else ():
                if p == "*":
                    self._trusting_all.append(role)
                    continue
                named = self._role_by_arn(p)
                for spelled in {p, named.arn} if named is not None else {p}:
                    self._trusting.setdefault(spelled, []).append(role)
        self._edges: dict[str, list[Step]] = {}
        self._unknown: dict[str, list[Unknown]] = {}
        self._privilege: dict[str, str | None] = {}
        self._searched: dict[str, tuple[dict[str, tuple[str, Step] | None], list[str]]] = {}

    # -- edges -------------------------------------------------------------------------------

    def _role_by_arn(self, arn: str) -> Node | None:
        parsed = parse_arn(arn)
        if parsed is None or parsed.account != self.account_id:
            return None
        resource = parsed.resource
        if parsed.service == "sts" and resource.startswith("assumed-role/"):
            return self._by_name.get(resource.split("/")[1])
        if parsed.service == "iam" and resource.startswith("role/"):
            return self._by_name.get(resource.rsplit("/", 1)[-1])
        return None

    def _named_by_trust(self, actor: Node, trust: TrustFacts) -> tuple[bool, bool]:
        """(the trust names ``actor`` itself or everyone, the trust names ``actor``'s account)."""
        root = f"arn:aws:iam::{self.account_id}:root"
        direct = account = False
        for p in trust.aws:
            if p == "*":
                direct = True
            elif p in (root, self.account_id) or p.replace(":aws-cn:", ":aws:").replace(":aws-us-gov:", ":aws:") == root:
                account = True
            elif p == actor.arn:
                direct = True
            elif actor.kind == "role" and self._role_by_arn(p) is actor:
                direct = True  # the role by another spelling (path left out, a session ARN)
        return direct and actor.kind in ("role", "user"), account

    def edges(self, key: str) -> list[Step]:
        """Every role ``key`` can act as directly, once each (the first way found)."""
        if key in self._edges:
            return self._edges[key]
        actor = self.nodes[key]
        pset = actor.view.permissions
        found: dict[str, Step] = {}
        passers = self._passrole_methods(pset)
        for role in self._candidates(actor, pset, bool(passers)):
            step = self._step(actor, role, pset, passers)
            if step is not None:
                found.setdefault(role.key, step)
        for step in self._compute_steps(actor, pset) + self._takeover_steps(actor, pset):
            if step.target != key:
                found.setdefault(step.target, step)
        self._edges[key] = list(found.values())
        return self._edges[key]

    def _takeover_steps(self, actor: Node, pset: PermissionSet) -> list[Step]:
        """Users ``actor`` can become by making their credentials: an access key, or a password."""
        if not pset.allowed_among(frozenset(TAKEOVER)):
            return []
        steps = []
        for user in (n for n in self._users if n.key != actor.key):
            for action in TAKEOVER:
                grant = open_grant(pset, action, user.arn)
                if grant is not None:
                    steps.append(Step(user.key, f"{action_name(action)} in {grant.location}: makes its credentials, "
                                                "then signs in as it"))
                    break
        return steps

    def _candidates(self, actor: Node, pset: PermissionSet, passes: bool) -> list[Node]:
        """Roles an edge from ``actor`` may lead to: those whose trust names it (or everyone), and
        those its sts:AssumeRole, iam:UpdateAssumeRolePolicy and iam:PassRole grants name. Looked
        up by ARN, not by scanning every role for every actor (a spec may hold thousands)."""
        found: dict[str, Node] = {r.key: r for r in (*self._trusting.get(actor.arn, ()), *self._trusting_all)}
        for action in (ASSUME, "iam:updateassumerolepolicy", "iam:passrole") if passes else (ASSUME, "iam:updateassumerolepolicy"):
            for grant in pset.grants(action):
                if grant.not_resource:
                    found.update((r.key, r) for r in self.roles)
                    break
                for resource in grant.resources:
                    if has_wildcard(resource):
                        found.update((r.key, r) for r in self._roles_by_arn.matching(resource))
                        continue
                    role = self._role_by_arn(resource)
                    if role is not None:
                        found[role.key] = role
        return sorted((r for r in found.values() if r.key != actor.key and r.trust is not None),
                      key=lambda r: self._order[r.key])

    def _step(self, actor: Node, role: Node, pset: PermissionSet, passers: list[tuple[Method, str]]) -> Step | None:
        assert role.trust is not None
        direct, account = self._named_by_trust(actor, role.trust)
        designed = self.designed(actor, role.arn)
        if direct and not designed:
            return Step(role.key, f"its trust policy names {actor.key}")
        if account and not designed:
            grant = open_grant(pset, ASSUME, role.arn)
            if grant is not None:
                return Step(role.key, f"sts:AssumeRole in {grant.location}, and its trust policy names the account")
        grant = open_grant(pset, "iam:updateassumerolepolicy", role.arn)
        if grant is not None:
            return Step(role.key, f"iam:UpdateAssumeRolePolicy in {grant.location}: rewrites its trust policy "
                                  "to name itself, then assumes it")
        for method, others in passers:
            if method.passed_to_service not in role.trust.services:
                continue
            grant = open_grant(pset, "iam:passrole", role.arn, method.passed_to_service)
            if grant is not None:
                return Step(role.key, f"{method.id}: iam:PassRole in {grant.location} with {others}{method.reference()}")
        return None

    def _passrole_methods(self, pset: PermissionSet) -> list[tuple[Method, str]]:
        """Methods passing a role to a service whose every other action ``pset`` grants."""
        out: list[tuple[Method, str]] = []
        if not pset.allowed_among(PASSROLE):
            return out
        for method in methods():
            needed = [(a, k) for a, k in method.actions if a != "iam:passrole"]
            if not method.passed_to_service or len(needed) == len(method.actions):
                continue
            if all(_usable(pset, a) is not None for a, _ in needed):
                out.append((method, ", ".join(method.display(a) for a, _ in needed)))
        return out

    def _compute_methods(self) -> tuple[tuple[Method, str, str], ...]:
        """Methods that change code already running as a role: (method, first action, its kind)."""
        return _compute_methods()

    def _search(self, key: str) -> tuple[dict[str, tuple[str, Step] | None], list[str]]:
        if key not in self._searched:
            self._searched[key] = self._bfs(key)
        return self._searched[key]

    def _compute_steps(self, actor: Node, pset: PermissionSet) -> list[Step]:
        steps: list[Step] = []
        unknown: list[Unknown] = []
        self._unknown[actor.key] = unknown
        compute = self._compute_methods()
        if not pset.allowed_among(frozenset(a for m, _, _ in compute for a, _ in m.actions)):
            return steps
        for method, action, kind in compute:
            if not all(_usable(pset, a) is not None for a, _ in method.actions):
                continue
            patterns = [_patterns(pset, a) for a, k in method.actions if k == kind]
            if not all(patterns):
                continue
            unread = list(dict.fromkeys(patterns[0]))
            if self.compute.known(kind):
                for resource, role_arn in self.compute.matching(kind, patterns[0]):
                    if not all(any(glob_match(p, resource) for p in ps) for ps in patterns[1:]):
                        continue
                    role = self._role_by_arn(role_arn)
                    if role is not None:
                        steps.append(Step(role.key, f"{method.id}: {method.display(action)} on {resource}, which runs "
                                                    f"as it{method.reference()}"))
                unread = [r for r in unread if not self.compute.covers(r)]
            if self.infer_compute and unread:
                service = SERVICE_OF_KIND.get(kind)
                candidates = tuple(r.key for r in self.roles if r.trust is not None and service in r.trust.services
                                   and r.key != actor.key)
                for resource in unread:
                    if not has_wildcard(resource) and candidates:  # a wildcard is PRV-005's, at error
                        unknown.append(Unknown(resource, kind, method, method.display(action), candidates))
        return steps

    def unknown(self, key: str) -> list[Unknown]:
        self.edges(key)
        return self._unknown.get(key, [])

    @cached_property
    def _unbounded(self) -> tuple[Node, ...]:
        """The roles and users without a boundary: the only ones whose permissions a rewrite raises
        past a ceiling (listed once, not scanned again for every principal)."""
        return tuple(n for n in self.nodes.values() if n.kind in ("role", "user") and not n.boundary)

    @cached_property
    def _users(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes.values() if n.kind == "user")

    def rewrites(self, key: str) -> list[Step]:
        """Unbounded roles and users whose permissions ``key`` can rewrite (policy and inline writes)."""
        if key in self._rewrites:
            return self._rewrites[key]
        pset = self.nodes[key].view.permissions
        out: list[Step] = []
        self._rewrites[key] = out
        if not pset.allowed_among(REWRITE_ACTIONS):
            return out
        for node in self._unbounded:
            how = None
            for action in REWRITE[node.kind]:
                grant = open_grant(pset, action, node.arn)
                if grant is not None:
                    how = f"{action_name(action)} on {node.key} in {grant.location}"
                    break
            for policy in node.attached if how is None else ():
                for action in REWRITE["policy"]:
                    grant = open_grant(pset, action, policy)
                    if grant is not None:
                        how = f"{action_name(action)} on {policy} (attached to {node.key}) in {grant.location}"
                        break
                if how:
                    break
            if how:
                out.append(Step(node.key, how))
        return out

    # -- privilege ---------------------------------------------------------------------------

    def privilege(self, key: str) -> str | None:
        """``admin``, ``escalates (<method>)`` or None."""
        if key not in self._privilege:
            view = self.nodes[key].view
            what = None
            if is_admin(view.permissions):
                what = "admin"
            else:
                found = escalations_of(view)
                if found:
                    what = f"escalates: {found[0].method.id}"
            self._privilege[key] = what
        return self._privilege[key]

    def _bfs(self, key: str) -> tuple[dict[str, tuple[str, Step] | None], list[str]]:
        """Breadth first from ``key``: each reached node's predecessor and edge, and the order."""
        prev: dict[str, tuple[str, Step] | None] = {key: None}
        order = [key]
        queue = deque([key])
        while queue:
            here = queue.popleft()
            for step in self.edges(here):
                if step.target not in prev:
                    prev[step.target] = (here, step)
                    order.append(step.target)
                    queue.append(step.target)
        return prev, order

    @staticmethod
    def _chain(prev: dict[str, tuple[str, Step] | None], to: str, what: str, extra: Step | None = None) -> Reach:
        keys, steps = [to], []
        link = prev[to]
        while link is not None:
            parent, step = link
            steps.append(step)
            keys.append(parent)
            link = prev[parent]
        steps.reverse()
        return Reach(tuple(reversed(keys)), tuple(steps) + ((extra,) if extra else ()), what)

    def reach(self, key: str) -> Reach | None:
        """The shortest chain from ``key`` to an admin, else to a principal whose permissions a
        principal on the way can rewrite, else to an escalating principal; None when there is none."""
        prev, order = self._search(key)
        reached = order[1:]
        for target in reached:
            if self.privilege(target) == "admin":
                return self._chain(prev, target, "admin")
        for writer in order:
            for step in self.rewrites(writer):
                if step.target not in prev or (step.target == key and writer == key):
                    continue  # rewriting its own permissions is PRV-005's
                if step.target == key:
                    return self._chain(prev, writer, f"can rewrite the permissions of {key}",
                                       Step(key, f"rewritten by {writer}: {step.how}"))
                return self._chain(prev, step.target, f"permissions rewritable by {writer}",
                                   Step(step.target, f"rewritten by {writer}: {step.how}"))
        for target in reached:
            what = self.privilege(target)
            if what:
                return self._chain(prev, target, what)
        return None

    def unknown_reach(self, key: str) -> list[tuple[Reach, Unknown, tuple[str, ...]]]:
        """Compute that ``key`` (or a principal it reaches) can change, whose role is not known,
        and where a role the service could run it as is privileged: (chain to the principal that
        changes it, the resource, those privileged candidates)."""
        prev, order = self._search(key)
        out = []
        for node in order:
            for unknown in self.unknown(node):
                privileged = tuple(c for c in unknown.candidates if c != key and self.privilege(c))
                if privileged:
                    out.append((self._chain(prev, node, "unknown"), unknown, privileged))
        return out


@lru_cache(maxsize=1)
def _compute_methods() -> tuple[tuple[Method, str, str], ...]:
    """Methods that change code already running as a role, with no iam:PassRole and no IAM
    target: (method, its first action on an existing resource, that resource's kind)."""
    out = []
    for method in methods():
        kinds = {k for _, k in method.actions}
        if "iam:passrole" in {a for a, _ in method.actions} or not kinds & RESOURCE_KINDS:
            continue
        if kinds - RESOURCE_KINDS - {"new"}:
            continue
        action, kind = next((a, k) for a, k in method.actions if k in RESOURCE_KINDS)
        out.append((method, action, kind))
    return tuple(out)


def action_name(action: str) -> str:
    return catalog().display(action)
