"""TRU-011: roles people assume keep sessions to at most 4 hours."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


LIMIT = 4


class HumanSessionDuration(Rule):
    id = "TRU-011"
    title = "Session duration of human roles"
    grade = "LOW"
    rationale = "Long sessions keep stolen console or CLI sessions useful for longer."
    remediation = f"Set max_session_hours to {LIMIT} or less for roles people assume."
    references = ("IAM quotas: role session duration",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        for role in ctx.spec.roles:
            if role.trust.aws_principals and role.max_session_hours > LIMIT:
                yield self.finding(f"{role.path}.max_session_hours",
                                   f"role {role.name} is assumed by people for up to {role.max_session_hours} h (advice: <= {LIMIT})")
