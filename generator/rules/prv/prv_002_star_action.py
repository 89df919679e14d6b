"""PRV-002: no Allow with Action "*" (scoped, or with some actions taken away by a Deny)."""
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
        perms = principal.permissions
        for source, stmt in principal.statements():
            if not stmt.every_action:
                continue
            denied = perms.denied(stmt)
            if unscoped(stmt) and not denied:
                continue  # full admin: PRV-001's
            if denied and not perms.remaining(stmt):
                continue  # a Deny that always applies takes every action away: nothing is granted
            on = "every resource (NotResource)" if stmt.not_resource else ", ".join(stmt.resources)
            less = f", less what {', '.join(perms.denied_by(stmt))} denies" if denied else ""
            yield (principal.where(source, stmt, "Action"),
                   f"{source.key} {stmt.path} allows every action (Action \"*\") on {on}{less}")
