"""IDC-003: a `permission_set` role that nothing delivers."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding, Severity
from generator.rules.base import Rule
from generator.rules.context import Context


class PermissionSetOutsideIdentityCenter(Rule):
    id = "IDC-003"
    title = "Permission set that no organisation delivers"
    grade = "LOW"
    rationale = ("Permission sets live in an organisation's IAM Identity Center instance: only an organisation "
                 "spec with `identity_center` creates them and assigns them. A `permission_set` role in a spec "
                 "applied on its own is generated as an IAM role only; in an organisation without "
                 "`identity_center`, the people it was meant for never get it.")
    remediation = ("Apply the spec from an organisation spec whose `organization.identity_center` is set, or "
                   "drop `permission_set`.")
    references = ("https://docs.aws.amazon.com/singlesignon/latest/userguide/what-is.html",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        scope = ctx.organization
        if scope is not None and scope.identity_center:
            return
        for role in ctx.spec.roles:
            if not role.permission_set:
                continue
            if scope is None and not role.iam_role:
                yield self.finding(f"{role.path}.permission_set", f"role {role.name} is only a permission set "
                                   "(`iam_role: false`): on its own this spec delivers it to no one; an organisation "
                                   "spec with `identity_center` does", Severity.WARNING)
            elif scope is None:
                yield self.finding(f"{role.path}.permission_set", f"role {role.name} becomes a permission set only "
                                   "when an organisation spec with `identity_center` applies this spec; on its own "
                                   "it is an IAM role")
            else:
                yield self.finding(f"{role.path}.permission_set", f"role {role.name} is a permission set, but "
                                   f"organisation {scope.org_id} has no `identity_center`: no one gets it",
                                   Severity.ERROR)
