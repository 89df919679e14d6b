"""TRU-008: trust policies use Principal, never NotPrincipal or Resource."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.base import DocumentRule
from generator.rules.context import DocView


class TrustGrammar(DocumentRule):
    id = "TRU-008"
    title = "Trust-policy grammar"
    grade = "BLOCK"
    waivable = False  # AWS rejects it at apply
    rationale = "IAM rejects NotPrincipal and Resource in role trust policies."
    remediation = "Name principals with Principal; drop Resource/NotResource."
    references = ("Access Analyzer: Role trust policy syntax error notprincipal / resource",)
    kinds = ("trust",)

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        for stmt in doc.policy.statements:
            for element in ("NotPrincipal", "Resource", "NotResource"):
                if element in stmt.raw:
                    yield f"{stmt.path}.{element}", f"{element} is not allowed in a role trust policy"
