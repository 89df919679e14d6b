"""POL-012: no wildcard inside a service prefix (s3*:...)."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.base import DocumentRule
from generator.rules.context import DocView


class ServiceNameWildcard(DocumentRule):
    id = "POL-012"
    title = "No wildcard in the service name"
    grade = "MED"
    rationale = "A wildcard in the service prefix matches services nobody meant, now and later."
    remediation = "Name each service: s3:GetObject, s3-object-lambda:GetObject."
    references = ("Access Analyzer: Wildcard in service name",)
    kinds = ("identity", "boundary")

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        for stmt in doc.policy.statements:
            listed = isinstance(stmt.raw.get(stmt.action_key), list)
            for i, action in enumerate(stmt.actions):
                service, sep, _ = action.partition(":")
                if sep and ("*" in service or "?" in service):
                    path = f"{stmt.path}.{stmt.action_key}" + (f"[{i}]" if listed else "")
                    yield path, f"{action!r} has a wildcard in the service name"
