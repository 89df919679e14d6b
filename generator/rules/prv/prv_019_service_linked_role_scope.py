"""PRV-019: iam:CreateServiceLinkedRole scoped by resource or iam:AWSServiceName."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.base import PrincipalRule
from generator.rules.context import PrincipalView


class ServiceLinkedRoleScope(PrincipalRule):
    id = "PRV-019"
    title = "Service-linked-role creation scoped"
    grade = "LOW"
    rationale = "Creating any service-linked role lets the caller switch on services nobody reviewed."
    remediation = "Add StringEquals iam:AWSServiceName, or name the role ARN (aws-service-role/<service>/*)."
    references = ("Access Analyzer CREATE_SLR_WITH_STAR_IN_RESOURCE",)

    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        for grant in principal.permissions.grants("iam:createservicelinkedrole"):
            if grant.unscoped and "iam:awsservicename" not in grant.constraints:
                yield (principal.where(grant.source, grant.statement, grant.statement.resource_key),
                       f"{grant.location} allows creating any service-linked role")
