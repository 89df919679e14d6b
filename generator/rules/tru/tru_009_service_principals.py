"""TRU-009: service principals are well formed (<service>.amazonaws.com) and scoped to their source."""
from __future__ import annotations

import re
from collections.abc import Iterator

from generator.analysis.conditions import pinned_keys
from generator.rules.base import DocumentRule
from generator.rules.context import DocView


_SERVICE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?\Z")
# Keys that tie a service's request to the account or resource acting through it.
_SOURCE_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"})


class ServicePrincipals(DocumentRule):
    id = "TRU-009"
    title = "Service principals well formed and scoped"
    grade = "MED"
    rationale = ("A misspelt or wildcard service principal is rejected, or trusts more services than meant; "
                 "a service principal without aws:SourceAccount or aws:SourceArn can be steered by another "
                 "account's use of that service (cross-service confused deputy).")
    remediation = ("Write the service principal exactly, e.g. lambda.amazonaws.com, and add StringEquals "
                   "aws:SourceAccount (or ArnLike aws:SourceArn) naming your account.")
    references = ("Access Analyzer: Invalid service principal format",
                  "Access Analyzer: Restrict access to service principal",
                  "IAM User Guide: confused-deputy (cross-service)",
                  "PMapper: Resources With A Potential Confused-Deputy Risk")
    kinds = ("trust",)

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        for stmt in doc.policy.statements:
            services = [v for k, v in stmt.principals if k == "Service"]
            for value in services:
                if not _SERVICE.match(value):
                    yield (f"{stmt.path}.Principal",
                           f"service principal {value!r} is not of the form <service>.amazonaws.com")
            if services and stmt.allow and not pinned_keys(stmt) & _SOURCE_KEYS:
                yield (f"{stmt.path}.Principal",
                       f"service principal {', '.join(services)} is trusted without aws:SourceAccount or "
                       "aws:SourceArn")
