"""ACCT-001: roles unused for --stale-days days (RoleLastUsed) are reviewed and removed."""
from __future__ import annotations

from collections.abc import Iterator

from generator.audit.context import AuditOptions
from generator.audit.details import Principal
from generator.audit.rulebase import AccountRule, day


class StaleRoles(AccountRule):
    id = "ACCT-001"
    title = "No stale roles"
    grade = "MED"
    rationale = "A role nobody assumes still grants what it grants to whoever its trust policy names."
    remediation = "Confirm with the owner, then delete the role (or narrow its trust)."
    references = ("IAM User Guide: access_policies_access-advisor (RoleLastUsed)", "AWS Security Hub IAM.8")

    def check_principal(self, principal: Principal, options: AuditOptions) -> Iterator[str]:
        if principal.kind != "role" or principal.service_linked:
            return
        if principal.last_used is not None:
            idle = (options.as_of - principal.last_used).days
            if idle > options.stale_days:
                yield (f"role {principal.name} was last used {day(principal.last_used)}, {idle} days ago "
                       f"(limit {options.stale_days})")
        elif principal.created is not None:
            age = (options.as_of - principal.created).days
            if age > options.stale_days:
                yield f"role {principal.name} was never used since it was created {day(principal.created)}, {age} days ago"
