"""Rule base classes: metadata as class attributes, ``check(ctx)`` yields findings.

Three shapes cover every family:

* :class:`Rule` looks at the spec model (``ctx.spec``) and yields findings at spec paths.
* :class:`DocumentRule` looks at one policy document at a time; it runs on the documents
  the generator builds from a spec *and* on raw JSON given to ``check-policy``.
* :class:`PrincipalRule` looks at a principal's effective permissions (a role or user in a
  spec, or one raw identity document standing for a principal in ``check-policy``).

Rules say *what* is wrong and at which path; the engine adds file, line and column.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from generator.findings import Finding, Severity

if TYPE_CHECKING:
    from generator.rules.context import Context, DocView, PrincipalView

# Catalogue grades (BLOCK, CRIT, HIGH, MED, LOW, INFO) to finding severities.
GRADES: dict[str, Severity] = {
    "BLOCK": Severity.ERROR,
    "CRIT": Severity.ERROR,
    "HIGH": Severity.ERROR,
    "MED": Severity.WARNING,
    "LOW": Severity.INFO,
    "INFO": Severity.INFO,
}


class Rule(ABC):
    """A spec rule. Subclasses set the metadata and implement :meth:`check`."""

    id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    grade: ClassVar[str] = "MED"  # the catalogue grade; ``severity`` follows from it
    rationale: ClassVar[str] = ""
    remediation: ClassVar[str] = ""
    references: ClassVar[tuple[str, ...]] = ()
    # What the rule judges, so each command runs exactly the rules that apply to its input:
    #   spec          a v1 account spec (`validate`, `generate`)
    #   document      raw policy documents (`check-policy`)
    #   account       a real account's documents and principals (`audit`: ``ctx.principals()`` are
    #                 its roles, users and groups, ``ctx.reachability()`` its graph, and
    #                 ``principal.role`` is None); a rule in this mode never reads ``ctx.spec``
    #   credentials   the rows of a credential report (`audit`)
    #   organization  an organisation spec
    modes: ClassVar[frozenset[str]] = frozenset({"spec"})
    phase: ClassVar[str] = "main"  # "post" rules run after the others and see ctx.findings
    # False for a rule whose finding AWS itself would reject at apply (a name, a size, a range):
    # an `exceptions:` entry cannot waive it, since waiving it would only move the failure to apply.
    waivable: ClassVar[bool] = True

    @property
    def family(self) -> str:
        return self.id.split("-")[0]

    @property
    def severity(self) -> Severity:
        return GRADES[self.grade]

    def finding(self, path: str, message: str, severity: Severity | None = None) -> Finding:
        """A finding of this rule at ``path`` (location is resolved by the engine)."""
        return Finding(rule_id=self.id, severity=severity or self.severity, message=message, path=path)

    @abstractmethod
    def check(self, ctx: Context) -> Iterator[Finding]:
        """Yield the findings of this rule for ``ctx``."""


class DocumentRule(Rule):
    """A rule on single policy documents of the listed ``kinds``: the documents a spec generates,
    raw files, and the documents of an account alike."""

    modes: ClassVar[frozenset[str]] = frozenset({"spec", "document", "account"})
    kinds: ClassVar[tuple[str, ...]] = ("identity", "boundary")

    def check(self, ctx: Context) -> Iterator[Finding]:
        for same in ctx.distinct_documents(self.kinds):
            results = tuple(self.check_document(same[0]))
            for doc in same if results else ():
                for path, message, *severity in results:
                    found = self.finding(doc.path_for(path), doc.describe(path, message), *severity)
                    yield found.with_location(doc.file, 0, 0) if doc.file else found

    @abstractmethod
    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        """Yield ``(document path, message)`` (optionally a third item, a Severity overriding
        the rule's), the path like ``Statement[2].Action``.

        Look only at ``doc.kind``, ``doc.policy``, ``doc.document`` and ``doc.text``: results are reused
        for every document with the same content (``Context.distinct_documents``)."""


class PrincipalRule(Rule):
    """A rule on each principal's effective permission set.

    A principal rule judges a principal from its permissions alone, so it holds for a spec's
    principals, a raw document and an account's principals alike (the default ``modes``); one
    that reads the spec leaves ``document`` out, and keeps ``account`` only when it reads nothing
    but what an account gives too (``principal.trust_document``, ``principal.arn``).
    """

    modes: ClassVar[frozenset[str]] = frozenset({"spec", "document", "account"})

    def check(self, ctx: Context) -> Iterator[Finding]:
        from generator.rules.helpers import accepted_by_kind

        for principal in ctx.principals():
            if accepted_by_kind(principal, self.id):
                continue  # the risk this privileged role's kind states: PRV-030 judges its controls
            file = principal.documents[0].file if principal.kind == "document" else ""
            for path, message, *severity in self.check_principal(principal):
                found = self.finding(path, message, *severity)
                yield found.with_location(file, 0, 0) if file else found

    @abstractmethod
    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        """Yield ``(path, message)`` or ``(path, message, severity)``; paths come from
        ``principal.where(...)`` or ``principal.path_of(...)``."""
