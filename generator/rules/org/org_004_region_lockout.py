"""ORG-004: a Region allow-list SCP that would deny IAM or STS locks the deploy role out."""
from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule

# IAM and STS calls go to the global endpoint in us-east-1 (STS also regionally): a Region
# allow-list must exempt them, or every stack's provider fails to assume its role.
PROBES = ("iam:CreateRole", "iam:PassRole", "sts:AssumeRole", "sts:GetCallerIdentity")


def _items(value) -> list:
    return value if isinstance(value, list) else [value]


def _matches(patterns: list, action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), str(p).lower()) for p in patterns)


def _region_condition(stmt: dict) -> bool:
    condition = stmt.get("Condition")
    if not isinstance(condition, dict):
        return False
    return any(isinstance(body, dict) and any(str(k).lower() == "aws:requestedregion" for k in body)
               for op, body in condition.items() if "not" in str(op).lower())


class RegionLockout(Rule):
    id = "ORG-004"
    title = "Region allow-list denies IAM or STS"
    grade = "CRIT"
    modes = frozenset({"organization"})
    rationale = ("IAM and STS are global services whose requests are made to us-east-1; an SCP denying every "
                 "action outside the allowed Regions without exempting them denies the deploy role the IAM calls "
                 "(and the role sessions) every member stack makes.")
    remediation = ("Exempt the global services with NotAction (the catalogue's region-allow-list does, with AWS's "
                   "list), at least iam:* and sts:*.")
    references = ("https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html",
                  "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_deny-requested-region.html")

    def check(self, ctx) -> Iterator[Finding]:
        for policy in ctx.organization.policies.values():
            if policy.kind != "scp":
                continue
            for i, stmt in enumerate(_items(policy.document.get("Statement"))):
                if not isinstance(stmt, dict) or stmt.get("Effect") != "Deny" or not _region_condition(stmt):
                    continue
                if "NotAction" in stmt:
                    denied = [a for a in PROBES if not _matches(_items(stmt["NotAction"]), a)]
                else:
                    denied = [a for a in PROBES if _matches(_items(stmt.get("Action", [])), a)]
                if denied:
                    yield self.finding(policy.path, f"{policy.key} Statement[{i}] denies {', '.join(denied)} outside "
                                       "the allowed Regions: IAM and STS are global (us-east-1), so the deploy role "
                                       "would be locked out; exempt iam:* and sts:*")
