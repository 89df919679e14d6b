"""IDC-001: a `permission_set` role names its department's group and is a role for people."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class PermissionSetDeliverable(Rule):
    id = "IDC-001"
    title = "Permission set without a group, not for people, or delivered nowhere"
    grade = "HIGH"
    rationale = ("A permission set reaches people through an assignment to their group: a department without "
                 "`identity_center.group` has no one to assign it to. And a permission set is for people signing "
                 "in: iamforge delivers only human roles (trust with `require_mfa`) that way, so the "
                 "permissions a workload or a third party needs never land in a person's session.")
    remediation = ("Give the department `identity_center: {group: <display name>}`; deliver only roles whose "
                   "trust has `require_mfa: true` as permission sets.")
    references = ("https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html",
                  "https://docs.aws.amazon.com/singlesignon/latest/userguide/assignusers.html")

    def check(self, ctx: Context) -> Iterator[Finding]:
        for dept in ctx.spec.departments.values():
            for role in dept.roles.values():
                if not role.iam_role and not role.permission_set:
                    yield self.finding(f"{role.path}.iam_role", f"role {role.name} is neither an IAM role "
                                       "(`iam_role: false`) nor a permission set: nothing delivers it")
                if not role.permission_set:
                    continue
                if not dept.identity_center_group:
                    yield self.finding(f"{role.path}.permission_set", f"role {role.name} is a permission set, but "
                                       f"department {dept.key} names no Identity Center group to assign it to "
                                       "(`identity_center.group`)")
                if not role.trust.require_mfa:
                    yield self.finding(f"{role.path}.permission_set", f"role {role.name} is a permission set, but "
                                       "its trust does not require MFA: only roles for people are delivered "
                                       "to people")
