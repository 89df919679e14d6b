"""TAG-005: ABAC statements compare resource tags with the caller's tag using StringEquals."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.document import Condition, Statement
from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class AbacPattern(Rule):
    id = "TAG-005"
    title = "ABAC allow pattern well formed"
    grade = "MED"
    rationale = "The ABAC comparison must be StringEquals on single-valued tag keys, or it lets everything through."
    remediation = "Compare aws:ResourceTag/<key> with ${aws:PrincipalTag/<key>} using StringEquals."
    references = ("IAM tutorial: access-same-project-team",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        for same in ctx.distinct_documents(("identity", "boundary")):
            for stmt, cond in _misused(same[0].policy.statements):
                for doc in same:
                    yield self.finding(doc.spec_path, f"{doc.name} {stmt.path}: {cond.operator} {cond.key} is not "
                                                      "the ABAC pattern (StringEquals, no set qualifier)")


def _misused(statements: tuple[Statement, ...]) -> Iterator[tuple[Statement, Condition]]:
    """Conditions comparing with ``${aws:PrincipalTag/...}`` by anything but the ABAC pattern."""
    for stmt in statements:
        for cond in stmt.conditions:
            uses_tag = any("${aws:principaltag/" in v.lower() for v in cond.values)
            if uses_tag and (cond.qualifier or cond.negated and stmt.allow or cond.base not in (
                    "StringEquals", "StringEqualsIfExists", "StringNotEquals", "StringLike")):
                yield stmt, cond
