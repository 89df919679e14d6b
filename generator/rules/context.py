"""What rules see: the spec, the generated documents, and each principal's effective permissions.

The same rules run in two modes. In *spec* mode (``validate``) documents come from
``generator.policies.build`` and principals are the spec's roles and users. In *document*
mode (``check-policy``) every file is one document and every identity document stands for a
principal of its own, with nothing known about the account around it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from generator.analysis.document import Policy, Statement, normalize
from generator.analysis.effective import Grant, PermissionSet, Source
from generator.analysis.escalation import DocumentTargets, Targets
from generator.analysis.managed import lookup
from generator.findings import Finding
from generator.policies.document import PolicyDoc, TextFacts, text_facts
from generator.rules import suppress
from generator.spec.model import Department, Role, Spec, User


@dataclass
class DocView:
    """One policy document as rules see it."""

    key: str
    kind: str  # identity | boundary | trust | resource
    name: str
    spec_path: str  # spec mode: where findings go; document mode: ''
    document: Any
    file: str = ""
    managed: bool = False
    attachments: tuple = ()
    in_spec: bool = False
    built: PolicyDoc | None = field(default=None, repr=False)  # spec mode: the document as built

    @cached_property
    def policy(self) -> Policy:
        return normalize(self.document)

    def same_content(self, other: DocView) -> None:
        """Share ``other``'s normalized policy: both documents are the same JSON."""
        self.__dict__["policy"] = other.policy

    @cached_property
    def text(self) -> TextFacts:
        """What IAM sees of the document's JSON; in spec mode the built document's own, which the
        renderer reads too, so each document is encoded once."""
        return self.built.text if self.built is not None else text_facts(self.document)

    @property
    def content_key(self) -> bytes:
        """SHA-256 of the compact JSON: equal documents have equal keys."""
        return self.text.key

    @property
    def iam_size(self) -> int:
        """Characters IAM counts against its size quotas (no whitespace)."""
        return self.text.size

    def path_for(self, path: str) -> str:
        """The finding path: the spec path in spec mode, the JSON path in document mode."""
        return self.spec_path if self.in_spec else path

    def describe(self, path: str, message: str) -> str:
        """In spec mode name the generated document and statement, since the path cannot."""
        if self.in_spec:
            where = f"{path} of " if path else ""
            return f"{message} ({where}{self.kind} policy {self.name})"
        return message


@dataclass
class PrincipalView:
    """A role, user or department group (or, in document mode, one identity document) with its
    effective permissions."""

    kind: str  # role | user | group | document
    name: str
    path: str  # spec path ('' in document mode)
    permissions: PermissionSet
    targets: Targets
    documents: list[DocView] = field(default_factory=list)
    boundary: str | None = None
    managed_policies: tuple[str, ...] = ()
    role: Role | None = None
    user: User | None = None
    department: Department | None = None  # set for a department group
    arn: str = ""  # the principal's ARN (spec and account modes)
    trust_document: Any = None  # account mode: a role's trust policy as read from the account

    def path_of(self, grant: Grant | None = None, element: str = "") -> str:
        """Where a finding about ``grant`` goes: the principal in spec mode, the statement otherwise."""
        if self.path:
            return self.path
        if grant is None:
            return ""
        return f"{grant.statement.path}.{element}" if element else grant.statement.path

    def where(self, source: Source, stmt: Statement, element: str = "") -> str:
        """Path of a statement-level finding: the document's spec path (a managed policy's
        entry) in spec mode, ``Statement[i].Element`` in document mode."""
        if self.kind != "document":
            return source.path or self.path
        return f"{stmt.path}.{element}" if element else stmt.path

    def statements(self, include_managed: bool = False) -> list[tuple[Source, Statement]]:
        """Identity Allow statements reaching the principal (boundaries excluded). AWS managed
        policies are left out unless asked for: PRV-004/PRV-020 judge them as attachments."""
        return [(src, s) for src, s in self.permissions.allows if include_managed or src.kind != "managed"]

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}" if self.kind != "document" else "this policy"


@dataclass
class Context:
    """Everything a rule may look at."""

    spec: Spec | None
    documents: list[DocView]
    policies: Any = None  # generator.policies.PolicySet in spec mode
    today: date = field(default_factory=lambda: suppress.today())

    @property
    def as_of(self) -> date:
        """The day conditions on the request time are judged at: never later than today (a later
        ``--as-of`` is for exception expiry; it must not close a grant that is still live)."""
        return min(self.today, suppress.today())
    findings: list[Finding] = field(default_factory=list)  # for "post" rules
    # A member account's spec validated within its organisation: the SCPs and RCPs that reach
    # it (generator.analysis.guardrails.MemberScope); None for an account spec on its own.
    organization: Any = None
    # Documents by kind, then grouped by content: identical documents (every role's ABAC
    # policy, the MFA trust of many roles) are checked once and reported for each.
    _by_content: dict[str, list[list[DocView]]] = field(default_factory=dict, repr=False)
    _groups: list[tuple[str, list[DocView]]] = field(default_factory=list, repr=False)  # all kinds, in order

    def __post_init__(self) -> None:
        groups: dict[tuple[str, bytes], list[DocView]] = {}
        first: dict[bytes, DocView] = {}
        for doc in self.documents:
            seen = first.setdefault(doc.content_key, doc)
            if seen is not doc:
                doc.same_content(seen)
            group = groups.get((doc.kind, doc.content_key))
            if group is None:
                group = groups[(doc.kind, doc.content_key)] = []
                self._by_content.setdefault(doc.kind, []).append(group)
                self._groups.append((doc.kind, group))
            group.append(doc)

    def distinct_documents(self, kinds: tuple[str, ...]) -> list[list[DocView]]:
        """The documents of ``kinds`` in groups of equal content (the first of each group
        first), in document order: a document rule checks the first and reports on all.

        Document rules see only ``doc.kind`` and the document itself (``doc.policy``,
        ``doc.document``, ``doc.text``), so equal JSON gives equal results.
        """
        if len(kinds) == 1:
            return list(self._by_content.get(kinds[0], ()))
        return [group for kind, group in self._groups if kind in kinds]

    @property
    def mode(self) -> str:
        return "spec" if self.spec is not None else "document"

    def documents_of(self, *kinds: str) -> list[DocView]:
        return [d for d in self.documents if d.kind in kinds]

    def memo(self, name: str, build: Any) -> Any:
        """``build()``, once per context: what several rules share (the reachability graph)."""
        cache = self.__dict__.setdefault("_memo", {})
        if name not in cache:
            cache[name] = build()
        return cache[name]

    def reachability(self) -> Any:
        """Who can become whom among the spec's principals (:mod:`generator.analysis.reachability`)."""
        return self.memo("reachability", self._build_reachability)

    def _build_reachability(self) -> Any:
        from generator.analysis.reachability import Graph, Node, TrustFacts

        spec = self.spec
        if spec is None:
            return Graph([], "")
        own = f":{spec.account.id}:policy/"
        nodes = []
        for view in self.principals():
            trust = None
            if view.role is not None:
                trust = TrustFacts(tuple(view.role.trust.aws_principals), tuple(view.role.trust.services))
            attached = tuple(a for a in view.managed_policies if own in a)
            nodes.append(Node(f"{view.kind}/{view.name}", view.kind, view.arn, view, trust, attached, view.boundary))

        def designed(actor: Any, role_arn: str) -> bool:
            check = getattr(actor.view.targets, "designed_assumption", None)
            return bool(check and check(role_arn))

        return Graph(nodes, spec.account.id, designed=designed)

    def prepare(self) -> None:
        """Build now what the rules share and would otherwise build on first use: the principals
        and every document's normalized policy."""
        self.principals()
        for doc in self.documents:
            _ = doc.policy

    def principals(self) -> list[PrincipalView]:
        """Every principal, built once per context."""
        if not hasattr(self, "_principals"):
            self._principals = self._spec_principals() if self.spec is not None else self._document_principals()
        return self._principals

    def own_managed_policies(self) -> dict[str, DocView]:
        """The managed policies the spec generates, by ARN (spec mode; empty in document mode)."""
        if self.spec is None:
            return {}
        from generator.policies import mfa_policy_arn

        by_key = {d.key: d for d in self.documents}
        arns = {f"boundary.{k}": self.spec.boundary_arn(k) for k in self.spec.boundaries}
        arns["mfa.force_mfa"] = mfa_policy_arn(self.spec)
        return {arn: by_key[key] for key, arn in arns.items() if key in by_key and by_key[key].managed}

    def _document_principals(self) -> list[PrincipalView]:
        out = []
        for doc in self.documents_of("identity"):
            pset = PermissionSet([(Source(doc.file or doc.key, doc.file), doc.policy)], as_of=self.as_of)
            out.append(PrincipalView("document", doc.file or doc.key, "", pset, DocumentTargets(), [doc]))
        return out

    def _spec_principals(self) -> list[PrincipalView]:
        from generator.analysis.guardrails import askers, certain_scp_denies
        from generator.analysis.targets import SpecTargets, principal_index

        spec = self.spec
        assert spec is not None
        index = principal_index(spec)
        # One pass over the attachments (PolicySet.for_principal scans every document per call).
        identity: dict[tuple[str, str], list[DocView]] = {}
        boundaries: dict[tuple[str, str], DocView] = {}
        for doc in self.documents:
            for target in doc.attachments:
                if doc.kind == "identity":
                    identity.setdefault(tuple(target), []).append(doc)
                elif doc.kind == "boundary":
                    boundaries.setdefault(tuple(target), doc)
        memberships = getattr(self.policies, "memberships", {}) or {}
        own_managed = self.own_managed_policies()
        out = []
        # The ``privileged:`` roles are principals too (``role.privileged_kind`` says which kind).
        roles = [*spec.roles, *getattr(spec, "privileged_roles", ())]
        entries: list[tuple[str, Any]] = [("role", r) for r in roles] + [("user", u) for u in spec.users]
        for kind, obj in entries:
            groups = memberships.get(obj.name, ()) if kind == "user" else ()
            reach = [(kind, obj.name)] + [("group", g) for g in groups]
            docs = _unique(d for target in reach for d in identity.get(target, []))
            bdoc = boundaries.get((kind, obj.name))
            managed = tuple(getattr(obj, "managed_policies", ()))
            sources = [(Source(d.key, d.spec_path, "identity"), d.policy) for d in docs]
            unknown = []
            for i, arn in enumerate(managed):
                entry = lookup(arn)
                where = f"{obj.path}.managed_policies[{i}]"
                if entry is not None:
                    sources.append((Source(arn, where, "managed"), entry.policy))
                elif arn in own_managed:
                    # A policy the spec itself generates (a boundary, force-MFA): its statements are known.
                    sources.append((Source(own_managed[arn].key, where, "identity"), own_managed[arn].policy))
                    docs = _unique([*docs, own_managed[arn]])
                else:
                    unknown.append(arn)  # PRV-020 (or SPEC-019, for another account's ARN) reports it
            boundary = None
            if bdoc is not None:
                boundary = [(Source(bdoc.key, bdoc.spec_path, "boundary"), bdoc.policy)]
            iam_path = obj.iam_path
            actor = spec.arn("iam", f"{kind}{iam_path}{obj.name}")
            # Inside an organisation, what an SCP certainly denies this principal is never effective.
            who = askers(self.organization, spec.account.id, actor, obj if kind == "role" else None)
            sources += [(Source(f"SCP {key}", obj.path, "scp"), policy)
                        for key, policy in certain_scp_denies(self.organization, *who)]
            pset = PermissionSet(sources, boundary, tuple(unknown), as_of=self.as_of)
            targets = SpecTargets(spec, actor, obj.boundary, tuple(d.name for d in docs if d.managed), index,
                                  actor_department=obj.department)
            out.append(PrincipalView(kind, obj.name, obj.path, pset, targets, docs, obj.boundary, managed,
                                     role=obj if kind == "role" else None, user=obj if kind == "user" else None,
                                     arn=actor))
        for dept in spec.departments.values():
            group = self._group_principal(dept, identity.get(("group", dept.group_name), []), index)
            if group is not None:
                out.append(group)
        return out

    def _group_principal(self, dept: Department, docs: list[DocView], index: Any) -> PrincipalView | None:
        """The department group as a principal of its own: its documents, and no boundary.

        IAM attaches boundaries to users and roles, never to groups, so whoever joins the group
        (a user the spec lists, or one added later by hand) receives the group policy as written.
        Checking only the spec's members would leave a group without members unchecked.
        """
        from generator.analysis.targets import SpecTargets

        spec = self.spec
        assert spec is not None
        docs = _unique(docs)
        if not any(d.key == f"group.{dept.key}.permissions" for d in docs):
            return None  # only the shared force-MFA policy: its members are checked as users
        sources = [(Source(d.key, d.spec_path, "identity"), d.policy) for d in docs]
        actor = spec.arn("iam", f"group/{dept.group_name}")
        targets = SpecTargets(spec, actor, None, tuple(d.name for d in docs if d.managed), index,
                              actor_department=dept.key)
        return PrincipalView("group", dept.group_name, f"{dept.path}.permissions", PermissionSet(sources, as_of=self.as_of),
                             targets, docs, department=dept, arn=actor)


def _unique(docs: Any) -> list[DocView]:
    seen: dict[str, DocView] = {}
    for d in docs:
        seen.setdefault(d.key, d)
    return list(seen.values())


def spec_context(spec: Spec, policies: Any, today: date | None = None) -> Context:
    """A spec-mode context over the documents ``policies`` holds."""
    docs = [DocView(d.key, d.kind, d.name, d.spec_path or "", d.document, managed=d.managed,
                    attachments=tuple(d.attachments), in_spec=True, built=d) for d in policies.docs.values()]
    return Context(spec=spec, documents=docs, policies=policies, today=today or suppress.today())


def document_context(items: list[tuple[str, str, Any]]) -> Context:
    """A document-mode context: ``(file, kind, document)`` per raw policy."""
    docs = [DocView(key=file, kind=kind, name=file, spec_path="", document=doc, file=file) for file, kind, doc in items]
    return Context(spec=None, documents=docs)
