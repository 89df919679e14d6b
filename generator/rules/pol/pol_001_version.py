"""POL-001: policy documents carry Version 2012-10-17."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.base import DocumentRule
from generator.rules.context import DocView


class PolicyVersion(DocumentRule):
    id = "POL-001"
    title = "Version element is 2012-10-17"
    grade = "MED"
    rationale = "Without Version 2012-10-17, policy variables such as ${aws:username} are taken literally."
    remediation = 'Add "Version": "2012-10-17".'
    references = ("parliament NO_VERSION / INVALID_VERSION / OLD_VERSION", "Access Analyzer: Missing version")
    kinds = ("identity", "boundary", "trust")

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        version = doc.policy.version
        if version is None:
            yield "Version", "the policy has no Version; policy variables need \"2012-10-17\""
        elif version == "2008-10-17":
            yield "Version", "Version 2008-10-17 is outdated; policy variables need \"2012-10-17\""
        elif version != "2012-10-17":
            yield "Version", f"Version {version!r} is not valid; use \"2012-10-17\""
