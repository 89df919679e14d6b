"""ACCT-002: no broad AWS managed policy attached to a role, user or group of the account."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.managed import lookup
from generator.audit.context import AuditOptions
from generator.audit.details import Principal
from generator.audit.rulebase import AccountRule


class BroadManagedAttachment(AccountRule):
    id = "ACCT-002"
    title = "No broad AWS managed policies in the account"
    grade = "HIGH"
    rationale = "Full-access AWS managed policies grant whole services (or everything) on every resource (PRV-004 for specs)."
    remediation = "Replace the attachment with the scoped alternative named in the message."
    references = ("checkov CKV_AWS_274, CKV2_AWS_56", "CIS AWS Foundations v7.0 2.14, 2.20", "AWS Security Hub IAM.27")

    def check_principal(self, principal: Principal, options: AuditOptions) -> Iterator[str]:
        if principal.service_linked:
            return
        for arn in principal.attached:
            entry = lookup(arn)
            if entry is not None and entry.broad:
                yield f"{principal.kind} {principal.name} has {entry.name} attached, which is too broad; use {entry.alternative}"
