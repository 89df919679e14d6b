"""POL-003: statement ids are unique and alphanumeric."""
from __future__ import annotations

import re
from collections.abc import Iterator

from generator.rules.base import DocumentRule
from generator.rules.context import DocView


_SID = re.compile(r"^[A-Za-z0-9]*\Z")


class SidHygiene(DocumentRule):
    id = "POL-003"
    title = "Sids unique and alphanumeric"
    grade = "LOW"
    rationale = "Duplicate or malformed Sids are rejected by some policy types and make findings ambiguous."
    remediation = "Use unique Sids made of letters and digits."
    references = ("parliament DUPLICATE_SID / INVALID_SID", "Access Analyzer: Unique Sids recommended")
    kinds = ("identity", "boundary", "trust")

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        seen: set[str] = set()
        for stmt in doc.policy.statements:
            if stmt.sid is None:
                continue
            if not _SID.match(stmt.sid):
                yield f"{stmt.path}.Sid", f"Sid {stmt.sid!r} may only contain letters and digits"
            if stmt.sid in seen:
                yield f"{stmt.path}.Sid", f"Sid {stmt.sid!r} is used by another statement"
            seen.add(stmt.sid)
