"""PB-008: identity grants outside the boundary are reported as unused."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.helpers import names
from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class DeadPermissions(Rule):
    id = "PB-008"
    modes = frozenset({"spec", "account"})  # it reads only ctx.principals(): real principals too
    title = "Dead permissions outside the boundary"
    grade = "INFO"
    rationale = "Actions the boundary does not allow are never effective; listing them misleads reviewers."
    remediation = "Remove them, or widen the boundary deliberately."
    references = ("IAM User Guide: evaluating effective permissions with boundaries",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        dead: dict[tuple[str, str, str], tuple[set[str], list[str]]] = {}
        for principal in ctx.principals():
            if not principal.permissions.bounded:
                continue
            for source, stmt in principal.statements():
                if stmt.not_action or any("*" in a for a in stmt.actions):
                    continue
                expanded = stmt.expanded()
                outside = expanded - principal.permissions.allowed_of(expanded)
                if outside:
                    entry = dead.setdefault((source.path, source.key, stmt.path), (set(), []))
                    entry[0].update(outside)
                    entry[1].append(principal.label)
        for (path, key, stmt_path), (actions, who) in dead.items():
            yield self.finding(path, f"{names(actions)} in {key} {stmt_path} fall outside the boundary of "
                                     f"{', '.join(who)} and are never effective")
