"""ORG-008: a security account runs the organisation's external-access analyzer."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule


class OrganizationAnalyzer(Rule):
    id = "ORG-008"
    title = "Organisation-wide external-access analysis"
    grade = "MED"
    modes = frozenset({"organization"})
    rationale = ("IAM Access Analyzer with the organisation as its zone of trust reports every resource any "
                 "member shares outside it. iamforge creates that analyzer in the stack of the account of purpose "
                 "security, the delegated administrator: without such an account, without its spec, or with Access "
                 "Analyzer off in that spec, nothing analyses the organisation as a whole.")
    remediation = ("Give one account `purpose: security` and a `spec` whose access_analyzer is on (the default).")
    references = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-settings.html",
                  "https://docs.aws.amazon.com/IAM/latest/UserGuide/what-is-access-analyzer.html")

    def check(self, ctx) -> Iterator[Finding]:
        from generator.render.context_logging import access_analyzer_context

        org = ctx.organization
        security = [m for m in org.accounts.values() if m.purpose == "security"]
        if not security:
            yield self.finding("organization.accounts", "no account has purpose security: Access Analyzer is "
                               "delegated to none, and nothing analyses the organisation as a zone of trust")
            return
        for member in security:
            if member.spec is None:
                yield self.finding(member.path, f"security account {member.key} gives no spec: it gets no stack, so "
                                   "the organisation's external-access analyzer is never created")
            elif access_analyzer_context(member.spec) is None:
                yield self.finding(member.path, f"security account {member.key}'s spec turns Access Analyzer off, "
                                   "and with it the organisation's external-access analyzer")
