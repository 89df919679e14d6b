"""ORG-007: every member account is under at least one SCP and one RCP (CIS v7.0 2.1.2)."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule


class AccountGuardrails(Rule):
    id = "ORG-007"
    title = "SCP and RCP guardrails on every account"
    grade = "HIGH"
    modes = frozenset({"organization"})
    rationale = ("An account no SCP reaches can leave the organisation or stop its trail; one no RCP reaches "
                 "shares its data with any principal its resource policies name. Attached to the root, its "
                 "OUs or the account itself, both must reach every member.")
    remediation = "Attach guardrails (SCPs) and resource_controls (RCPs) to the root, or to every OU."
    references = ("CIS AWS Foundations v7.0 2.1.2",
                  "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html",
                  "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html")

    def check(self, ctx) -> Iterator[Finding]:
        org = ctx.organization
        for key, member in org.accounts.items():
            for kind, section in (("scp", "guardrails"), ("rcp", "resource_controls")):
                if not org.effective(key, kind):
                    yield self.finding(member.path, f"no {kind.upper()} reaches account {key}: attach {section} to "
                                       f"the root, OU {member.ou} or the account")
