"""SPEC-006: max_session_hours is within IAM's 1-12 hour range."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class SessionDuration(Rule):
    id = "SPEC-006"
    title = "Maximum session duration 1-12 hours"
    grade = "BLOCK"
    waivable = False  # AWS rejects it at apply
    rationale = "IAM accepts MaxSessionDuration from 3,600 to 43,200 seconds only."
    remediation = "Set max_session_hours between 1 and 12."
    references = ("IAM API roleMaxSessionDurationType",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        for role in ctx.spec.roles:
            if not 1 <= role.max_session_hours <= 12:
                yield self.finding(f"{role.path}.max_session_hours",
                                   f"role {role.name}: max_session_hours {role.max_session_hours} is outside 1-12")
