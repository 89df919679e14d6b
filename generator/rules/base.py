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
    modes: ClassVar[frozenset[str]] = frozenset({"spec"})  # spec and/or document
    # True for a rule that also holds for the principals of a real account (``iamforge audit``
    # runs it on an account-mode context: ``ctx.principals()`` are the account's roles, users and
    # groups, ``ctx.reachability()`` its graph, and ``principal.role`` is None there).
    account_principals: ClassVar[bool] = False
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
    """A rule on single policy documents of the listed ``kinds``."""

    modes: ClassVar[frozenset[str]] = frozenset({"spec", "document"})
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

    A principal rule that runs in document mode judges a principal from its permissions alone, so
    it holds for an account's principals too; one that reads the spec says so by leaving
    ``document`` out of ``modes``, and opts in to the audit with ``account_principals = True``
    once it also reads what an account gives (``principal.trust_document``, ``principal.arn``).
    """

    modes: ClassVar[frozenset[str]] = frozenset({"spec", "document"})

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
