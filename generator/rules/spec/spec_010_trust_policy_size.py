"""SPEC-010: trust policies stay within 2,048 characters."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


LIMIT = 2048


class TrustPolicySize(Rule):
    id = "SPEC-010"
    title = "Trust policy size"
    grade = "BLOCK"
    rationale = "Role trust policies are limited to 2,048 characters by default (quota L-C07B4B0D)."
    remediation = "Trust fewer principals per role, or use account root with aws:PrincipalArn patterns."
    references = ("IAM quotas: role trust policy length", "Access Analyzer: Policy size exceeds role trust policy quota")

    def check(self, ctx: Context) -> Iterator[Finding]:
        for doc in ctx.documents_of("trust"):
            size = doc.iam_size
            if size > LIMIT:
                yield self.finding(doc.spec_path, f"trust policy of {doc.name} is {size} characters (default limit {LIMIT})")
