"""PRV-016: roles that compute services assume must not be admin or escalation-capable."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.reachability import escalations_of, trust_of_document
from generator.rules.base import PrincipalRule
from generator.rules.context import PrincipalView
from generator.rules.helpers import unscoped

COMPUTE = ("ec2.amazonaws.com", "ecs-tasks.amazonaws.com", "lambda.amazonaws.com", "eks.amazonaws.com",
           "codebuild.amazonaws.com", "cloudformation.amazonaws.com", "sagemaker.amazonaws.com")


class ComputeRoleAdmin(PrincipalRule):
    id = "PRV-016"
    title = "Compute-assumable roles are not admin"
    grade = "HIGH"
    rationale = "Code on an instance, task or function inherits its role: an admin role turns any code bug into account takeover."
    remediation = "Give the workload role only what the workload calls; keep IAM writes off it."
    references = ("PMapper: Instance Profile Has Administrator Privileges", "cloudsplaining AssumableByComputeService")
    modes = frozenset({"spec", "account"})  # no raw documents: it needs trust policies

    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        role = principal.role
        if role is not None:
            services, path = list(role.trust.services), f"{role.path}.trust.services"
        elif principal.kind == "role" and principal.trust_document is not None:
            services, path = list(trust_of_document(principal.trust_document).services), f"{principal.path}/trust"
        else:
            return
        compute = [s for s in services if s in COMPUTE]
        if not compute:
            return
        # AWS managed policies count here (AdministratorAccess on an instance role is the classic case).
        admin = any(s.every_action and unscoped(s) and not principal.permissions.denied(s)
                    for _, s in principal.statements(include_managed=True))
        escalations = [] if admin else escalations_of(principal)
        if admin or escalations:
            what = "full admin" if admin else f"able to escalate ({escalations[0].method.id})"
            yield path, f"role {principal.name} is assumed by {', '.join(compute)} and is {what}"
