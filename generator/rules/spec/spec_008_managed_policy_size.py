"""SPEC-008: each generated managed policy stays within 6,144 characters."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


LIMIT = 6144


class ManagedPolicySize(Rule):
    id = "SPEC-008"
    title = "Managed policy size"
    grade = "BLOCK"
    waivable = False  # AWS rejects it at apply
    rationale = "A customer-managed policy may hold at most 6,144 characters, whitespace not counted."
    remediation = "Use wildcards for action families, merge statements, or split the grants across roles."
    references = ("IAM quotas: managed policy size", "Access Analyzer: Policy size exceeds identity policy quota")

    def check(self, ctx: Context) -> Iterator[Finding]:
        for doc in ctx.documents:
            if doc.managed and doc.kind in ("identity", "boundary"):
                size = doc.iam_size
                if size > LIMIT:
                    yield self.finding(doc.spec_path, f"{doc.kind} policy {doc.name} is {size} characters (limit {LIMIT})")
