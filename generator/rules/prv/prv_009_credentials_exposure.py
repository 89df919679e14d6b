"""PRV-009: no credential-returning actions on every resource."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.base import PrincipalRule
from generator.rules.context import PrincipalView
from generator.rules.helpers import names, unconstrained_hits


class CredentialsExposure(PrincipalRule):
    id = "PRV-009"
    title = "No unconstrained credential-returning actions"
    grade = "HIGH"
    rationale = "Actions that return credentials on every resource hand out other identities' access."
    remediation = "Scope them to the roles or users meant (e.g. sts:AssumeRole on named role ARNs)."
    references = ("checkov CKV_AWS_107, CKV_AWS_287", "cloudsplaining CredentialsExposure")

    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        for source, stmt, found in unconstrained_hits(principal, "credentials"):
            found = principal.permissions.remaining(stmt, found)  # less what a Deny takes away
            if not found:
                continue
            yield principal.where(source, stmt, stmt.action_key), f"{source.key} {stmt.path} returns credentials for any resource: {names(found)}"
