"""PB-001: every role and user that can change resources carries a permission boundary."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.document import Statement
from generator.analysis.managed import lookup
from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context
from generator.rules.helpers import SELF_SERVICE, accepted_by_kind, hits, names

SELF = "${aws:username}"
# Becoming a role changes nothing (the role is judged, with its own boundary); creating one's
# virtual MFA device is the force-MFA self-service.
NOT_A_CHANGE = frozenset({"sts:assumerole"}) | SELF_SERVICE


def _own_only(stmt: Statement) -> bool:
    """A statement on nothing but the caller's own user (``${aws:username}``): the force-MFA
    self-service, which changes only the caller's password and MFA devices."""
    return bool(stmt.resources) and not stmt.not_resource and all(SELF in r for r in stmt.resources)


class BoundaryRequired(Rule):
    id = "PB-001"
    modes = frozenset({"spec", "account"})  # it reads only ctx.principals(): real principals too
    title = "Boundary on department roles"
    grade = "HIGH"
    rationale = "The boundary is the ceiling that keeps a department's mistakes inside the department."
    remediation = "Give the department a `boundary:`."
    references = ("IAM User Guide: access_policies_boundaries",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        for principal in ctx.principals():
            if accepted_by_kind(principal, self.id):
                continue  # the risk this privileged role's kind states (PRV-030)
            if principal.boundary is not None or principal.department is not None:
                # A spec department's group cannot carry a boundary (IAM has none for groups); its
                # members carry the department's, and are judged here as users.
                continue
            writes = set().union(*(principal.permissions.remaining(s, hits(s, "mutating"))
                                   for _, s in principal.statements() if not _own_only(s)))
            writes -= NOT_A_CHANGE
            risky = [a for a in principal.managed_policies if (e := lookup(a)) is None or e.broad]
            if writes or risky:
                what = names(writes) if writes else ", ".join(risky)
                yield self.finding(principal.path, f"{principal.label} has no permission boundary but can change "
                                                    f"resources ({what})")
