"""Condition operators, and which conditions really narrow a grant.

cloudsplaining counts *any* Condition as a constraint (validator-rules.md §1.2); here only
keys that limit *what* can be reached count, and only with an operator that cannot be
satisfied by leaving the key out.
"""
from __future__ import annotations

from generator.analysis.arn import glob_match
from generator.analysis.document import Condition, Statement

OPERATOR_FAMILIES: dict[str, str] = {
    **{op: "String" for op in ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
                               "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike")},
    **{op: "Numeric" for op in ("NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
                                "NumericGreaterThan", "NumericGreaterThanEquals")},
    **{op: "Date" for op in ("DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
                             "DateGreaterThan", "DateGreaterThanEquals")},
    "Bool": "Bool",
    "BinaryEquals": "Binary",
    "IpAddress": "IPAddress",
    "NotIpAddress": "IPAddress",
    **{op: "ARN" for op in ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike")},
    "Null": "Null",
}
POSITIVE = frozenset({"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"})
NEGATIVE = frozenset({"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"})

# Keys that limit which principal, role or resource a grant reaches.
NARROWING_KEYS = frozenset({
    "iam:passedtoservice",
    "iam:permissionsboundary",
    "iam:policyarn",
    "iam:associatedresourcearn",
    "iam:awsservicename",
    "aws:sourcearn",
    "aws:sourceaccount",
    "ec2:instanceprofile",
    "cloudformation:rolearn",
})
ADMIN_POLICY_ARNS = (
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/IAMFullAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
)


def operator_family(operator: str) -> str | None:
    """``String`` for ``ForAnyValue:StringLikeIfExists``; None for an unknown operator."""
    return OPERATOR_FAMILIES.get(Condition(operator, "", ()).base)


def _constraint_key(cond: Condition) -> str | None:
    key = cond.key_lower
    if key in NARROWING_KEYS:
        if key == "iam:policyarn" and any(glob_match(v, a) for v in cond.values for a in ADMIN_POLICY_ARNS):
            return None
        return key
    # aws:ResourceTag/<k> and service aliases (iam:ResourceTag/<k>, ec2:ResourceTag/<k>) compared
    # with the caller's own tag: the ABAC pattern (validator-rules.md §3.7).
    if ":resourcetag/" in key and cond.values and all("${aws:principaltag/" in v.lower() for v in cond.values):
        return "resource-tag-match"
    return None


def _constraints(stmt: Statement, operators: frozenset[str], if_exists_counts: bool) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for cond in stmt.conditions:
        if cond.base not in operators or cond.qualifier == "ForAllValues" or (cond.if_exists and not if_exists_counts):
            continue
        if not cond.values or all(v == "*" for v in cond.values):
            continue
        key = _constraint_key(cond)
        if key:
            out[key] = out.get(key, ()) + cond.values
    return out


def allow_constraints(stmt: Statement) -> dict[str, tuple[str, ...]]:
    """Narrowing keys of an Allow statement, with their values. ``...IfExists`` does not
    narrow: the request passes when the key is left out."""
    return _constraints(stmt, POSITIVE, if_exists_counts=False)


def deny_constraints(stmt: Statement) -> dict[str, tuple[str, ...]]:
    """Keys a Deny statement forces on matching allows (``Deny ... StringNotEquals key X``
    means the request must carry ``key = X``; with ``IfExists`` a missing key is denied too)."""
    return _constraints(stmt, NEGATIVE, if_exists_counts=True)


def service_allowed(constraints: dict[str, tuple[str, ...]], service_principal: str) -> bool:
    """False when an ``iam:PassedToService`` constraint excludes ``service_principal``."""
    values = constraints.get("iam:passedtoservice")
    return values is None or any(glob_match(v.lower(), service_principal) for v in values)
