"""POL-005: resource ARNs are well formed and belong to a service of the statement."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.arn import PARTITIONS, parse_arn
from generator.analysis.catalog import catalog
from generator.rules.base import DocumentRule
from generator.rules.context import DocView


class ResourceArns(DocumentRule):
    id = "POL-005"
    title = "Resource ARNs valid and matching the actions"
    grade = "HIGH"
    rationale = "A malformed ARN, or one of another service, never matches: the statement silently does nothing."
    remediation = "Write arn:<partition>:<service>:<region>:<account>:<resource> for a service the statement's actions use."
    references = ("Access Analyzer: Invalid ARN *", "parliament INVALID_ARN / RESOURCE_MISMATCH")
    kinds = ("identity", "boundary")

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        for stmt in doc.policy.statements:
            services = set(stmt.services())
            listed = isinstance(stmt.raw.get(stmt.resource_key), list)
            for i, resource in enumerate(stmt.resources):
                path = f"{stmt.path}.{stmt.resource_key}" + (f"[{i}]" if listed else "")
                problem = self._problem(resource, services, stmt.not_action or stmt.every_action)
                if problem and not self._takes_arns_of(stmt, resource):
                    yield path, problem

    @staticmethod
    def _takes_arns_of(stmt, resource: str) -> bool:
        """True when some action of ``stmt`` takes ARNs of the resource's service, per the catalogue
        (``sts:AssumeRole`` on an IAM role, ``ssm:StartSession`` on an EC2 instance)."""
        arn = parse_arn(resource)
        if arn is None or stmt.not_action:
            return False
        cat = catalog()
        return any(arn.service in cat.arn_services(action) for action in stmt.expanded())

    @staticmethod
    def _problem(resource: str, services: set[str], any_service: bool) -> str | None:
        if resource == "*" or resource.startswith("${"):
            return None
        arn = parse_arn(resource)
        if arn is None:
            return f"resource {resource!r} is not an ARN (arn:partition:service:region:account:resource)"
        if arn.partition not in PARTITIONS and "*" not in arn.partition and "$" not in arn.partition:
            return f"resource {resource!r} has an unknown partition {arn.partition!r}"
        if arn.service != arn.service.lower():
            return f"resource {resource!r}: the service in an ARN is lower-case"
        if not arn.resource:
            return f"resource {resource!r} has no resource part"
        if arn.account and not any(c in arn.account for c in "*?$") and not (
                arn.account.isdigit() and len(arn.account) == 12) and arn.account != "aws":
            return f"resource {resource!r}: account {arn.account!r} is not a 12-digit account id"
        if services and not any_service and "*" not in arn.service and arn.service not in services:
            return f"resource {resource!r} is a {arn.service} ARN, but the statement's actions are {', '.join(sorted(services))}"
        return None
