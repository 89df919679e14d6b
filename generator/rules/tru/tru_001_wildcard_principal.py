"""TRU-001: no wildcard principal in a trust policy."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.base import DocumentRule
from generator.rules.context import DocView


class WildcardPrincipal(DocumentRule):
    id = "TRU-001"
    title = "No wildcard principal"
    grade = "CRIT"
    rationale = "A wildcard principal lets any AWS account in the world try to assume the role."
    remediation = "Name the accounts, roles or services that may assume the role."
    references = ("checkov CKV_AWS_60 (AWS=* only)", "Access Analyzer: Role trust policy unsupported wildcard in principal",
                  "CIS AWS Foundations v7.0 2.21 (stricter here: a condition does not excuse it)")
    kinds = ("trust",)

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        for stmt in doc.policy.statements:
            if not stmt.allow:
                continue
            for _, value in stmt.principals:
                if value == "*":
                    yield f"{stmt.path}.Principal", f"principal {value!r} lets anyone assume the role"
                elif "*" in value or "?" in value:
                    # IAM matches principals exactly; a wildcard is rejected or, in the account
                    # field (``arn:aws:iam::*:root``), reads as every account.
                    parts = value.split(":", 5)
                    if len(parts) == 6 and not any(c in parts[4] for c in "*?"):
                        yield (f"{stmt.path}.Principal",
                               f"principal {value!r} has a wildcard in its name: IAM does not match principal "
                               "names by pattern and rejects the trust policy; name each principal")
                    else:
                        yield f"{stmt.path}.Principal", f"principal {value!r} has a wildcard: any account may match it"
