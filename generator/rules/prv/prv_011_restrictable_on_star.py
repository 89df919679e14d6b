"""PRV-011: actions that accept resource ARNs should not be granted on "*"."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Severity
from generator.rules.base import PrincipalRule
from generator.rules.context import PrincipalView
from generator.rules.helpers import effective, hits, in_set, names, unconstrained


class RestrictableOnStar(PrincipalRule):
    id = "PRV-011"
    title = "Restrictable actions not on Resource \"*\""
    grade = "HIGH"  # an error for actions that change something; reads on "*" are warnings
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
            writes = frozenset(a for a in found if in_set(a, "mutating"))
            if writes:
                yield (where, f"{source.key} {stmt.path} grants actions that change resources on every resource, "
                              f"though they accept resource ARNs: {names(writes)}")
            if found - writes:
                yield (where, f"{source.key} {stmt.path} grants resource-scopable actions on every resource: "
                              f"{names(found - writes)}", Severity.WARNING)
