"""PRV-001: no Allow of every action on every resource that no Deny takes anything from."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.base import PrincipalRule
from generator.rules.context import PrincipalView
from generator.rules.helpers import unscoped


class FullAdmin(PrincipalRule):
    id = "PRV-001"
    title = "No full administrator access (*:* on *)"
    grade = "CRIT"
    rationale = "A principal allowed every action on every resource can do anything, including removing every other control."
    remediation = "Grant the services and resources the job needs; keep break-glass admin outside the spec."
    references = ("CIS AWS Foundations v7.0 2.14", "AWS Security Hub IAM.1", "checkov CKV_AWS_1, CKV_AWS_62")

    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        # A Deny that always applies and takes any action away leaves "every action but those": PRV-002's.
        for source, stmt in principal.statements(include_managed=True):
            if stmt.every_action and unscoped(stmt) and not principal.permissions.denied(stmt):
                yield (principal.where(source, stmt, "Action"),
                       f"{principal.label} is allowed every action on every resource ({source.key} {stmt.path})")
