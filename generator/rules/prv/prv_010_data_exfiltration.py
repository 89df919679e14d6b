"""PRV-010: no unconstrained data-exfiltration reads (s3:GetObject, secrets, parameters) on every resource."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.base import PrincipalRule
from generator.rules.context import PrincipalView
from generator.rules.helpers import names, unconstrained_hits


class DataExfiltration(PrincipalRule):
    id = "PRV-010"
    title = "No unconstrained data-exfiltration reads"
    grade = "HIGH"  # checkov fails it too (CKV_AWS_288): one gate
    rationale = "Reading every object, secret or parameter in the account is how data leaves it."
    remediation = "Name the buckets, secrets or parameter paths, or use `abac:` so only the department's are readable."
    references = ("checkov CKV_AWS_108, CKV_AWS_288", "cloudsplaining DataExfiltration")

    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        for source, stmt, found in unconstrained_hits(principal, "exfiltration"):
            found = principal.permissions.remaining(stmt, found)  # less what a Deny takes away
            if not found:
                continue
            yield principal.where(source, stmt, stmt.action_key), f"{source.key} {stmt.path} can read every {names(found)} target in the account"
