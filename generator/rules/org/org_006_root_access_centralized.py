"""ORG-006: member root access is managed centrally (CIS v7.0 2.1.1)."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule


class RootAccessCentralized(Rule):
    id = "ORG-006"
    title = "Centralized root access"
    grade = "HIGH"
    modes = frozenset({"organization"})
    rationale = ("With RootCredentialsManagement and RootSessions enabled, member accounts hold no root password, "
                 "keys or MFA to lose; the few root-only tasks run as short sts:AssumeRoot sessions from the "
                 "management account.")
    remediation = "Set `organization.root_access: centralized` (the default)."
    references = ("CIS AWS Foundations v7.0 2.1.1",
                  "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user-access-management")

    def check(self, ctx) -> Iterator[Finding]:
        org = ctx.organization
        if org.root_access != "centralized":
            yield self.finding("organization.root_access", "root access is not centralized: member accounts keep "
                               "root credentials; set root_access: centralized")
