"""LOG-012: trail logs are kept for at least a year."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class Retention(Rule):
    id = "LOG-012"
    title = "Log retention >= 365 days"
    grade = "MED"
    rationale = "Investigations routinely reach back months; short retention deletes the evidence."
    remediation = "Set bucket.retention_days and cloudwatch_logs.retention_days to 365 or more."
    references = ('checkov CKV_AWS_338', 'CIS AWS Foundations v7.0 section 4 (Logging) audit guidance')

    def check(self, ctx: Context) -> Iterator[Finding]:
        trail = ctx.spec.cloudtrail
        if trail.enabled and (trail.bucket_retention_days < 365 or (trail.cloudwatch_logs_enabled and 0 < trail.cloudwatch_logs_retention_days < 365)):
            yield self.finding("cloudtrail.bucket.retention_days", f"logs are kept {trail.bucket_retention_days} days in S3 and {trail.cloudwatch_logs_retention_days} in CloudWatch (advice: 365)")
