"""IDC-006: IAM users in an account of an organisation."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class IamUsersInOrganization(Rule):
    id = "IDC-006"
    title = "IAM users where Identity Center could serve"
    grade = "LOW"
    rationale = ("In an organisation, people are best given access through IAM Identity Center (or another "
                 "federation): one identity and one MFA per person for every account, temporary credentials "
                 "only, and access removed in one place when someone leaves. IAM users keep a long-lived "
                 "password in each account, which AWS's IAM best practices keep for what federation cannot do. "
                 "CIS AWS Foundations v7.0 (2.19) asks for central identity federation.")
    remediation = ("Give the department `identity_center.group`, mark its roles `permission_set: true`, set "
                   "`organization.identity_center`, then remove the users once people sign in through it.")
    references = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-users-federation-idp",
                  "https://docs.aws.amazon.com/singlesignon/latest/userguide/what-is.html")

    def check(self, ctx: Context) -> Iterator[Finding]:
        scope = ctx.organization
        if scope is None:
            return
        for dept in ctx.spec.departments.values():
            if not dept.users:
                continue
            names = ", ".join(u.name for u in dept.users)
            if scope.identity_center and dept.identity_center_group and any(
                    r.permission_set for r in dept.roles.values()):
                how = (f"its people sign in through Identity Center (group {dept.identity_center_group}): remove "
                       "the IAM users once they do")
            else:
                how = "deliver its roles as permission sets through Identity Center instead"
            yield self.finding(dept.users[0].path, f"department {dept.key} has IAM users ({names}) in an account "
                               f"of organisation {scope.org_id}; {how}")
