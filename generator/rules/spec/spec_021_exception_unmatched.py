"""SPEC-021: an exceptions: entry that suppresses nothing is reported."""
from __future__ import annotations

from collections.abc import Iterator

from generator.rules.suppress import exception_matches
from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class ExceptionUnmatched(Rule):
    id = "SPEC-021"
    title = "Exception matches nothing"
    grade = "MED"
    rationale = "A stale exception hides the next finding at that path without anyone reviewing it."
    remediation = "Delete the entry, or correct its rule id or path."
    references = ("iamforge README: exceptions",)
    phase = "post"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for exc in ctx.spec.exceptions:
            # a checkov check's findings come from `iamforge scan`; the generated skip is the match
            if not exc.checkov and exc.expires >= ctx.today and not any(exception_matches(exc, f)
                                                                         for f in ctx.findings):
                yield self.finding(exc.spec_path, f"exception for {exc.rule} at {exc.path} matches no finding")
