"""POL-009: no Allow with NotPrincipal or NotResource; Allow with NotAction is reviewed."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.helpers import unscoped
from generator.rules.base import DocumentRule
from generator.rules.context import DocView


class NegatedElements(DocumentRule):
    id = "POL-009"
    title = "No Allow with NotPrincipal / NotResource; review Allow with NotAction"
    grade = "HIGH"
    rationale = "Negated elements in an Allow grant everything not listed, including what AWS adds later."
    remediation = "Name what is allowed (Principal, Resource, Action) instead of what is not."
    references = ("Access Analyzer: Allow with NotPrincipal", "parliament NOTPRINCIPAL_WITH_ALLOW / NOTRESOURCE_WITH_ALLOW")
    kinds = ("identity", "trust")

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        for stmt in doc.policy.statements:
            if not stmt.allow:
                continue
            if stmt.not_principal:
                yield f"{stmt.path}.NotPrincipal", "Allow with NotPrincipal grants every principal not listed"
            if stmt.not_resource:
                yield f"{stmt.path}.NotResource", "Allow with NotResource grants every resource not listed"
            if stmt.not_action and unscoped(stmt):
                yield f"{stmt.path}.NotAction", "Allow with NotAction on every resource grants every action not listed"
