"""ARN parsing and wildcard resource matching."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from typing import Generic, Iterable, NamedTuple, TypeVar

from generator.analysis.catalog import catalog
from generator.analysis.wildcard import wildcard_regex

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")


class Arn(NamedTuple):
    """The five parts of an ARN after ``arn:`` (a tuple: parsed for every resource of every
    statement checked)."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def resource_type(self) -> str:
        """``role`` for ``role/path/name``, ``function`` for ``function:name``, '' when untyped."""
        m = re.match(r"([A-Za-z0-9_.-]+)[/:]", self.resource)
        return m.group(1).lower() if m else ""


def parse_arn(value: str) -> Arn | None:
    """Split an ARN into its six parts (None when it has fewer than six)."""
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(*parts[1:])


def glob_match(pattern: str, value: str) -> bool:
    """IAM wildcard match (``*`` and ``?``), case-sensitive as ARNs are."""
    return pattern == "*" or bool(wildcard_regex(pattern).fullmatch(value))


T = TypeVar("T")


class ArnIndex(Generic[T]):
    """Items by ARN, sorted, so that a pattern reads only the ARNs sharing its literal start:
    matching a pattern against thousands of principals costs the matches, not the principals."""

    def __init__(self, items: Iterable[tuple[str, T]]) -> None:
        pairs = sorted(items, key=lambda pair: pair[0])
        self._arns = [arn for arn, _ in pairs]
        self._items = [item for _, item in pairs]

    def matching(self, pattern: str) -> list[T]:
        """The items whose ARN ``pattern`` matches, in ARN order."""
        literal = pattern.split("*", 1)[0].split("?", 1)[0]
        lo, hi = bisect_left(self._arns, literal), bisect_right(self._arns, literal + "\U0010ffff")
        return [self._items[i] for i in range(lo, hi) if glob_match(pattern, self._arns[i])]


# ``inner``'s wildcards, as characters no ARN holds: a literal of ``outer`` never matches one.
_ANY, _ONE = "\x00", "\x01"


def covers(outer: str, inner: str) -> bool:
    """True when every resource matched by ``inner`` is matched by ``outer``.

    Sound, not complete: it answers True only when ``outer`` matches ``inner`` with each of
    ``inner``'s wildcards taken by a wildcard of ``outer`` that matches at least as much (a ``*`` by
    a ``*``, a ``?`` by a ``?`` or a ``*``). So a Deny on ``role/?`` (one-character names) never
    counts as covering an Allow on ``role/*``: a Deny removes a grant only where it surely does.
    """
    if outer == "*":
        return True
    if not has_wildcard(inner):
        return glob_match(outer, inner)
    # ``outer`` over ``inner``'s tokens: its ``*`` takes anything (wildcards included), its ``?``
    # one character or ``inner``'s ``?``, never ``inner``'s ``*`` (many characters).
    tokens = inner.replace("*", _ANY).replace("?", _ONE)
    return bool(wildcard_regex(outer, f"[^{_ANY}]").fullmatch(tokens))


def has_wildcard(value: str) -> bool:
    return "*" in value or "?" in value


@lru_cache(maxsize=65536)
def effectively_star(resource: str) -> bool:
    """True when a resource pattern reaches every resource of some type, as ``*`` does.

    ``arn:aws:iam::111122223333:role/*`` names every role of the account; so do
    ``...:role*``, ``...:r*``, ``...:role/?*`` and ``arn:aws:iam::*`` (a wildcard before the
    resource field swallows the colons after it). ``...:role/engineering/*`` and
    ``arn:aws:s3:::acme-*`` (a bucket-name prefix) are scoped. The account field is not
    judged: "every role of one account" is as open as "every role" for escalation.
    """
    if resource == "*":
        return True
    if not has_wildcard(resource):
        return False
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return parts[0] == "arn" and resource.endswith("*")
    service, body = parts[2], parts[5]
    if has_wildcard(service):
        return True
    first = min(i for i in (body.find("*"), body.find("?"), len(body)) if i >= 0)
    literal, rest = body[:first].lower(), body[first:]
    if "*" not in rest or rest.strip("*?"):
        return False  # ends in a literal (``role/*-admin``): only some names match
    if not literal:
        return True
    cat = catalog()
    if cat.untyped_resources(service):
        return False
    return any(f"{t}/".startswith(literal) or f"{t}:".startswith(literal) for t in cat.resource_prefixes(service))
