"""LOG-001: the trail records every region."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class MultiRegion(Rule):
    id = "LOG-001"
    title = "Multi-region trail"
    grade = "HIGH"
    rationale = "A single-region trail misses activity in every other region, where attackers like to work."
    remediation = "Set cloudtrail.multi_region: true."
    references = ('CIS AWS Foundations v7.0 4.1', 'AWS Security Hub CloudTrail.1', 'checkov CKV_AWS_67')

    def check(self, ctx: Context) -> Iterator[Finding]:
        trail = ctx.spec.cloudtrail
        if trail.enabled and not trail.multi_region:
            yield self.finding("cloudtrail.multi_region", "the trail records only the home region")
