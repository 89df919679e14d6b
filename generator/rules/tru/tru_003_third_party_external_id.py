"""TRU-003: roles trusted by other accounts require sts:ExternalId."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class ThirdPartyExternalId(Rule):
    id = "TRU-003"
    title = "Third-party access uses ExternalId"
    grade = "HIGH"
    rationale = "Without an ExternalId a third party's other customers can trick it into using this role (confused deputy)."
    remediation = "Set trust.external_account.external_id to the value the third party gave you."
    references = ("IAM User Guide: id_roles_create_for-user_externalid",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        own = ctx.spec.account.id
        for role in ctx.spec.roles:
            ext = role.trust.external_account
            if ext is not None and ext.account_id == own:
                yield self.finding(f"{role.trust.path}.external_account.account_id",
                                   f"role {role.name} treats its own account {own} as a third party; trust this "
                                   "account's roles or users with aws_principals instead")
            if ext is not None and not ext.external_id:
                yield self.finding(f"{role.trust.path}.external_account",
                                   f"role {role.name} trusts account {ext.account_id} without an external_id")
            foreign = [a for a in role.trust.aws_principals if f":{own}:" not in a]
            if foreign:
                yield self.finding(f"{role.trust.path}.aws_principals",
                                   f"role {role.name} trusts other accounts ({', '.join(foreign)}) without an external "
                                   "id; use trust.external_account")
