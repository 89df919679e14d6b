"""SPEC-004: human roles fit the console switch-role limit (path + name <= 64)."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class SwitchRoleLength(Rule):
    id = "SPEC-004"
    title = "Console switch-role length"
    grade = "LOW"
    rationale = "The console's Switch Role only works when the role's path plus name is at most 64 characters."
    remediation = "Shorten the department or role key."
    references = ("IAM quotas: role name note",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        for role in ctx.spec.roles:
            total = len(role.iam_path) + len(role.name)
            if role.trust.aws_principals and total > 64:
                yield self.finding(role.path, f"role {role.name}: path and name are {total} characters; "
                                              "the console cannot switch to it (limit 64)")
