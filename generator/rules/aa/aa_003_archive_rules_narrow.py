"""AA-003: archive rules do not blanket-suppress findings."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


_BROAD = {"ispublic", "resourcetype", "status", "resource"}


class ArchiveRulesNarrow(Rule):
    id = "AA-003"
    title = "Archive rules narrow"
    grade = "LOW"
    rationale = "An archive rule on a broad criterion silently hides every future external-access finding of that kind."
    remediation = "Filter on the specific principal or account (e.g. principal.AWS eq [<partner account>])."
    references = ("IAM Access Analyzer: archive rules",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        for i, rule in enumerate(ctx.spec.access_analyzer.archive_rules):
            criteria = {c.lower() for c in rule.filters}
            if criteria <= _BROAD:
                yield self.finding(f"access_analyzer.archive_rules[{i}]",
                                   f"archive rule {rule.name} filters only on {', '.join(sorted(rule.filters))}: "
                                   "it archives findings wholesale")
