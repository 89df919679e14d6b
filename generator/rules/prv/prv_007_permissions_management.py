"""PRV-007: permissions-management actions only on named resources or under a narrowing condition."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.base import PrincipalRule
from generator.rules.context import PrincipalView
from generator.rules.helpers import names, unconstrained_hits


class PermissionsManagement(PrincipalRule):
    id = "PRV-007"
    title = "Permissions-management actions constrained"
    grade = "HIGH"
    rationale = "Permissions-management actions change who may do what; on every resource they expose everything."
    remediation = "Scope them to named resources, or add a narrowing condition such as iam:PermissionsBoundary."
    references = ("checkov CKV_AWS_109, CKV_AWS_289", "cloudsplaining ResourceExposure")

    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        for source, stmt, found in unconstrained_hits(principal, "permissions"):
            found = principal.permissions.remaining(stmt, found)  # less what a Deny takes away
            if not found:
                continue
            yield principal.where(source, stmt, stmt.action_key), f"{source.key} {stmt.path} allows permissions management on every resource: {names(found)}"
