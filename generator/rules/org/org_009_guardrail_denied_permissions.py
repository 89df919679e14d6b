"""ORG-009: a member account's generated permissions that an SCP reaching the account denies."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.guardrails import askers, certain_denial, principal_facts
from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context
from generator.rules.helpers import names


class GuardrailDeniedPermissions(Rule):
    id = "ORG-009"
    title = "Permissions an SCP denies"
    grade = "MED"
    modes = frozenset({"spec"})  # a member's account spec, validated within its organisation
    rationale = ("An SCP's Deny wins over any identity policy in the account: a role or user granted an action "
                 "that an SCP on the root, the account's OUs or the account denies it can never use it. The "
                 "grant misleads reviewers and the work it was meant for fails in production.")
    remediation = ("Remove the grant, move the account to an OU whose guardrails allow it, or exempt the "
                   "principal in the guardrail (the catalogue's exempt only the deploy role).")
    references = ("https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html",
                  "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html")

    def check(self, ctx: Context) -> Iterator[Finding]:
        scope = ctx.organization
        if scope is None or not scope.scps:
            return
        dead: dict[tuple[str, str, str], tuple[set[str], set[str], list[str]]] = {}
        for principal in ctx.principals():
            every = [principal_facts(arn) for arn in askers(scope, ctx.spec.account.id, principal.arn, principal.role)]
            for source, stmt in principal.statements():
                if stmt.not_action or stmt.not_resource or any("*" in a for a in stmt.actions):
                    continue
                for action in stmt.actions:
                    denials = [certain_denial(scope.scps, action, stmt.resources, facts) for facts in every]
                    denial = denials[0] if all(d is not None for d in denials) else None
                    if denial is not None:
                        entry = dead.setdefault((source.path, source.key, stmt.path), (set(), set(), []))
                        entry[0].add(action)
                        entry[1].add(denial[0])
                        if principal.label not in entry[2]:
                            entry[2].append(principal.label)
        for (path, key, stmt_path), (actions, scps, who) in dead.items():
            yield self.finding(path, f"{names(actions)} in {key} {stmt_path} of {', '.join(who)} "
                                     f"{'is' if len(actions) == 1 else 'are'} denied by SCP {', '.join(sorted(scps))} "
                                     f"on account {scope.account} and never effective")
