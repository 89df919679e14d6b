"""ORG-003: an RCP denies, names Principal "*", and only actions of the services RCPs support."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.policies.guardrails import RCP_SERVICES
from generator.rules.base import Rule


def _items(value) -> list:
    return value if isinstance(value, list) else [value]


class RcpGrammar(Rule):
    id = "ORG-003"
    title = "RCPs: Deny, Principal \"*\", supported services only"
    grade = "BLOCK"
    waivable = False  # Organizations rejects the policy
    modes = frozenset({"organization"})
    rationale = ("A resource control policy applies to S3, STS, KMS, SQS and Secrets Manager only; its statements "
                 "deny (only AWS's RCPFullAWSAccess allows) and name every principal, \"*\", narrowed by conditions.")
    remediation = ("Keep to s3, sts, kms, sqs and secretsmanager actions, Effect Deny and Principal \"*\"; put other "
                   "services' controls in an SCP.")
    references = ("https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html",
                  "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html")

    def check(self, ctx) -> Iterator[Finding]:
        for policy in ctx.organization.policies.values():
            if policy.kind != "rcp" or policy.catalogue:
                continue
            for i, stmt in enumerate(_items(policy.document.get("Statement"))):
                if not isinstance(stmt, dict):
                    continue
                where = f"{policy.key} Statement[{i}]"
                if stmt.get("Effect") != "Deny":
                    yield self.finding(policy.path, f"{where}: RCP statements must deny (Effect {stmt.get('Effect')!r})")
                if "NotPrincipal" in stmt or stmt.get("Principal") != "*":
                    yield self.finding(policy.path, f"{where}: an RCP names Principal \"*\" and narrows it with "
                                       "conditions")
                for element in ("Action", "NotAction"):
                    for action in _items(stmt.get(element, [])):
                        service = str(action).split(":", 1)[0].lower() if ":" in str(action) else str(action)
                        if service != "*" and service not in RCP_SERVICES:
                            yield self.finding(policy.path, f"{where}: {element} {action} is not a service RCPs "
                                               f"support ({', '.join(RCP_SERVICES)})")
