"""``exceptions:`` handling: which findings an entry covers, and marking them suppressed."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from generator.findings import Finding
from generator.spec.model import Exception_


def today() -> date:
    """The day exceptions are judged on when no later one is asked for (the one place the rules
    read the clock)."""
    return date.today()


def path_within(path: str, scope: str) -> bool:
    """True when ``path`` is ``scope`` or lies below it (``a.b`` and ``a[0]`` are within ``a``).

    An empty scope covers nothing: an exception never waives a rule across the whole spec (SPEC-022).
    """
    if not scope:
        return False
    return path == scope or path.startswith(scope + ".") or path.startswith(scope + "[")


def exception_matches(exc: Exception_, finding: Finding) -> bool:
    """True when ``exc`` names the finding's rule and covers its path."""
    return finding.rule_id == exc.rule.upper() and path_within(finding.path, exc.path)


def apply_exceptions(findings: list[Finding], exceptions: list[Exception_], today: date,
                     unwaivable: frozenset[str] = frozenset()) -> list[Finding]:
    """Mark findings covered by a live exception as suppressed (expired ones suppress nothing,
    nor does any exception suppress a rule in ``unwaivable``: SPEC-022 reports such entries)."""
    live = [e for e in exceptions if e.expires >= today and e.rule.upper() not in unwaivable]
    out = []
    for f in findings:
        exc = next((e for e in live if exception_matches(e, f)), None)
        out.append(f if exc is None else replace(f, suppressed=True, suppression_reason=exc.reason))
    return out
