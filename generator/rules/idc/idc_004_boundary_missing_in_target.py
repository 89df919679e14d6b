"""IDC-004: every account a permission set is assigned in has the boundary it names."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule


class BoundaryMissingInTarget(Rule):
    id = "IDC-004"
    title = "Permission set boundary missing in a target account"
    grade = "HIGH"
    modes = frozenset({"organization"})
    rationale = ("A permission set takes its permissions boundary by name and path: IAM Identity Center looks "
                 "the policy up in each account it provisions the permission set into, and fails the assignment "
                 "where it is missing. In iamforge the department's boundary is created by the account's own "
                 "stack, from a `boundaries` entry of the same key in that account's spec; an account without it "
                 "(or without a spec, so without a stack) cannot receive the permission set.")
    remediation = ("Declare the boundary (same key) in the target account's spec, or assign the permission set "
                   "elsewhere.")
    references = ("https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsboundaries.html",
                  "https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PutPermissionsBoundaryToPermissionSet.html")

    def check(self, ctx) -> Iterator[Finding]:
        org = ctx.organization
        if org.identity_center is None:
            return
        for ps in org.identity_center.permission_sets.values():
            boundary = ps.role.boundary
            if not boundary:
                continue
            for key in ps.targets:
                member = org.accounts[key]
                if member.spec is not None and boundary in member.spec.boundaries:
                    continue
                why = " gives no spec, so it has no stack" if member.spec is None else \
                    f"'s spec declares no boundary {boundary!r}"
                yield self.finding(ps.path or org.accounts[ps.account].path,
                                   f"permission set {ps.name} names boundary iamforge-boundary-{boundary}, but "
                                   f"account {key}{why}: Identity Center cannot provision it there")
