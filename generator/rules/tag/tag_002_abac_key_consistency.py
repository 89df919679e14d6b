"""TAG-002: the ABAC key is required, and department values are distinct and applied."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding, Severity
from generator.rules.base import Rule
from generator.rules.context import Context
from generator.rules.helpers import tag_origin


class AbacKeyConsistency(Rule):
    id = "TAG-002"
    title = "ABAC key consistent between departments"
    grade = "HIGH"
    rationale = "ABAC compares principal and resource tags: two departments with one value share each other's resources."
    remediation = ("Give each department a distinct tag_value, keep tags.abac_key among tags.required, and set the "
                   "ABAC key only through tag_value.")
    references = ("IAM tutorial: attribute-based access control",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        spec = ctx.spec
        key = spec.tags.abac_key
        if key not in spec.tags.required:
            yield self.finding("tags.abac_key", f"ABAC key {key!r} is not in tags.required")
        for common in spec.tags.common:
            if common.lower() == key.lower():
                value = spec.tags.common[common]
                yield self.finding("tags.common",
                                   f"tags.common sets the ABAC key ({common}={value!r}): the shared resources it "
                                   "tags (iamforge's managed policies, CloudTrail and Access Analyzer resources) "
                                   "fall inside that department's ABAC grants, while every principal's value is "
                                   "overwritten by its department's tag_value",
                                   Severity.WARNING)
        raw_departments = spec.raw.get("departments", {}) or {}
        seen: dict[str, str] = {}
        for dept in spec.departments.values():
            other = seen.setdefault(dept.tag_value.lower(), dept.key)
            if other != dept.key:
                yield self.finding(f"{dept.path}.tag_value",
                                   f"departments {other} and {dept.key} share ABAC value {dept.tag_value!r}")
            for own in (raw_departments.get(dept.key, {}) or {}).get("tags") or {}:
                if own.lower() == key.lower():
                    yield self.finding(f"{dept.path}.tags", f"department {dept.key} sets the ABAC key {own!r} in its "
                                                            f"tags; tag_value {dept.tag_value!r} is what its "
                                                            "principals carry", Severity.WARNING)
            principals = [("role", r) for r in dept.roles.values()] + [("user", u) for u in dept.users]
            for kind, principal in principals:
                # IAM tag keys are case-insensitive: `department` is the ABAC key too.
                for tag, value in principal.tags.items():
                    if tag.lower() == key.lower() and value != dept.tag_value:
                        yield self.finding(tag_origin(spec, principal, tag),
                                           f"{kind} {principal.name} has {tag}={value!r}, not its department's "
                                           f"{key}={dept.tag_value!r}")
