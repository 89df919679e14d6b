"""TAG-003: nobody below the IAM admin can change the authorization tags of principals."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.arn import glob_match
from generator.analysis.catalog import catalog
from generator.analysis.document import Condition, Statement
from generator.analysis.effective import Grant, resources_covered
from generator.findings import Finding
from generator.policies.delegation import authorization_tag_keys
from generator.rules.base import Rule
from generator.rules.context import Context
from generator.rules.helpers import accepted_by_kind

_TAG_ACTIONS = ("iam:tagrole", "iam:untagrole", "iam:taguser", "iam:untaguser")
_MATCHING = frozenset({"StringEquals", "StringEqualsIgnoreCase", "StringLike"})


def _names_any(cond: Condition, keys: list[str]) -> bool:
    # Tag keys of roles and users are case-insensitive: "department" overwrites "Department".
    return any(glob_match(v.lower(), k) for v in cond.values for k in keys)


def _names_all(cond: Condition, keys: list[str]) -> bool:
    return all(any(glob_match(v.lower(), k) for v in cond.values) for k in keys)


def _tag_keys(cond: Condition, qualifier: str) -> bool:
    return (cond.key_lower == "aws:tagkeys" and cond.qualifier == qualifier and cond.base in _MATCHING
            and not cond.if_exists and bool(cond.values))


def allow_list_guard(stmt: Statement, keys: list[str]) -> bool:
    """The Allow only admits requests whose tag keys all come from a list without an
    authorization key (``ForAllValues:StringEquals aws:TagKeys [...]``)."""
    return any(_tag_keys(c, "ForAllValues") and not _names_any(c, keys) for c in stmt.conditions)


def deny_guard(deny: Statement, action: str, grant: Grant, keys: list[str]) -> bool:
    """A Deny of ``action`` over the grant's resources whenever a request touches any
    authorization key (``ForAnyValue:StringEquals aws:TagKeys [...]``); an exemption for the
    administrator (negated ``aws:PrincipalArn``) is the only other condition it may carry."""
    if action not in deny.expanded() or not resources_covered(deny, grant.resources, grant.not_resource):
        return False
    guard = [c for c in deny.conditions if _tag_keys(c, "ForAnyValue") and _names_all(c, keys)]
    others = [c for c in deny.conditions if c not in guard]
    return bool(guard) and all(c.key_lower == "aws:principalarn" and c.negated for c in others)


class PrincipalTagsProtected(Rule):
    id = "TAG-003"
    title = "Principal tags protected"
    grade = "HIGH"
    rationale = "Whoever can re-tag a role or user can move it into another department's ABAC scope."
    remediation = ("Do not grant iam:Tag*/Untag* on roles and users, or allow-list tag keys without the "
                   "authorization keys (ForAllValues:StringEquals aws:TagKeys), or deny them with "
                   "ForAnyValue:StringEquals aws:TagKeys.")
    references = ("IAM examples iam-manage-tags", "IAM User Guide: ABAC authorization")

    def check(self, ctx: Context) -> Iterator[Finding]:
        keys = [k.lower() for k in authorization_tag_keys(ctx.spec)]
        cat = catalog()
        for principal in ctx.principals():
            if accepted_by_kind(principal, self.id):
                continue  # the risk this privileged role's kind states (PRV-030)
            denies = [s for _, s in principal.permissions.denies]
            loose = [(action, g) for action in _TAG_ACTIONS for g in principal.permissions.grants(action)
                     if not allow_list_guard(g.statement, keys)
                     and not any(deny_guard(d, action, g, keys) for d in denies)]
            if loose:
                actions = ", ".join(dict.fromkeys(cat.display(a) for a, _ in loose))
                yield self.finding(principal.path,
                                   f"{principal.label} can change the authorization tags "
                                   f"({', '.join(authorization_tag_keys(ctx.spec))}) of IAM principals: "
                                   f"{actions} ({loose[0][1].location})")
