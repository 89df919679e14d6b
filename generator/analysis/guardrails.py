"""What an organisation's SCPs and RCPs certainly deny, for the rules of a member's account spec.

A member account's spec is validated with a :class:`MemberScope`: the organisation's accounts
and the SCPs and RCPs that reach that account (the root's, its OUs', its own). A Deny statement
*certainly* applies to a request when its action matches, its resources cover the request's and
every condition holds on what is known of the request (:func:`generator.analysis.conditions.decide`);
a condition that cannot be decided (the requested Region, a tag) never makes a denial certain.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from generator.analysis.arn import covers, glob_match
from generator.analysis.conditions import decide
from generator.analysis.document import Policy, Statement


@dataclass(frozen=True)
class MemberScope:
    """The organisation as a member account's rules see it."""

    org_id: str
    account: str  # the member's key in the organisation spec
    accounts: frozenset[str]  # every account id of the organisation, the management account's included
    scps: tuple[tuple[str, Policy], ...] = ()  # (policy key, normalized document), root first
    rcps: tuple[tuple[str, Policy], ...] = ()
    identity_center: bool = False  # the organisation spec delivers permission sets (``identity_center:``)
    identity_center_region: str = ""  # the Identity Center instance's Region


def _action_matches(stmt: Statement, action: str) -> bool:
    hit = any(glob_match(p.lower(), action.lower()) for p in stmt.actions)
    return hit != stmt.not_action


def certain_denial(policies: tuple[tuple[str, Policy], ...], action: str, resources: tuple[str, ...],
                   facts: dict[str, str | None]) -> tuple[str, Statement] | None:
    """The first (policy key, statement) that certainly denies ``action`` on every one of
    ``resources`` for a request carrying ``facts``; None when none does."""
    for key, policy in policies:
        for stmt in policy.statements:
            if stmt.effect != "Deny" or stmt.not_resource or not _action_matches(stmt, action):
                continue
            if not all(any(r == "*" or covers(r, want) for r in stmt.resources) for want in resources):
                continue
            if decide(stmt.conditions, facts) is True:
                return key, stmt
    return None


def certain_scp_denies(scope: MemberScope | None, *principal_arns: str) -> list[tuple[str, Policy]]:
    """Per SCP reaching the account, its Deny statements that apply to every request of each of
    ``principal_arns`` (conditions all decided true on who asks), without their conditions: what
    the principal's effective permissions lose inside the organisation, as its own Denies would.
    A role delivered as a permission set too is asked as both: its IAM role and the role IAM
    Identity Center provisions (:func:`provisioned_role_arns`)."""
    if scope is None:
        return []
    every = [principal_facts(arn) for arn in principal_arns]
    out = []
    for key, policy in scope.scps:
        certain = tuple(replace(stmt, conditions=(), _memo={}) for stmt in policy.statements
                        if stmt.effect == "Deny" and all(decide(stmt.conditions, facts) is True for facts in every))
        if certain:
            out.append((key, Policy(policy.version, certain, policy.raw)))
    return out


def provisioned_role_arns(account_id: str, name: str, region: str = "") -> tuple[str, ...]:
    """ARNs the role IAM Identity Center provisions for permission set ``name`` may have (its id
    suffix is the instance's: a placeholder here), at the reserved path with and without the
    instance's Region."""
    role = f"AWSReservedSSO_{name}_{'0' * 16}"
    paths = ["/aws-reserved/sso.amazonaws.com/"] + ([f"/aws-reserved/sso.amazonaws.com/{region}/"] if region else [])
    return tuple(f"arn:aws:iam::{account_id}:role{p}{role}" for p in paths)


def askers(scope: MemberScope | None, account_id: str, principal_arn: str, role: object = None) -> tuple[str, ...]:
    """Every ARN a principal's requests come as: its own, and for a role delivered as a permission
    set in an organisation with Identity Center, the role Identity Center provisions."""
    if scope is not None and scope.identity_center and getattr(role, "permission_set", False):
        provisioned = provisioned_role_arns(account_id, getattr(role, "name"), scope.identity_center_region)
        return (principal_arn, *provisioned) if getattr(role, "iam_role", True) else provisioned
    return (principal_arn,)


def principal_facts(principal_arn: str) -> dict[str, str | None]:
    """What is known of every request a role or user of the member makes: who makes it."""
    return {"aws:principalarn": principal_arn, "aws:principalisawsservice": "false"}


def outsider_facts(account: str) -> dict[str, str | None]:
    """What is known of a request by a principal of ``account``, outside the organisation."""
    return {"aws:principalorgid": None, "aws:principalaccount": account, "aws:principalisawsservice": "false"}
