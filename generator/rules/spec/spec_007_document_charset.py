"""SPEC-007: generated policy documents use only the characters IAM accepts."""
from __future__ import annotations

import re
from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


_BAD = re.compile(r"[^\t\n\r\u0020-\u00ff]")


class DocumentCharset(Rule):
    id = "SPEC-007"
    title = "Policy document charset"
    grade = "BLOCK"
    rationale = "IAM accepts only TAB, LF, CR and U+0020-U+00FF in policy documents."
    remediation = "Remove the character from the value (often a typographic quote or dash pasted into an ARN)."
    references = ("IAM API policyDocumentType",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        found: dict[bytes, list[str]] = {}  # by content: the same document is read once
        for doc in ctx.documents:
            if doc.content_key not in found:
                found[doc.content_key] = sorted(set(_BAD.findall(doc.compact_json)))
            bad = found[doc.content_key]
            if bad:
                shown = ", ".join(f"U+{ord(c):04X}" for c in bad)
                yield self.finding(doc.spec_path, f"{doc.kind} policy {doc.name} contains characters IAM rejects: {shown}")
