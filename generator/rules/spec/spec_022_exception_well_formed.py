"""SPEC-022: an exceptions: entry must name a live rule and a path that exists in the spec."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.spec.model import generated_modules
from generator.rules.base import Rule
from generator.rules.context import Context


class ExceptionWellFormed(Rule):
    id = "SPEC-022"
    title = "Exception names a real rule and path"
    grade = "BLOCK"
    rationale = ("An exception for a rule id that does not exist, or at a path that is empty or not in the "
                 "spec, reviews nothing: it is a typo, or a blanket waiver waiting to match. One for a rule "
                 "whose finding AWS rejects at apply (a name, a size, a range) waives nothing real either.")
    remediation = "Use an id from `iamforge rules list` and the dotted path of the node the finding points at."
    references = ("iamforge README: exceptions",)
    phase = "post"  # about exceptions themselves: runs after suppression and cannot be suppressed

    def check(self, ctx: Context) -> Iterator[Finding]:
        from generator.rules.registry import all_rules, retired

        rules = {r.id: r for r in all_rules()}
        known = set(rules)
        gone = set(retired())
        for exc in ctx.spec.exceptions:
            rule = exc.rule.upper()
            where = exc.rule_path or f"{exc.spec_path}.rule"
            if exc.checkov:
                if exc.path.strip() and not generated_modules(exc.path):
                    yield self.finding(f"{exc.spec_path}.path",
                                       f"{rule} is a checkov check: its path must name what generates Terraform "
                                       "(a department, role, boundary, cloudtrail, access_analyzer, "
                                       "password_policy, mfa or privileged)")
            elif rule in gone:
                yield self.finding(where, f"rule {exc.rule} is retired; delete this exception")
            elif rule not in known:
                yield self.finding(where, f"no rule {exc.rule}: see `iamforge rules list` for the ids")
            elif not rules[rule].waivable:
                yield self.finding(where,
                                   f"{rule} cannot be waived: AWS rejects what it reports at apply, so fix the "
                                   "spec instead")
            if not exc.path.strip():
                yield self.finding(f"{exc.spec_path}.path",
                                   "path is empty: an exception covers one spec node (and what lies below it), "
                                   "never the whole spec")
            elif exc.path not in ctx.spec.marks:
                yield self.finding(f"{exc.spec_path}.path", f"path {exc.path} is not in the spec")
