"""Condition operators, and which conditions really narrow a grant.

cloudsplaining counts *any* Condition as a constraint; here only
keys that limit *what* can be reached count, and only with an operator that cannot be
satisfied by leaving the key out.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

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


# -- Conditions that can never hold, or always hold ---------------------------------------------
#
# A statement applies only when every condition of its block holds (AND across operators and
# keys, OR across the values of one key, NOR for a negated operator). ``never_true`` answers True
# only when no request at or after the as-of instant can satisfy the block, ``always_true`` only
# when every such request does; either answers False whenever it is not sure, so an Allow is
# never closed, nor a Deny made to remove a grant, on a guess.

# Keys AWS includes in the request context of every signed request (IAM User Guide, "AWS global
# condition context keys", each key's Availability): identity policies only see signed requests.
ALWAYS_PRESENT = frozenset({
    "aws:currenttime", "aws:epochtime", "aws:securetransport", "aws:principalarn", "aws:principalaccount",
    "aws:principaltype", "aws:userid",
})
# The request's own time: two spellings of one clock (ISO 8601 or seconds since the epoch).
CLOCK_KEYS = frozenset({"aws:currenttime", "aws:epochtime"})
# Numeric keys that are never negative: seconds since MFA sign-in.
NON_NEGATIVE_KEYS = frozenset({"aws:multifactorauthage"})
# At the start of a calendar day somewhere on Earth (UTC+14) it is still 10:00 the day before in UTC.
_EARLIEST_OFFSET = timedelta(hours=14)
_INF = float("inf")


def as_of_instant(as_of: date | datetime | None = None) -> float:
    """The earliest instant (seconds since the epoch, UTC) a request judged ``as_of`` can be made.

    A datetime is taken as given (naive means UTC); a date is the first moment of that day in
    any time zone; None is now. Judging from the earliest instant keeps both answers below safe:
    an Allow is closed only if it cannot hold even then, a Deny removes a grant only if it holds
    from then on.
    """
    if as_of is None:
        return datetime.now(timezone.utc).timestamp()
    if isinstance(as_of, datetime):
        return (as_of if as_of.tzinfo else as_of.replace(tzinfo=timezone.utc)).timestamp()
    start = datetime(as_of.year, as_of.month, as_of.day, tzinfo=timezone.utc)
    return (start - _EARLIEST_OFFSET).timestamp()


def _instant(value: str) -> float | None:
    """A date operator's value (ISO 8601 date or date-time, or epoch seconds) as epoch seconds;
    None when it cannot be told: ``2099`` is epoch second 2099 or, in the W3C profile of ISO 8601
    that AWS names, the year 2099."""
    text = value.strip()
    try:
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return None if re.fullmatch(r"\d{4}", text) else float(text)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).timestamp()


def _number(value: str) -> float | None:
    try:
        return float(value.strip())
    except ValueError:
        return None


class _Window:
    """The values a single-valued key may take: an interval, optionally a finite set of points."""

    def __init__(self, low: float = -_INF, low_open: bool = False) -> None:
        self.low, self.low_open = low, low_open
        self.high, self.high_open = _INF, False
        self.points: set[float] | None = None

    def above(self, value: float, strict: bool) -> None:
        if value > self.low or (value == self.low and strict):
            self.low, self.low_open = value, strict

    def below(self, value: float, strict: bool) -> None:
        if value < self.high or (value == self.high and strict):
            self.high, self.high_open = value, strict

    def among(self, values: list[float]) -> None:
        self.points = set(values) if self.points is None else self.points & set(values)

    def _inside(self, v: float) -> bool:
        return (self.low < v or (v == self.low and not self.low_open)) and \
            (v < self.high or (v == self.high and not self.high_open))

    def empty(self) -> bool:
        if self.points is not None:
            return not any(self._inside(v) for v in self.points)
        return self.low > self.high or (self.low == self.high and (self.low_open or self.high_open))


_COMPARISONS = ("LessThanEquals", "LessThan", "GreaterThanEquals", "GreaterThan", "NotEquals", "Equals")


def _comparison(base: str) -> str:
    return next(c for c in _COMPARISONS if base.endswith(c))


def _requires_presence(cond: Condition) -> bool:
    """True when ``cond`` fails for a request that lacks its key: a non-negated operator (or a
    ForAnyValue one, false on an empty set) without ``IfExists``; ``ForAllValues`` holds on an
    absent key, and so do negated operators."""
    if cond.if_exists or cond.qualifier == "ForAllValues" or operator_family(cond.operator) in (None, "Null"):
        return False
    return cond.qualifier == "ForAnyValue" or not cond.negated


def _matches_nothing(cond: Condition) -> bool:
    """An operator that must match one of no values: ``StringEquals {k: []}``, ``IpAddress {k: []}``."""
    return not cond.values and _requires_presence(cond) and not cond.negated


def _window_empty(key: str, conds: list[Condition], instant: float) -> bool:
    """True when the Date/Numeric comparisons on the clock, or on a never-negative key, leave no
    value. A comparison it cannot read is skipped: leaving one out only widens the window."""
    clock = key in CLOCK_KEYS
    window = _Window(instant) if clock else _Window(0.0)
    compared = False
    for cond in conds:
        family = operator_family(cond.operator)
        if family not in ("Date", "Numeric") or (family == "Date") != (clock and key == "aws:currenttime"):
            continue  # the clock's Date comparisons are grouped under aws:CurrentTime
        if cond.qualifier or not cond.values:
            continue  # a set operator on a single-valued key: not worth guessing
        values = [(_instant if clock else _number)(v) for v in cond.values]
        if any(v is None for v in values):
            continue  # a value IAM would refuse: left to the POL rules
        numbers = [float(v) for v in values if v is not None]
        comparison = _comparison(cond.base)
        if comparison == "NotEquals":
            continue  # removes single points: never empties an interval by itself
        compared = True
        if comparison == "Equals":
            window.among(numbers)
        elif comparison.startswith("Less"):
            window.below(max(numbers), strict=comparison == "LessThan")
        else:
            window.above(min(numbers), strict=comparison == "GreaterThan")
    return compared and window.empty()


def _bool_empty(conds: list[Condition]) -> bool:
    """True when the Bool comparisons on one key admit neither ``true`` nor ``false``."""
    allowed = {"true", "false"}
    compared = False
    for cond in conds:
        if operator_family(cond.operator) != "Bool" or cond.qualifier:
            continue
        compared = True
        allowed &= {v.strip().lower() for v in cond.values}
    return compared and not allowed


def _key_unsatisfiable(key: str, conds: list[Condition], instant: float) -> bool:
    """True when neither a request carrying ``key`` nor one without it satisfies ``conds``."""
    nulls = [{v.strip().lower() for v in c.values} for c in conds if c.base == "Null" and not c.qualifier]
    must_be_absent = any(v == {"true"} for v in nulls)
    always_present = key in ALWAYS_PRESENT
    needs_presence = any(v == {"false"} for v in nulls) or any(_requires_presence(c) for c in conds)
    if must_be_absent and (always_present or needs_presence):
        return True
    present_fails = _bool_empty(conds) or (
        (key in CLOCK_KEYS or key in NON_NEGATIVE_KEYS) and _window_empty(key, conds, instant))
    return present_fails and (always_present or needs_presence)


# The set operators' qualifiers as AWS spells them, and none.
SET_QUALIFIERS = frozenset({"", "ForAllValues", "ForAnyValue"})


def never_true(conditions: tuple[Condition, ...], as_of: date | datetime | float | None = None) -> bool:
    """True when no request made at or after ``as_of`` can satisfy the condition block.

    Recognised, each from the IAM User Guide's condition-operator rules:

    * an operator that must match one of an empty list of values (``StringEquals {k: []}``,
      ``IpAddress {aws:SourceIp: []}``; not negated, ``IfExists`` or ``ForAllValues`` forms,
      which hold when nothing is compared);
    * an upper bound on the request time that has passed (``DateLessThan``/``DateLessThanEquals``
      /``DateEquals`` on ``aws:CurrentTime`` or ``aws:EpochTime``, ``NumericLessThan`` on
      ``aws:EpochTime``), or bounds on it with nothing between them;
    * ``aws:MultiFactorAuthAge`` below 0 (``NumericLessThan 0``), unless ``IfExists`` lets a
      request without MFA through;
    * ``Null {k: true}`` (``k`` absent) with any condition that needs ``k`` present, or on a key
      every signed request carries (``aws:CurrentTime``, ``aws:SecureTransport``, ...);
    * ``Bool`` comparisons of one key that admit neither ``true`` nor ``false``
      (``Bool {k: true}`` with ``BoolIfExists {k: false}``).

    ``as_of`` is a date (judged from the first moment of that day anywhere), a datetime, epoch
    seconds (:func:`as_of_instant`), or None for now. A far-future *lower* bound
    (``DateGreaterThan 2099-01-01``) is not never-true: it will hold one day.
    """
    if not conditions:
        return False
    if any(c.qualifier not in SET_QUALIFIERS for c in conditions):
        return False  # a qualifier AWS does not define (forallvalues:, Foo:): nothing can be judged
    if any(_matches_nothing(c) for c in conditions):
        return True
    instant = as_of if isinstance(as_of, float) else as_of_instant(as_of)
    by_key: dict[str, list[Condition]] = {}
    for cond in conditions:
        # The clock's two spellings are one value: an ISO bound on one and an epoch bound on the other combine.
        by_key.setdefault("aws:currenttime" if cond.key_lower in CLOCK_KEYS and
                          operator_family(cond.operator) == "Date" else cond.key_lower, []).append(cond)
    return any(_key_unsatisfiable(key, conds, instant) for key, conds in by_key.items())


def _holds_always(cond: Condition, instant: float) -> bool:
    key, base = cond.key_lower, cond.base
    values = {v.strip().lower() for v in cond.values}
    present = key in ALWAYS_PRESENT
    if cond.qualifier:
        return False
    if base == "Null":
        return values == {"true", "false"} or (values == {"false"} and present)
    if base == "Bool" and values >= {"true", "false"}:
        return present or cond.if_exists  # IfExists: an absent key passes too
    if not present:
        return False
    if key in CLOCK_KEYS and operator_family(cond.operator) == "Date" and cond.values:
        bounds = [_instant(v) for v in cond.values]
        if any(b is None for b in bounds):
            return False
        numbers = [float(b) for b in bounds if b is not None]
        comparison = _comparison(base)
        if comparison == "GreaterThan":
            return min(numbers) < instant
        if comparison == "GreaterThanEquals":
            return min(numbers) <= instant
        if comparison == "NotEquals":
            return all(b < instant for b in numbers)
        return False
    return base == "StringLike" and "*" in cond.values


def always_true(conditions: tuple[Condition, ...], as_of: date | datetime | float | None = None) -> bool:
    """True when every request made at or after ``as_of`` satisfies the condition block (an empty
    block included): a Deny under it removes what it names as an unconditional Deny would.

    Recognised: a lower bound on the request time that has passed (``DateGreaterThan
    aws:CurrentTime 2020-01-01``); ``Null {k: false}`` on a key every signed request carries, or
    ``Null {k: [true, false]}``; ``Bool`` with both values on such a key (``aws:SecureTransport``)
    or with ``IfExists``; ``StringLike *`` on such a key (``aws:PrincipalArn``).
    A bound that holds only *until* a date (``DateLessThan 2099-01-01``) does not count.
    """
    if not conditions:
        return True
    instant = as_of if isinstance(as_of, float) else as_of_instant(as_of)
    return all(_holds_always(c, instant) for c in conditions)


def decide(conditions: tuple[Condition, ...], facts: dict[str, str | None]) -> bool | None:
    """Whether a statement's ``conditions`` hold for a request of which only ``facts`` are known
    (lower-case key -> single value, or None for a key the request does not carry): True when
    every condition holds, False when one fails, None when one cannot be decided from the facts
    (a key not among them, a set qualifier, an operator outside String, ARN, Bool and Null)."""
    verdict: bool | None = True
    for cond in conditions:
        held = _holds(cond, facts)
        if held is False:
            return False
        if held is None:
            verdict = None
    return verdict


def _holds(cond: Condition, facts: dict[str, str | None]) -> bool | None:
    if cond.qualifier or cond.key_lower not in facts:
        return None
    if any("${" in v for v in cond.values):
        return None  # a policy variable (${aws:PrincipalAccount}): its value is the request's, not known here
    value = facts[cond.key_lower]
    family = operator_family(cond.operator)
    if family == "Null":
        wanted = {v.strip().lower() for v in cond.values}
        if wanted not in ({"true"}, {"false"}):
            return None
        return (value is None) == (wanted == {"true"})
    if value is None:
        # A key the request lacks: IfExists holds; a negated operator holds; any other fails.
        return cond.if_exists or cond.negated
    if family == "Bool":
        matched = any(v.strip().lower() == value.lower() for v in cond.values)
    elif family in ("String", "ARN"):
        base = cond.base
        if base in PATTERN_OPERATORS:
            matched = any(glob_match(v, value) for v in cond.values)
        elif "IgnoreCase" in base:
            matched = any(v.lower() == value.lower() for v in cond.values)
        else:
            matched = value in cond.values
    else:
        return None
    return not matched if cond.negated else matched
