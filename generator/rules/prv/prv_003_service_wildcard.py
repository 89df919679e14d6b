"""PRV-003: no service-wide wildcard (svc:*) in identity policies."""
from __future__ import annotations

import re
from collections.abc import Iterator

from generator.analysis.catalog import catalog
from generator.analysis.document import Statement
from generator.findings import Severity
from generator.rules.base import PrincipalRule
from generator.rules.context import PrincipalView
from generator.rules.helpers import SENSITIVE_SERVICES, unconstrained

_SERVICE_STAR = re.compile(r"^([A-Za-z0-9-]+):\*\Z")


def _all_denied(principal: PrincipalView, stmt: Statement, service: str) -> bool:
    """True when Denies that always apply take every catalogued action of ``service`` away from
    ``stmt`` (an uncatalogued service is never taken for denied)."""
    names = catalog().expand(f"{service}:*")
    return bool(names) and not principal.permissions.remaining(stmt, names)


class ServiceWildcard(PrincipalRule):
    id = "PRV-003"
    title = "No service-wide wildcards (svc:*) without a narrowing condition"
    grade = "MED"
    rationale = "svc:* grants every current and future action of the service, including its permission management."
    remediation = "List the actions needed, or scope the statement with ABAC (`abac:`) so a condition narrows it."
    references = ("AWS Security Hub IAM.21", "checkov CKV2_AWS_40 (iam:*)", "parliament PERMISSIONS_MANAGEMENT_ACTIONS")

    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        for source, stmt in principal.statements():
            if stmt.not_action or not unconstrained(stmt):
                continue
            services = sorted({m.group(1).lower() for a in stmt.actions if (m := _SERVICE_STAR.match(a))})
            # A service whose every action a Deny that always applies takes away is granted nothing.
            services = [s for s in services if not _all_denied(principal, stmt, s)]
            if not services:
                continue
            sensitive = [s for s in services if s in SENSITIVE_SERVICES]
            note = f" ({', '.join(sensitive)} can change who may do what)" if sensitive else ""
            yield (principal.where(source, stmt, "Action"),
                   f"{source.key} {stmt.path} allows {', '.join(s + ':*' for s in services)} on every resource{note}",
                   Severity.ERROR if sensitive else Severity.WARNING)
