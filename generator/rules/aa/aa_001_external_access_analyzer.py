"""AA-001: an external-access analyzer runs in every region of the account."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class ExternalAccessAnalyzer(Rule):
    id = "AA-001"
    title = "External-access analyzer in every region"
    grade = "HIGH"
    rationale = "Access Analyzer is how you learn that a bucket, key or role became reachable from outside."
    remediation = "Set access_analyzer.external_access: true."
    references = ("CIS AWS Foundations v7.0 2.18", "AWS Security Hub IAM.28")

    def check(self, ctx: Context) -> Iterator[Finding]:
        if not ctx.spec.access_analyzer.external_access:
            regions = ", ".join(ctx.spec.account.regions)
            yield self.finding("access_analyzer.external_access", f"no external-access analyzer in {regions}")
