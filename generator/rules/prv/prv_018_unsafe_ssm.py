"""PRV-018: no ssm:SendCommand / ssm:StartSession on every instance."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.catalog import catalog
from generator.rules.base import PrincipalRule
from generator.rules.context import PrincipalView
from generator.rules.helpers import open_grants

_ACTIONS = ("ssm:sendcommand", "ssm:startsession")


class UnsafeSsm(PrincipalRule):
    id = "PRV-018"
    title = "No unscoped SSM command or session access"
    grade = "MED"
    rationale = "A shell on every instance is the permissions of every instance profile."
    remediation = "Scope to instance ARNs or require ssm:resourceTag/<abac key> = ${aws:PrincipalTag/<abac key>}."
    references = ("PMapper: IAM Role With Unsafe SSM Permissions",)

    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        for grant in open_grants(principal, _ACTIONS):
            yield (principal.where(grant.source, grant.statement, grant.statement.resource_key),
                   f"{grant.location} allows {catalog().display(grant.action)} on every instance")
