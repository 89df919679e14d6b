"""LOG-004: log file integrity validation is on."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class LogFileValidation(Rule):
    id = "LOG-004"
    title = "Log file validation"
    grade = "MED"
    rationale = "Digest files prove logs were not altered after delivery."
    remediation = "Set cloudtrail.log_file_validation: true."
    references = ('CIS AWS Foundations v7.0 4.2', 'AWS Security Hub CloudTrail.4', 'checkov CKV_AWS_36')

    def check(self, ctx: Context) -> Iterator[Finding]:
        trail = ctx.spec.cloudtrail
        if trail.enabled and not trail.log_file_validation:
            yield self.finding("cloudtrail.log_file_validation", "log file validation is off; tampering would go unnoticed")
