"""SPEC-018: the unused-access analyzer age is 1-365 days."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class UnusedAccessAge(Rule):
    id = "SPEC-018"
    title = "Access Analyzer unused-access age"
    grade = "BLOCK"
    waivable = False  # AWS rejects it at apply
    rationale = "Access Analyzer accepts unusedAccessAge from 1 to 365 days."
    remediation = "Set access_analyzer.unused_access.unused_access_age_days between 1 and 365."
    references = ("Access Analyzer API: UnusedAccessConfiguration",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        aa = ctx.spec.access_analyzer
        if aa.unused_access_enabled and not 1 <= aa.unused_access_age_days <= 365:
            yield self.finding("access_analyzer.unused_access.unused_access_age_days",
                               f"unused_access_age_days {aa.unused_access_age_days} is outside 1-365")
