"""PRV-005: no privilege-escalation path in a principal's effective permissions."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.escalation import Escalation, find_escalations
from generator.rules.base import PrincipalRule
from generator.rules.context import PrincipalView


class PrivilegeEscalation(PrincipalRule):
    id = "PRV-005"
    title = "No privilege-escalation combinations"
    grade = "CRIT"
    rationale = "A principal that can escalate holds, in effect, the permissions it can escalate to."
    remediation = ("Remove an action of the method, scope it to the department's bounded roles, or add the "
                   "narrowing condition (iam:PermissionsBoundary, iam:PassedToService).")
    references = ("Rhino Security Labs aws_escalate.py (21 methods)", "Pacu iam__privesc_scan", "PMapper",
                  "BishopFox iam-vulnerable", "DataDog pathfinding.cloud (https://pathfinding.cloud/paths/<id>)",
                  "checkov CKV_AWS_110, CKV_AWS_286")

    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        by_path: dict[str, list[Escalation]] = {}
        for esc in find_escalations(principal.permissions, principal.targets, principal.kind):
            by_path.setdefault(principal.path_of(esc.grants[0], "Action"), []).append(esc)
        for path, found in by_path.items():
            more = f"; also {', '.join(e.method.label() for e in found[1:])}" if len(found) > 1 else ""
            yield path, f"{principal.label} can escalate privileges: {found[0].describe()}{more}"
