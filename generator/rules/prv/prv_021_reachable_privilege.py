"""PRV-021: no principal can become a more privileged one (assume, trust rewrite, PassRole, compute)."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding, Severity
from generator.rules.base import PrincipalRule
from generator.rules.context import Context, PrincipalView
from generator.rules.helpers import accepted_by_kind, designed_privileged_hop

_UNKNOWN_WHY = {
    "account": "the authorization details do not list compute resources; `iamforge audit --from-aws` reads "
               "Lambda functions and instance profiles",
    "spec": "the spec does not describe compute resources",
}


class ReachablePrivilege(PrincipalRule):
    id = "PRV-021"
    title = "No path to a more privileged principal"
    grade = "CRIT"
    rationale = ("A principal that can become an administrator, or a principal that can escalate, through a chain of "
                 "role assumptions, trust rewrites, passed roles or compute running as a role, holds what that "
                 "principal holds.")
    remediation = ("Break the first link of the chain: take the principal out of the trust policy, scope its "
                   "sts:AssumeRole, iam:PassRole or iam:UpdateAssumeRolePolicy grant away from the privileged role, "
                   "or take the compute write off it.")
    references = ("AWS IAM User Guide: Policy evaluation logic within a single account "
                  "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html)",
                  "BishopFox iam-vulnerable privesc-AssumeRole", "PMapper (graph of principals)",
                  "DataDog pathfinding.cloud (https://pathfinding.cloud/paths/sts-001)")
    modes = frozenset({"spec", "account"})  # no raw documents: it needs trust policies

    def check(self, ctx: Context) -> Iterator[Finding]:
        graph = ctx.reachability()
        for principal in ctx.principals():
            if principal.kind == "document" or accepted_by_kind(principal, self.id):
                continue
            for path, message, *severity in self.check_in(graph, principal, ctx.mode, ctx.spec):
                yield self.finding(path, message, *severity)

    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        return iter(())  # the graph spans every principal: see check()

    def check_in(self, graph, principal: PrincipalView, mode: str, spec=None) -> Iterator[tuple]:
        key = f"{principal.kind}/{principal.name}"
        if key not in graph.nodes or graph.privilege(key) == "admin":
            return  # an administrator itself is PRV-001's
        reach = graph.reach(key)
        if reach is not None and designed_privileged_hop(spec, principal, reach.chain):
            return  # a user the trust of a privileged role names: PRV-030 judges that role's controls
        if reach is not None:
            yield principal.path, (f"{principal.label} can become {reach.chain[-1]}: {reach.describe()}; "
                                   f"{reach.detail()}")
            return
        for chain, unknown, privileged in graph.unknown_reach(key)[:1]:
            via = f"{chain.describe().removesuffix(' (unknown)')} " if len(chain.chain) > 1 else ""
            roles = ", ".join(f"{c} ({graph.privilege(c)})" for c in privileged)
            yield principal.path, (f"{principal.label} {('reaches ' + via + 'which ') if via else ''}can change "
                                   f"{unknown.resource} ({unknown.action}, {unknown.method.id}{unknown.method.reference()}): "
                                   f"the role it runs as is unknown ({_UNKNOWN_WHY.get(mode, _UNKNOWN_WHY['spec'])}); "
                                   f"privileged roles that could run it: {roles}"), Severity.WARNING
