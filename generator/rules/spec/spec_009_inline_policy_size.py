"""SPEC-009: inline policies per role, user and group stay within IAM's aggregate limit."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


LIMITS = {"role": 10240, "user": 2048, "group": 5120}


class InlinePolicySize(Rule):
    id = "SPEC-009"
    title = "Inline policy aggregate size"
    grade = "BLOCK"
    waivable = False  # AWS rejects it at apply
    rationale = "Inline policies of one entity share a quota: role 10,240, user 2,048, group 5,120 characters."
    remediation = "Move grants into fewer statements with action wildcards, or into a managed policy."
    references = ("IAM quotas: inline policy size",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        totals: dict[tuple[str, str], list] = {}
        for doc in ctx.documents_of("identity"):
            if not doc.managed:
                for kind, name in doc.attachments:
                    totals.setdefault((kind, name), []).append(doc)
        for (kind, name), docs in totals.items():
            size = sum(d.iam_size for d in docs)
            limit = LIMITS.get(kind)
            if limit and size > limit:
                yield self.finding(docs[0].spec_path, f"inline policies of {kind} {name} total {size} characters (limit {limit})")
