"""SPEC-020: an exceptions: entry past its expiry date is an error (and suppresses nothing)."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class ExceptionExpired(Rule):
    id = "SPEC-020"
    title = "Exception expired"
    grade = "BLOCK"
    rationale = "Exceptions are temporary by design; an expired one must be renewed with a reason or removed."
    remediation = "Fix the finding and delete the entry, or move `expires` forward after a fresh review."
    references = ("iamforge README: exceptions",)
    phase = "post"  # runs after suppression: no exception can hide an expired exception

    def check(self, ctx: Context) -> Iterator[Finding]:
        for exc in ctx.spec.exceptions:
            if exc.expires < ctx.today:
                yield self.finding(f"{exc.spec_path}.expires",
                                   f"exception for {exc.rule} at {exc.path} expired on {exc.expires.isoformat()}")
