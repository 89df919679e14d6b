"""TRU-009: service principals are well formed (<service>.amazonaws.com)."""
from __future__ import annotations

import re
from collections.abc import Iterator

from generator.rules.base import DocumentRule
from generator.rules.context import DocView


_SERVICE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$")


class ServicePrincipals(DocumentRule):
    id = "TRU-009"
    title = "Service principals well formed"
    grade = "MED"
    rationale = "A misspelt or wildcard service principal is rejected, or trusts more services than meant."
    remediation = "Write the service principal exactly, e.g. lambda.amazonaws.com."
    references = ("Access Analyzer: Invalid service principal format",)
    kinds = ("trust",)

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        for stmt in doc.policy.statements:
            for kind, value in stmt.principals:
                if kind == "Service" and not _SERVICE.match(value):
                    yield f"{stmt.path}.Principal", f"service principal {value!r} is not of the form <service>.amazonaws.com"
