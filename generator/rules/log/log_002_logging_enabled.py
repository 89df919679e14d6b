"""LOG-002: CloudTrail logging is on."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class LoggingEnabled(Rule):
    id = "LOG-002"
    title = "Logging on"
    grade = "HIGH"
    rationale = "Without a trail there is no record of who did what."
    remediation = "Leave cloudtrail enabled."
    references = ('AWS Security Hub CloudTrail.3', 'checkov CKV_AWS_251')

    def check(self, ctx: Context) -> Iterator[Finding]:
        trail = ctx.spec.cloudtrail
        if not trail.enabled:
            yield self.finding("cloudtrail", "CloudTrail is disabled: no API activity is recorded")
