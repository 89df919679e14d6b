"""PRV-006: iam:PassRole only on named roles and with iam:PassedToService."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.base import PrincipalRule
from generator.rules.context import PrincipalView


class UnscopedPassRole(PrincipalRule):
    id = "PRV-006"
    title = "Scoped iam:PassRole"
    grade = "HIGH"
    rationale = "PassRole on every role lets the caller hand any role, however privileged, to a service it controls."
    remediation = "Name the roles (or the department's role path) and add iam:PassedToService."
    references = ("Access Analyzer PASS_ROLE_WITH_STAR_IN_RESOURCE", "IAM User Guide: id_roles_use_passrole")

    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        for grant in principal.permissions.grants("iam:passrole"):
            problems = []
            if grant.unscoped:
                problems.append("reaches every role")
            if "iam:passedtoservice" not in grant.constraints:
                problems.append("has no iam:PassedToService condition")
            if problems:
                yield (principal.where(grant.source, grant.statement, grant.statement.resource_key),
                       f"iam:PassRole in {grant.location} {' and '.join(problems)}")
