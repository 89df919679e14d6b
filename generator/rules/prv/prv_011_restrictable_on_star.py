"""PRV-011: actions that accept resource ARNs should not be granted on "*"."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.base import PrincipalRule
from generator.rules.context import PrincipalView
from generator.rules.helpers import hits, names, unconstrained


class RestrictableOnStar(PrincipalRule):
    id = "PRV-011"
    title = "Restrictable actions not on Resource \"*\""
    grade = "LOW"
    rationale = "When an action supports resource ARNs, \"*\" grants more than any job needs."
    remediation = "Replace \"*\" with the ARNs (or ARN patterns) of the resources used."
    references = ("checkov CKV_AWS_355, CKV_AWS_356", "parliament RESOURCE_STAR")

    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        for source, stmt in principal.statements():
            if stmt.not_action or stmt.every_action or not unconstrained(stmt):
                continue
            found = hits(stmt, "scopable")
            if found:
                yield (principal.where(source, stmt, stmt.resource_key),
                       f"{source.key} {stmt.path} grants resource-scopable actions on every resource: {names(found)}")
