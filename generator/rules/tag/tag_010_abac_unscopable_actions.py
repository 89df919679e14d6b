"""TAG-010: ABAC actions that no tag condition can scope are left out of the ABAC policy."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.policies import abac_plan, catalog
from generator.policies.abac import LeftOut
from generator.rules.base import Rule
from generator.rules.context import Context


class AbacUnscopableActions(Rule):
    id = "TAG-010"
    title = "ABAC actions that cannot be tag-scoped"
    grade = "MED"
    rationale = ("An abac action whose catalogue entry supports no resource- or object-tag condition is left "
                 "out of the generated policy rather than allowed on every resource; the role does not get it.")
    remediation = "Remove the action from abac.actions and grant it in permissions with explicit resource ARNs."
    references = ("IAM tutorial: attribute-based access control",
                  "Service Authorization Reference: condition keys per action")

    def check(self, ctx: Context) -> Iterator[Finding]:
        spec = ctx.spec
        for dept in spec.departments.values():
            for role in dept.roles.values():
                if role.abac is None:
                    continue
                by_entry: dict[int, list[LeftOut]] = {}
                for left in abac_plan(spec, role).left_out:
                    by_entry.setdefault(left.index, []).append(left)
                for index, left_out in sorted(by_entry.items()):
                    yield self.finding(f"{role.abac.path}.actions[{index}]", _message(role.name, left_out))


def _message(role: str, left_out: list[LeftOut]) -> str:
    """One message per abac.actions entry: what was left out, why, and how to grant it."""
    first = left_out[0]
    policy = f"{role}'s ABAC policy"
    if first.pattern.strip() == "*":
        return f"* is left out of {policy}: {first.reason}; list the actions the role needs"
    if catalog.canonical(first.action) is None:
        return f"{first.action} is left out of {policy}: it {first.reason}; check the action name"
    if len(left_out) == 1 and first.action == first.pattern:
        what = f"{first.action} is left out of {policy}: it {first.reason}"
    else:
        by_reason: dict[str, list[str]] = {}
        for x in left_out:
            by_reason.setdefault(x.reason, []).append(x.action)
        listed = "; ".join(f"{', '.join(actions)} ({reason})" for reason, actions in by_reason.items())
        what = f"{first.pattern} matches {len(left_out)} action(s) left out of {policy}: {listed}"
    return f"{what}. Grant what the role needs in permissions with explicit resource ARNs instead"
