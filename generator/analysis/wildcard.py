"""IAM wildcard patterns (``*`` and ``?``) as regular expressions that cannot backtrack
exponentially.

Translating each ``*`` to ``.*`` makes a pattern such as ``role/*a*a*a*a*a*a*z`` take time
exponential in its stars on a name that almost matches (minutes for a 450-byte spec). Here
every ``*`` but the last matches the next literal stretch at its leftmost place and never gives
it back (a look-ahead that captures, then a back-reference: an atomic group Python 3.10 can
run), which finds a match whenever one exists, as leftmost placement of the stretches between
stars always does; only the last ``*`` backtracks. The time is then at most the pattern's length
times the value's.
"""
from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=8192)
def wildcard_regex(pattern: str, one: str = ".") -> re.Pattern[str]:
    """``pattern`` as a regex to ``fullmatch``: ``*`` takes any run of characters, ``?`` one
    character matched by the regex ``one``, anything else itself."""
    def literal(part: str) -> str:
        return "".join(one if c == "?" else re.escape(c) for c in part)

    first, *middle, last = pattern.split("*") if "*" in pattern else (pattern, None)
    if last is None:
        return re.compile(literal(first), re.S)
    out = [literal(first)]
    for i, part in enumerate(p for p in middle if p):
        out.append(f"(?=(?P<s{i}>.*?{literal(part)}))(?P=s{i})")
    out.append(f".*{literal(last)}")
    return re.compile("".join(out), re.S)
