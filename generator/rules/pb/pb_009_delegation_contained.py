"""PB-009: a role created through delegation cannot reach outside the delegated, bounded set."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.arn import glob_match
from generator.analysis.catalog import catalog
from generator.analysis.document import normalize
from generator.analysis.effective import PermissionSet, Source
from generator.analysis.escalation import find_escalations
from generator.analysis.targets import SpecTargets, principal_index
from generator.findings import Finding
from generator.policies.delegation import delegated_roles_arn
from generator.rules.base import Rule
from generator.rules.context import Context

# What a delegate may attach to a role it creates: anything, so the worst case is every action.
ANY_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


class DelegationContained(Rule):
    id = "PB-009"
    title = "Delegation stays inside the delegated roles"
    grade = "CRIT"
    rationale = ("The roles a delegate creates carry whatever policies it attaches (AdministratorAccess, say), capped "
                 "only by their boundary. If that boundary lets an escalation method or a role assumption through, "
                 "a created role reaches roles outside the delegated set, and delegation becomes escalation.")
    remediation = ("Narrow the department boundary's `allow` so that it grants no escalation method on resources "
                   "outside the department (named resources instead of patterns), and no sts:AssumeRole outside "
                   "role/<department>/delegated/; or drop `can_create_roles`.")
    references = ("IAM User Guide: Permissions boundaries for IAM entities, delegating responsibility to others",
                  "Rhino Security Labs: AWS IAM privilege escalation methods")

    def check(self, ctx: Context) -> Iterator[Finding]:
        spec = ctx.spec
        by_key = {d.key: d for d in ctx.documents}
        index = principal_index(spec)
        for key, roles in spec.delegates.items():
            doc = by_key.get(f"boundary.{key}.delegated")
            if doc is None:
                continue
            names = ", ".join(r.name for r in roles)
            created = (f"a role that {names} creates (boundary {spec.delegated_boundary_policy_name(key)}, "
                       "with every permission attached)")
            perms = PermissionSet([(Source("any attached policy", ""), normalize(ANY_POLICY))],
                                  [(Source(doc.key, doc.spec_path, "boundary"), doc.policy)])
            paths = [delegated_roles_arn(spec, r) for r in roles]
            # The created role: on a delegated path, under a boundary no principal of the spec carries.
            targets = SpecTargets(spec, paths[0], f"{key}/delegated", (), index, actor_department=roles[0].department)
            for esc in find_escalations(perms, targets):
                actions = ", ".join(sorted({catalog().display(g.action) for g in esc.grants}))
                yield self.finding(spec.boundaries[key].path,
                                   f"{created} can escalate: {esc.method.id} ({esc.method.title}) with {actions}, "
                                   f"which boundary {key} lets through")
            for grant in perms.grants("sts:assumerole"):
                outside = [r for r in grant.resources if not any(glob_match(p, r) for p in paths)]
                if grant.not_resource or outside:
                    yield self.finding(spec.boundaries[key].path,
                                       f"{created} may assume roles outside the delegated paths: "
                                       f"{', '.join(outside) or 'NotResource'} ({grant.location})")
