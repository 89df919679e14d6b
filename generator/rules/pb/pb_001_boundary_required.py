"""PB-001: every role and user that can change resources carries a permission boundary."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.managed import lookup
from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context
from generator.rules.helpers import hits, names


class BoundaryRequired(Rule):
    id = "PB-001"
    title = "Boundary on department roles"
    grade = "HIGH"
    rationale = "The boundary is the ceiling that keeps a department's mistakes inside the department."
    remediation = "Give the department a `boundary:`."
    references = ("IAM User Guide: access_policies_boundaries",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        for principal in ctx.principals():
            if principal.boundary is not None or principal.department is not None:
                # A spec department's group cannot carry a boundary (IAM has none for groups); its
                # members carry the department's, and are judged here as users.
                continue
            writes = set().union(*(hits(s, "mutating") for _, s in principal.statements()))
            risky = [a for a in principal.managed_policies if (e := lookup(a)) is None or e.broad]
            if writes or risky:
                what = names(writes) if writes else ", ".join(risky)
                yield self.finding(principal.path, f"{principal.label} has no permission boundary but can change "
                                                    f"resources ({what})")
