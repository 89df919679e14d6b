"""TRU-007: the assume action matches the principal type."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.base import DocumentRule
from generator.rules.context import DocView


_EXTRAS = {"sts:tagsession", "sts:setsourceidentity", "sts:setcontext"}


def expected_action(kind: str, value: str) -> str:
    if kind == "Federated":
        return "sts:assumerolewithsaml" if ":saml-provider/" in value else "sts:assumerolewithwebidentity"
    return "sts:assumerole"


class ActionPrincipalType(DocumentRule):
    id = "TRU-007"
    title = "Assume action matches principal type"
    grade = "BLOCK"
    rationale = "SAML principals use AssumeRoleWithSAML, OIDC AssumeRoleWithWebIdentity, AWS and services AssumeRole."
    remediation = "Use the sts action of the principal type; split statements with mixed principal types."
    references = ("Access Analyzer: Mismatched action for principal",)
    kinds = ("trust",)

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        for stmt in doc.policy.statements:
            if not stmt.allow or stmt.not_action or stmt.every_action:
                continue
            actions = {a.lower() for a in stmt.actions}
            for kind, value in stmt.principals:
                wanted = expected_action(kind, value)
                if wanted not in actions and not any(a.endswith(":*") or a == "sts:assumerole*" for a in actions):
                    yield f"{stmt.path}.Action", f"principal {value!r} needs {wanted}, the statement allows {', '.join(sorted(actions))}"
                    break
            unexpected = actions - {expected_action(k, v) for k, v in stmt.principals} - _EXTRAS
            if unexpected and stmt.principals and not any(a.endswith("*") for a in unexpected):
                yield f"{stmt.path}.Action", f"{', '.join(sorted(unexpected))} does not fit the statement's principals"
