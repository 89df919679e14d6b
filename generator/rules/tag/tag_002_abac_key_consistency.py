"""TAG-002: the ABAC key is required, and department values are distinct and applied."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class AbacKeyConsistency(Rule):
    id = "TAG-002"
    title = "ABAC key consistent between departments"
    grade = "HIGH"
    rationale = "ABAC compares principal and resource tags: two departments with one value share each other's resources."
    remediation = "Give each department a distinct tag_value and keep tags.abac_key among tags.required."
    references = ("IAM tutorial: attribute-based access control",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        spec = ctx.spec
        key = spec.tags.abac_key
        if key not in spec.tags.required:
            yield self.finding("tags.abac_key", f"ABAC key {key!r} is not in tags.required")
        seen: dict[str, str] = {}
        for dept in spec.departments.values():
            other = seen.setdefault(dept.tag_value.lower(), dept.key)
            if other != dept.key:
                yield self.finding(f"{dept.path}.tag_value",
                                   f"departments {other} and {dept.key} share ABAC value {dept.tag_value!r}")
            for role in dept.roles.values():
                if role.tags.get(key) != dept.tag_value:
                    yield self.finding(f"{role.path}.tags", f"role {role.name} has {key}={role.tags.get(key)!r}, "
                                                           f"not its department's {dept.tag_value!r}")
