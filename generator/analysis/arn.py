"""ARN parsing and wildcard resource matching."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from generator.analysis.catalog import catalog

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")
_TYPE_STAR = re.compile(r"([A-Za-z0-9_.-]*)[/:]\*")


@dataclass(frozen=True)
class Arn:
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


@lru_cache(maxsize=8192)
def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.S)


def glob_match(pattern: str, value: str) -> bool:
    """IAM wildcard match (``*`` and ``?``), case-sensitive as ARNs are."""
    return pattern == "*" or bool(_rx(pattern).fullmatch(value))


def covers(outer: str, inner: str) -> bool:
    """True when every resource matched by ``inner`` is matched by ``outer`` (approximation:
    ``inner``'s wildcards are taken literally, which is exact for ``*`` suffixes)."""
    return outer == "*" or glob_match(outer, inner)


def has_wildcard(value: str) -> bool:
    return "*" in value or "?" in value


def effectively_star(resource: str) -> bool:
    """True for ``*`` and for ARNs that name every resource of a type, such as
    ``arn:aws:iam::111122223333:role/*`` or ``arn:aws:lambda:*:*:function:*``."""
    if resource == "*":
        return True
    arn = parse_arn(resource)
    if arn is None:
        return False
    if arn.service == "*" or arn.resource.startswith("*"):
        return True
    m = _TYPE_STAR.fullmatch(arn.resource)
    if not m:
        return False
    return m.group(1).lower() in catalog().resource_prefixes(arn.service)
