"""PRV-011: actions that accept resource ARNs should not be granted on "*"."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.catalog import catalog
from generator.findings import Severity
from generator.rules.base import PrincipalRule
from generator.rules.context import PrincipalView
from generator.rules.helpers import effective, hits, names, unconstrained


class RestrictableOnStar(PrincipalRule):
    id = "PRV-011"
    title = "Restrictable actions not on Resource \"*\""
    grade = "HIGH"  # an error where the action always names a resource; a warning where it may name none
    rationale = "When an action supports resource ARNs, \"*\" grants more than any job needs."
    remediation = "Replace \"*\" with the ARNs (or ARN patterns) of the resources used."
    references = ("checkov CKV_AWS_355, CKV_AWS_356", "parliament RESOURCE_STAR")

    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        for source, stmt in principal.statements():
            if stmt.not_action or stmt.every_action or not unconstrained(stmt):
                continue
            found = effective(principal, stmt, hits(stmt, "scopable"))
            if not found:
                continue
            where = principal.where(source, stmt, stmt.resource_key)
            cat = catalog()
            always = frozenset(a for a in found if cat.actions[a].resource_required)
            if always:
                yield (where, f"{source.key} {stmt.path} grants on every resource actions that always act on a named "
                              f"resource: {names(always)}")
            if found - always:
                yield (where, f"{source.key} {stmt.path} grants on every resource actions AWS lets name no resource: "
                              f"{names(found - always)}", Severity.WARNING)
