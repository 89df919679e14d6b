"""SPEC-019: managed policy ARNs and trusted principals are well-formed references."""
from __future__ import annotations

import re
from collections.abc import Iterator

from generator.analysis.managed import foreign_reason
from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


_POLICY_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:iam::(aws|\d{12}):policy/([\w+=,.@/-]+)\Z")
_PRINCIPAL = re.compile(r"^arn:aws(-cn|-us-gov)?:(iam|sts)::\d{12}:(root|(role|user|assumed-role)/.+)\Z")


class ReferencesResolve(Rule):
    id = "SPEC-019"
    title = "References resolve"
    grade = "BLOCK"
    rationale = ("A malformed policy ARN or principal makes apply fail, as does a policy of another account or "
                 "partition; a trusted in-account role must exist.")
    remediation = "Use full ARNs: arn:aws:iam::aws:policy/<name>, arn:aws:iam::<account>:role/<path><name>."
    references = ("Access Analyzer: Invalid role reference / Invalid user reference",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        spec = ctx.spec
        own_roles = {spec.arn("iam", f"role{r.iam_path}{r.name}") for r in spec.roles}
        own_roles |= {spec.arn("iam", f"role/{r.name}") for r in spec.roles}
        for role in spec.roles:
            for i, arn in enumerate(role.managed_policies):
                if not _POLICY_ARN.match(arn):
                    yield self.finding(f"{role.path}.managed_policies[{i}]", f"{arn!r} is not a managed policy ARN")
                elif (reason := foreign_reason(arn, spec.account.partition, spec.account.id)) is not None:
                    yield self.finding(f"{role.path}.managed_policies[{i}]",
                                       f"{arn} {reason}: a role can only attach AWS managed policies and "
                                       "this account's own policies")
            for i, arn in enumerate(role.trust.aws_principals):
                path = f"{role.trust.path}.aws_principals[{i}]"
                if not _PRINCIPAL.match(arn):
                    yield self.finding(path, f"{arn!r} is not an account-root, role or user ARN")
                elif f":{spec.account.id}:role/" in arn and arn not in own_roles:
                    yield self.finding(path, f"{arn} is a role of this account that the spec does not define")
