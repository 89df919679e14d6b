"""ORG-010: a member's role trusted by an account outside the organisation."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.arn import parse_arn
from generator.analysis.guardrails import certain_denial, outsider_facts
from generator.findings import Finding, Severity
from generator.rules.base import Rule
from generator.rules.context import Context


class TrustOutsideOrganization(Rule):
    id = "ORG-010"
    title = "Trust to an account outside the organisation"
    grade = "MED"
    modes = frozenset({"spec"})  # a member's account spec, validated within its organisation
    rationale = ("Access from outside the organisation is what its data perimeter exists to stop: a role a "
                 "foreign account may assume needs a reason on record. With an RCP that denies sts:AssumeRole "
                 "to principals outside the organisation (the catalogue's rcp-identity-perimeter), the trust can "
                 "never be used at all: the role is dead and the integration it was made for fails.")
    remediation = ("Record the reason with an `exceptions:` entry for this finding, or bring the account into "
                   "the organisation; under an identity-perimeter RCP, exempt the account in a custom RCP.")
    references = ("https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html",
                  "https://docs.aws.amazon.com/whitepapers/latest/building-a-data-perimeter-on-aws/perimeter-implementation.html")

    def check(self, ctx: Context) -> Iterator[Finding]:
        scope = ctx.organization
        if scope is None:
            return
        for role in ctx.spec.roles:
            trust = role.trust
            found: list[tuple[str, str]] = []
            if trust.external_account is not None:
                found.append((trust.external_account.account_id, f"{trust.path}.external_account.account_id"))
            for i, principal in enumerate(trust.aws_principals):
                arn = parse_arn(principal)
                account = arn.account if arn else principal if principal.isdigit() else ""
                if account:
                    found.append((account, f"{trust.path}.aws_principals[{i}]"))
            for account, path in found:
                if account in scope.accounts:
                    continue
                arn = ctx.spec.arn("iam", f"role{role.iam_path}{role.name}")
                denial = certain_denial(scope.rcps, "sts:AssumeRole", (arn,), outsider_facts(account))
                if denial is not None:
                    yield self.finding(path, f"role {role.name} trusts account {account}, outside organisation "
                                             f"{scope.org_id}, but RCP {denial[0]} denies sts:AssumeRole to principals "
                                             "outside it: the role can never be assumed", Severity.ERROR)
                else:
                    yield self.finding(path, f"role {role.name} trusts account {account}, outside organisation "
                                             f"{scope.org_id}; record the reason with an exception")
