"""PRV-016: roles that compute services assume must not be admin or escalation-capable."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.escalation import find_escalations
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
    modes = frozenset({"spec"})

    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        role = principal.role
        if role is None or not any(s in COMPUTE for s in role.trust.services):
            return
        admin = any(s.every_action and unscoped(s) for _, s in principal.statements())
        escalations = find_escalations(principal.permissions, principal.targets)
        if admin or escalations:
            what = "full admin" if admin else f"able to escalate ({escalations[0].method.id})"
            yield (f"{role.path}.trust.services",
                   f"role {role.name} is assumed by {', '.join(role.trust.services)} and is {what}")
