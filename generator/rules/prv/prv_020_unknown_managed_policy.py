"""PRV-020: AWS managed policies whose permissions the analysis does not know are reported."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.managed import is_aws_managed, lookup
from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class UnknownManagedPolicy(Rule):
    id = "PRV-020"
    title = "AWS managed policy outside the analysed set"
    grade = "MED"
    rationale = "Effective-permission rules cannot see what an unknown AWS managed policy grants."
    remediation = "Review the policy, or replace it with `permissions:` the validator can check."
    references = ("generator/analysis/aws_managed_policies.yaml",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        for role in ctx.spec.roles:
            for i, arn in enumerate(role.managed_policies):
                if is_aws_managed(arn) and lookup(arn) is None:
                    yield self.finding(f"{role.path}.managed_policies[{i}]",
                                       f"role {role.name} attaches {arn}; its permissions are not analysed "
                                       "(PRV-001/005 cannot vouch for it)")
