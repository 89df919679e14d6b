"""LOG-003: the trail records global service events (IAM, STS, CloudFront)."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Severity
from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class GlobalEvents(Rule):
    id = "LOG-003"
    title = "Global service events recorded"
    grade = "MED"
    rationale = "IAM and STS calls are global events; without them a trail misses every identity change."
    remediation = "Set cloudtrail.include_global_service_events: true."
    references = ("CIS AWS Foundations v7.0 4.1 audit procedure",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        trail = ctx.spec.cloudtrail
        if trail.enabled and not trail.include_global_service_events:
            if trail.multi_region:
                yield self.finding("cloudtrail.include_global_service_events",
                                   "a multi-region trail must include global service events (AWS rejects it otherwise)",
                                   Severity.ERROR)
            else:
                yield self.finding("cloudtrail.include_global_service_events",
                                   "global service events (IAM, STS) are not recorded")
