"""IDC-005: the instance's attributes for access control carry every ABAC key."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding, Severity
from generator.rules.base import Rule


class AbacAttributes(Rule):
    id = "IDC-005"
    title = "ABAC attribute missing for a permission set"
    grade = "HIGH"
    modes = frozenset({"organization"})
    rationale = ("An ABAC policy compares resource tags with `${aws:PrincipalTag/<abac_key>}`. An IAM role "
                 "carries that tag; an Identity Center session carries only the tags the instance's attributes "
                 "for access control map from the person's attributes. Without the ABAC key among them, every "
                 "ABAC statement of the permission set compares with nothing: its people reach none of their "
                 "department's resources (and iamforge's department pin denies the session everything). Any other "
                 "principal tag a permission set reads is a person's attribute no pin holds (a warning).")
    remediation = ("Map the spec's `tags.abac_key` under `organization.identity_center.abac_attributes` (or leave "
                   "`abac_attributes` out: iamforge then maps each ABAC key from `${path:enterprise.department}`).")
    references = ("https://docs.aws.amazon.com/singlesignon/latest/userguide/attributesforaccesscontrol.html",
                  "https://docs.aws.amazon.com/singlesignon/latest/userguide/configure-abac.html")

    def check(self, ctx) -> Iterator[Finding]:
        from generator.policies import build
        from generator.policies.identity_center import permission_set_policies, principal_tag_keys

        org = ctx.organization
        idc = org.identity_center
        if idc is None:
            return
        built: dict[str, object] = {}
        for ps in idc.permission_sets.values():
            spec = org.accounts[ps.account].spec
            key = spec.tags.abac_key
            if ps.account not in built:
                built[ps.account] = build(spec)
            inline = permission_set_policies(spec, ps.role, built[ps.account]).inline
            read = principal_tag_keys(inline["Statement"]) if inline else set()
            for other in sorted(read - {key.lower()}):
                yield self.finding(ps.path or org.accounts[ps.account].path,
                                   f"permission set {ps.name} reads principal tag {other}: in an "
                                   "Identity Center session it comes from the person's identity-store attribute, "
                                   f"which no department pin holds (only {key} is pinned): scope by {key} instead",
                                   Severity.WARNING)
            if (ps.role.abac is not None or key.lower() in read) and key not in idc.abac_attributes:
                mapped = ", ".join(idc.abac_attributes) or "none"
                yield self.finding(f"{idc.path}.abac_attributes" if idc.abac_given else idc.path,
                                   f"permission set {ps.name} has ABAC on tag {key}, but the attributes for "
                                   f"access control map no {key} (mapped: {mapped}): its sessions carry no such tag")
