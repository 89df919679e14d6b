"""TRU-005: OIDC federation checks the token's audience and subject."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.conditions import pinned_keys
from generator.rules.base import DocumentRule
from generator.rules.context import DocView


_WEB_IDPS = ("accounts.google.com", "cognito-identity.amazonaws.com", "graph.facebook.com", "www.amazon.com")


def oidc_host(value: str) -> str | None:
    """The issuer host of an OIDC federated principal, or None for SAML and others."""
    if ":oidc-provider/" in value:
        return value.split(":oidc-provider/", 1)[1]
    return value if value in _WEB_IDPS else None


class OidcConditions(DocumentRule):
    id = "TRU-005"
    title = "OIDC federation constrained by aud and sub"
    grade = "HIGH"
    rationale = "Without aud and sub conditions any token the issuer signs, for anyone, assumes the role."
    remediation = ("Add StringEquals <issuer>:aud and StringEquals/StringLike <issuer>:sub (no IfExists, "
                   "no ForAllValues, no bare \"*\").")
    references = ("Access Analyzer: Missing condition key for oidc principal",)
    kinds = ("trust",)

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        for stmt in doc.policy.statements:
            if not stmt.allow:
                continue
            for kind, value in stmt.principals:
                host = oidc_host(value) if kind == "Federated" else None
                if host is None:
                    continue
                keys = pinned_keys(stmt)
                missing = [k for k in ("aud", "sub") if f"{host.lower()}:{k}" not in keys]
                if missing:
                    yield f"{stmt.path}.Condition", f"OIDC principal {host} has no condition on {' or '.join(missing)}"
