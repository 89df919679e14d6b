"""LOG-006: the trail delivers to CloudWatch Logs."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class CloudwatchLogs(Rule):
    id = "LOG-006"
    title = "CloudWatch Logs integration"
    grade = "MED"
    rationale = "Metric filters and alarms (LOG-015) need the trail in CloudWatch Logs."
    remediation = "Keep cloudtrail.cloudwatch_logs enabled."
    references = ('CIS v1.4 3.4', 'CIS AWS Foundations v7.0 5.1-5.15 (their prerequisite)', 'AWS Security Hub CloudTrail.5', 'checkov CKV2_AWS_10')

    def check(self, ctx: Context) -> Iterator[Finding]:
        trail = ctx.spec.cloudtrail
        if trail.enabled and not trail.cloudwatch_logs_enabled:
            yield self.finding("cloudtrail.cloudwatch_logs", "the trail is not delivered to CloudWatch Logs; no alarms are possible")
