"""Condition operators, and which conditions really narrow a grant.

cloudsplaining counts *any* Condition as a constraint; here only
keys that limit *what* can be reached count, and only with an operator that cannot be
satisfied by leaving the key out.
"""
from __future__ import annotations

from generator.analysis.arn import effectively_star, glob_match
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
# Keys holding the tags already on the target, beyond ``<service>:ResourceTag/<k>``.
_RESOURCE_TAG_KEYS = ("s3:existingobjecttag/",)
ADMIN_POLICY_ARNS = (
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/IAMFullAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
)


def operator_family(operator: str) -> str | None:
    """``String`` for ``ForAnyValue:StringLikeIfExists``; None for an unknown operator."""
    return OPERATOR_FAMILIES.get(Condition(operator, "", ()).base)


# Operators whose values are patterns: IAM's ArnEquals matches wildcards exactly as ArnLike does.
PATTERN_OPERATORS = frozenset({"StringLike", "StringNotLike", "ArnLike", "ArnNotLike", "ArnEquals", "ArnNotEquals"})


def open_value(cond: Condition, value: str) -> bool:
    """True when a pattern value admits everything a caller could want: ``*``, ``*.amazonaws.com``
    (every service), ``arn:aws:iam::<acct>:policy/*`` (any policy, one the caller creates too)."""
    if value == "*":
        return True
    if cond.base not in PATTERN_OPERATORS:
        return False  # StringEquals compares literally: a "*" there matches only "*"
    return value[:1] in ("*", "?") or effectively_star(value)


def _constraint_key(cond: Condition) -> str | None:
    key = cond.key_lower
    if key in NARROWING_KEYS:
        if any(open_value(cond, v) for v in cond.values):
            return None
        # Attaching, or setting as the boundary, a policy that grants everything narrows nothing.
        if key in ("iam:policyarn", "iam:permissionsboundary") and any(
                glob_match(v, a) for v in cond.values for a in ADMIN_POLICY_ARNS):
            return None
        return key
    # aws:ResourceTag/<k>, service aliases (iam:ResourceTag/<k>, ec2:ResourceTag/<k>) and
    # S3's object tags (s3:ExistingObjectTag/<k>) compared with the caller's own tag: the ABAC
    # pattern.
    resource_tag = key.startswith(_RESOURCE_TAG_KEYS) or ":resourcetag/" in key
    if resource_tag and cond.values and all("${aws:principaltag/" in v.lower() for v in cond.values):
        return "resource-tag-match"
    return None


def _narrowing(cond: Condition, operators: frozenset[str], if_exists_counts: bool) -> str | None:
    """The constraint ``cond`` imposes (a narrowing key, or ``resource-tag-match``), or None."""
    if cond.base not in operators or cond.qualifier == "ForAllValues" or (cond.if_exists and not if_exists_counts):
        return None
    if not cond.values or all(v == "*" for v in cond.values):
        return None
    return _constraint_key(cond)


def _constraints(stmt: Statement, operators: frozenset[str], if_exists_counts: bool) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for cond in stmt.conditions:
        key = _narrowing(cond, operators, if_exists_counts)
        if key:
            out[key] = out.get(key, ()) + cond.values
    return out


def allow_constraints(stmt: Statement) -> dict[str, tuple[str, ...]]:
    """Narrowing keys of an Allow statement, with their values. ``...IfExists`` does not
    narrow: the request passes when the key is left out."""
    return dict(stmt.memo("_allow_constraints", lambda s: _constraints(s, POSITIVE, if_exists_counts=False)))


def deny_constraints(stmt: Statement) -> dict[str, tuple[str, ...]]:
    """Keys a Deny statement forces on matching allows (``Deny ... StringNotEquals key X``
    means the request must carry ``key = X``; with ``IfExists`` a missing key is denied too).

    A Deny applies only when *all* its conditions hold, so it forces its keys only when every
    condition is such a negated narrowing one: ``StringNotEquals iam:PassedToService X`` next
    to ``StringEquals aws:RequestedRegion eu-west-1`` denies nothing outside that region, and
    forces nothing.
    """
    return dict(stmt.memo("_deny_constraints", _deny_constraints))


def _deny_constraints(stmt: Statement) -> dict[str, tuple[str, ...]]:
    if not all(_narrowing(c, NEGATIVE, if_exists_counts=True) for c in stmt.conditions):
        return {}
    return _constraints(stmt, NEGATIVE, if_exists_counts=True)


def service_allowed(constraints: dict[str, tuple[str, ...]], service_principal: str) -> bool:
    """False when an ``iam:PassedToService`` constraint excludes ``service_principal``."""
    values = constraints.get("iam:passedtoservice")
    return values is None or any(glob_match(v.lower(), service_principal) for v in values)


def pins(cond: Condition) -> bool:
    """True when ``cond`` holds only for requests that carry its key with a matching value that
    is not a blanket wildcard: the shape a trust-policy guard (``sts:ExternalId``,
    ``<issuer>:sub``, ``aws:SourceAccount``, MFA) must have to keep anyone out.

    Negated operators, ``...IfExists`` (a missing key passes), ``ForAllValues`` (an empty set
    passes), ``Null`` and ``Bool ... "false"`` do not pin; neither does ``StringLike "*"``.
    """
    if cond.negated or cond.if_exists or cond.qualifier == "ForAllValues" or not cond.values:
        return False
    family = operator_family(cond.operator)
    if family in (None, "Null"):
        return False
    if family == "Bool":
        return all(v.lower() == "true" for v in cond.values)
    return not any(open_value(cond, v) for v in cond.values)


def pinned_keys(stmt: Statement) -> frozenset[str]:
    """Lower-case keys of ``stmt``'s conditions that :func:`pins` accepts."""
    return frozenset(c.key_lower for c in stmt.conditions if pins(c))
