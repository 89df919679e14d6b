"""LOG-015: CIS metric filters and alarms notify someone."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class SecurityAlarms(Rule):
    id = "LOG-015"
    title = "Security alarms"
    grade = "LOW"
    rationale = "Root use, IAM policy changes and console logins without MFA should page a human."
    remediation = "Set cloudtrail.alarms.cis: true and cloudtrail.alarms.email."
    references = ('CIS AWS Foundations v7.0 5.1-5.15', 'checkov CKV_AWS_319')

    def check(self, ctx: Context) -> Iterator[Finding]:
        trail = ctx.spec.cloudtrail
        if trail.enabled and not (trail.alarms_cis and trail.alarms_email):
            yield self.finding("cloudtrail.alarms", "CIS alarms are off or notify nobody")
