"""SPEC-011: at most 10 managed policies are attached to a role."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


LIMIT = 10


class ManagedPoliciesPerRole(Rule):
    id = "SPEC-011"
    title = "Managed policies per role"
    grade = "BLOCK"
    rationale = "By default a role can have 10 managed policies attached (quota L-0DA4ABF3); the boundary does not count."
    remediation = "Replace some attachments with `permissions:`, or raise the quota and note it in an exception."
    references = ("IAM quotas: managed policies per role",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        generated: dict[str, int] = {}
        for doc in ctx.documents_of("identity"):
            if doc.managed:
                for kind, name in doc.attachments:
                    if kind == "role":
                        generated[name] = generated.get(name, 0) + 1
        for role in ctx.spec.roles:
            total = len(role.managed_policies) + generated.get(role.name, 0)
            if total > LIMIT:
                yield self.finding(f"{role.path}.managed_policies",
                                   f"role {role.name} gets {total} managed policies (default limit {LIMIT})")
