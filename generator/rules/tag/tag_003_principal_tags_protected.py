"""TAG-003: nobody below the IAM admin can change principal tags."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


_TAG_ACTIONS = ("iam:tagrole", "iam:untagrole", "iam:taguser", "iam:untaguser")


class PrincipalTagsProtected(Rule):
    id = "TAG-003"
    title = "Principal tags protected"
    grade = "HIGH"
    rationale = "Whoever can re-tag a role or user can move it into another department's ABAC scope."
    remediation = "Do not grant iam:Tag*/Untag* on roles and users, or restrict aws:TagKeys away from the ABAC key."
    references = ("IAM examples iam-manage-tags", "validator-rules.md §3.7")

    def check(self, ctx: Context) -> Iterator[Finding]:
        for principal in ctx.principals():
            for action in _TAG_ACTIONS:
                for grant in principal.permissions.grants(action):
                    guarded = any(c.key_lower in ("aws:tagkeys",) or c.key_lower.startswith("aws:requesttag/")
                                  for c in grant.statement.conditions)
                    if not guarded:
                        yield self.finding(principal.path, f"{principal.label} can change tags of IAM principals "
                                                            f"({action} in {grant.location})")
                        break
