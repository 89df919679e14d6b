"""What the audit's rules see: a real account's principals with their effective permissions.

The PRV and PB rules take :class:`~generator.rules.context.PrincipalView` objects; here they
are built from authorization details instead of a spec: inline policies, attached customer
and AWS managed policies (the documents the details' ``Policies`` list holds, else the
curated copies in ``generator/analysis``), the groups of a user, and the boundary.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from generator.analysis.arn import effectively_star, glob_match, has_wildcard
from generator.analysis.document import Policy, normalize
from generator.analysis.effective import PermissionSet, Source
from generator.analysis.escalation import IAM_KINDS
from generator.analysis.managed import is_aws_managed, lookup
from generator.audit.credentials import CredentialRow
from generator.audit.details import AccountDetails, Principal
from generator.rules.context import Context, DocView, PrincipalView


@dataclass(frozen=True)
class AuditOptions:
    """Thresholds of the audit, in days, and the date it is judged at."""

    as_of: datetime
    max_key_age: int = 90
    max_unused: int = 90
    stale_days: int = 90

    @staticmethod
    def at(day: date | None = None, **kw: int) -> "AuditOptions":
        """Options judged at the end of ``day`` (UTC; today when None)."""
        if day is None:
            return AuditOptions(datetime.now(timezone.utc), **kw)
        return AuditOptions(datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=timezone.utc), **kw)


@dataclass
class AccountTargets:
    """Escalation targets in a real account (the counterpart of ``SpecTargets``).

    A role, user or group pattern is closed when every existing principal it matches is
    bounded like the actor (the actor's own boundary, or any boundary for an unbounded
    actor) and the pattern does not name every principal of that kind; a policy pattern is
    closed unless it reaches a policy attached to the actor or used as a boundary.
    """

    details: AccountDetails
    actor: Principal
    own_policies: tuple[str, ...] = ()
    boundary_policies: tuple[str, ...] = ()

    def closed(self, resource: str, kind: str) -> bool:
        if kind == "self":
            # Before the wildcard test: ``role/*`` can never name a user's own entity.
            return not glob_match(resource, self.actor.arn)
        if kind in IAM_KINDS and effectively_star(resource):
            return False
        if kind == "policy":
            return not any(glob_match(resource, arn) for arn in (*self.own_policies, *self.boundary_policies))
        if kind in ("role", "user", "group"):
            pool = {"role": self.details.roles, "user": self.details.users, "group": self.details.groups}[kind]
            matched = [p for p in pool.values() if glob_match(resource, p.arn)]
            if self.actor.boundary is None:
                return all(p.boundary is not None for p in matched)
            return all(p.boundary == self.actor.boundary for p in matched)
        return not has_wildcard(resource)


@dataclass
class AuditContext(Context):
    """A context over a real account: documents from the details, principals from the account."""

    details: AccountDetails | None = None
    credentials: list[CredentialRow] = field(default_factory=list)
    options: AuditOptions = field(default_factory=lambda: AuditOptions.at())
    credentials_file: str = ""

    @property
    def mode(self) -> str:
        return "account"

    def principals(self) -> list[PrincipalView]:
        if not hasattr(self, "_principals"):
            # Never later than today: a later --as-of ages keys and passwords, it must not close a
            # grant whose condition still holds now (DateLessThan aws:CurrentTime next year).
            as_of = min(self.options.as_of.date(), date.today())
            self._principals = account_principals(self.details, as_of) if self.details else []
        return self._principals

    def _build_reachability(self) -> Any:
        """The account's graph: trust policies as read, and the compute resources when they were
        read (``--from-aws``); without them, code on a named resource runs as an unknown role."""
        from generator.analysis.reachability import Graph, Node, trust_of_document

        details = self.details
        if details is None:
            return Graph([], "")
        nodes = []
        for view in self.principals():
            trust = trust_of_document(view.trust_document) if view.kind == "role" else None
            attached = tuple(a for a in view.managed_policies if not is_aws_managed(a))
            nodes.append(Node(view.path, view.kind, view.arn, view, trust, attached, view.boundary))
        return Graph(nodes, details.account_id, details.compute, infer_compute=True)


def policy_document(details: AccountDetails, arn: str) -> Policy | None:
    """A managed policy's normalized document: from the details, else the curated AWS copy."""
    entry = details.policies.get(arn)
    if entry is not None and entry.document is not None:
        return normalize(entry.document)
    known = lookup(arn)
    return known.policy if known is not None else None


def _sources(details: AccountDetails, owner: Principal, prefix: str,
             unknown: list[str]) -> list[tuple[Source, Policy]]:
    out = [(Source(f"{owner.key} inline {p.name}", f"{prefix}/inline/{p.name}"), normalize(p.document))
           for p in owner.inline]
    for arn in owner.attached:
        policy = policy_document(details, arn)
        if policy is None:
            unknown.append(arn)
            continue
        # AWS managed policies are judged as attachments (ACCT-002, like PRV-004 in a spec), not statement
        # by statement; they still count fully in the effective permissions and escalation paths.
        kind = "managed" if is_aws_managed(arn) else "identity"
        out.append((Source(arn, f"{prefix}/attached/{arn.rsplit('/', 1)[-1]}", kind), policy))
    return out


def account_principals(details: AccountDetails, as_of: date | None = None) -> list[PrincipalView]:
    """Every role, user and group of the account with its effective permission set."""
    boundary_arns = tuple(sorted({p.boundary for p in details.principals() if p.boundary}))
    out = []
    for principal in details.principals():
        if principal.service_linked:
            continue  # AWS owns service-linked roles: nobody in the account can change them
        unknown: list[str] = []
        sources = _sources(details, principal, principal.key, unknown)
        reach = [principal.attached]
        for group_name in principal.groups:
            group = details.groups.get(group_name)
            if group is not None:
                sources += _sources(details, group, f"{principal.key}/group/{group.name}", unknown)
                reach.append(group.attached)
        boundary = None
        if principal.boundary:
            bpolicy = policy_document(details, principal.boundary)
            if bpolicy is None:
                unknown.append(principal.boundary)
            else:
                boundary = [(Source(principal.boundary, f"{principal.key}/boundary", "boundary"), bpolicy)]
        attached = tuple(a for arns in reach for a in arns)
        targets = AccountTargets(details, principal, attached, boundary_arns)
        pset = PermissionSet(sources, boundary, tuple(a for a in unknown if is_aws_managed(a)), as_of=as_of)
        out.append(PrincipalView(principal.kind, principal.name, principal.key, pset, targets,
                                 boundary=principal.boundary, managed_policies=attached, arn=principal.arn,
                                 trust_document=principal.trust))
    return out


def account_documents(details: AccountDetails) -> list[tuple[str, DocView]]:
    """Every policy document of the account that the account owns, with its finding path prefix.

    Inline and trust policies belong to their principal; a customer managed policy is checked
    once, at ``policy/<name>``. AWS managed policies are AWS's to fix and are left out.
    """
    used_as_boundary = {p.boundary for p in details.principals() if p.boundary}
    attached = {a for p in details.principals() for a in p.attached}
    out: list[tuple[str, DocView]] = []
    for principal in details.principals():
        if principal.service_linked:
            continue
        for p in principal.inline:
            prefix = f"{principal.key}/inline/{p.name}"
            out.append((prefix, DocView(prefix, "identity", p.name, "", p.document)))
        if principal.kind == "role" and principal.trust is not None:
            prefix = f"{principal.key}/trust"
            out.append((prefix, DocView(prefix, "trust", principal.name, "", principal.trust)))
    for arn, policy in sorted(details.policies.items()):
        if policy.aws_managed or policy.document is None:
            continue
        kind = "boundary" if arn in used_as_boundary and arn not in attached else "identity"
        prefix = f"policy/{policy.name}"
        out.append((prefix, DocView(prefix, kind, policy.name, "", policy.document, managed=True)))
    return out


def audit_context(details: AccountDetails | None, credentials: list[CredentialRow] | None,
                  options: AuditOptions, credentials_file: str = "",
                  documents: list[DocView] | None = None) -> AuditContext:
    """An account-mode context (``documents`` empty unless a rule run needs them)."""
    return AuditContext(spec=None, documents=documents or [], today=options.as_of.date(), details=details,
                        credentials=list(credentials or []), options=options, credentials_file=credentials_file)


def principal_of(path: str) -> str:
    """The principal a finding path belongs to: ``role/x/inline/p`` -> ``role/x``."""
    parts = path.split("/")
    return "/".join(parts[:2]) if len(parts) >= 2 else (path or "account")


