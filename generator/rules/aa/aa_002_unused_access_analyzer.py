"""AA-002: the unused-access analyzer is considered."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class UnusedAccessAnalyzer(Rule):
    id = "AA-002"
    title = "Unused-access analyzer"
    grade = "LOW"
    rationale = "Unused roles, keys and permissions are attack surface nobody misses when removed."
    remediation = "Set access_analyzer.unused_access.enabled: true (billed per analysed principal)."
    references = ("CIS AWS Foundations v7.0 2.11 (intent)",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        if not ctx.spec.access_analyzer.unused_access_enabled:
            yield self.finding("access_analyzer.unused_access",
                               "the unused-access analyzer is off; unused roles and permissions go unnoticed")
