"""IDC-002: a permission set within IAM Identity Center's limits."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from generator.findings import Finding
from generator.policies import minified_size
from generator.policies.identity_center import permission_set_policies
from generator.rules.base import Rule
from generator.rules.context import Context

NAME_MAX = 32  # CreatePermissionSet: Name 1-32, [\w+=,.@-]
NAME_RE = re.compile(r"^[\w+=,.@-]{1,32}\Z", re.ASCII)
DESCRIPTION_MAX = 700
DESCRIPTION_RE = re.compile(r"^[\t\n\r\u0020-\u007e\u00a1-\u00ff]*\Z")
# Identity Center provisions the inline policy as the role's inline policy: IAM's 10,240
# characters (whitespace excluded) for all of a role's inline policies.
INLINE_MAX = 10_240
MANAGED_MAX = 20  # managed policies per permission set (AWS and customer managed)


class PermissionSetLimits(Rule):
    id = "IDC-002"
    title = "Permission set over an IAM Identity Center limit"
    grade = "HIGH"
    waivable = False  # AWS refuses the permission set or fails to provision it
    rationale = ("IAM Identity Center refuses a permission set whose name is longer than 32 characters or whose "
                 "description is longer than 700, and fails to provision one into an account when its inline "
                 "policy is larger than the 10,240 characters IAM allows a role's inline policies, or when more "
                 "than 20 managed policies are attached. The inline policy is the role's inline policies merged, "
                 "so each statement id must stay unique in it.")
    remediation = ("Shorten the department or role key, the description; move statements into customer managed "
                   "policies; give colliding statements distinct `sid`s.")
    references = ("https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html",
                  "https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreatePermissionSet.html",
                  "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html")

    def check(self, ctx: Context) -> Iterator[Finding]:
        if ctx.organization is None or not ctx.organization.identity_center:
            return  # on its own the role is an IAM role only (IDC-003 says so)
        for role in ctx.spec.roles:
            if not role.permission_set:
                continue
            where = f"{role.path}.permission_set"
            if not NAME_RE.match(role.name):
                yield self.finding(where, f"permission set name {role.name} has {len(role.name)} characters; IAM "
                                   f"Identity Center allows {NAME_MAX}: shorten the department or role key")
            if len(role.description) > DESCRIPTION_MAX or not DESCRIPTION_RE.match(role.description):
                yield self.finding(f"{role.path}.description", f"permission set {role.name}'s description must be "
                                   f"at most {DESCRIPTION_MAX} printable Latin-1 characters")
            if len(role.managed_policies) > MANAGED_MAX:
                yield self.finding(f"{role.path}.managed_policies", f"permission set {role.name} would attach "
                                   f"{len(role.managed_policies)} managed policies; IAM Identity Center allows "
                                   f"{MANAGED_MAX}")
            inline = permission_set_policies(ctx.spec, role, ctx.policies).inline
            if inline is None:
                continue
            size = minified_size(inline)
            if size > INLINE_MAX:
                yield self.finding(where, f"permission set {role.name}'s inline policy (its permissions, ABAC and "
                                   f"delegation merged) has {size} characters; the role Identity Center provisions "
                                   f"takes {INLINE_MAX}")
            sids = Counter(s.get("Sid") for s in inline["Statement"] if s.get("Sid"))
            for sid, n in sorted(sids.items()):
                if n > 1:
                    yield self.finding(where, f"statement id {sid} appears {n} times in permission set "
                                       f"{role.name}'s merged inline policy: give the statements distinct `sid`s")
