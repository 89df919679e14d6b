"""PRV-002: no Allow with Action "*"."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.base import PrincipalRule
from generator.rules.context import PrincipalView
from generator.rules.helpers import unscoped


class StarAction(PrincipalRule):
    id = "PRV-002"
    title = "No Action \"*\" in an Allow"
    grade = "HIGH"
    rationale = "Action * grants every action of every service, including the ones AWS adds later."
    remediation = "List the actions (or service:Verb* patterns) the job needs."
    references = ("checkov CKV_AWS_49, CKV_AWS_63",)

    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        for source, stmt in principal.statements():
            if stmt.every_action and not unscoped(stmt):
                yield (principal.where(source, stmt, "Action"),
                       f"{source.key} {stmt.path} allows every action (Action \"*\") on {', '.join(stmt.resources)}")
