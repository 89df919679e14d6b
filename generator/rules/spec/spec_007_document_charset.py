"""SPEC-007: generated policy documents use only the characters IAM accepts."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class DocumentCharset(Rule):
    id = "SPEC-007"
    title = "Policy document charset"
    grade = "BLOCK"
    waivable = False  # AWS rejects it at apply
    rationale = "IAM accepts only TAB, LF, CR and U+0020-U+00FF in policy documents."
    remediation = "Remove the character from the value (often a typographic quote or dash pasted into an ARN)."
    references = ("IAM API policyDocumentType",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        for doc in ctx.documents:
            bad = doc.text.rejected
            if bad:
                shown = ", ".join(f"U+{ord(c):04X}" for c in bad)
                yield self.finding(doc.spec_path, f"{doc.kind} policy {doc.name} contains characters IAM rejects: {shown}")
