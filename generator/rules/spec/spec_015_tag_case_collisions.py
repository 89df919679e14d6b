"""SPEC-015: no two tag keys differ only in case."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class TagCaseCollisions(Rule):
    id = "SPEC-015"
    title = "Tag key case collisions"
    grade = "BLOCK"
    rationale = "Tag keys on IAM roles and users are case-insensitive: Department and department overwrite each other."
    remediation = "Spell each tag key one way everywhere (tags.common, tags.required, abac_key)."
    references = ("IAM User Guide: id_tags (case sensitivity)",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        spec = ctx.spec
        keys = list(spec.tags.common) + list(spec.tags.required) + [spec.tags.abac_key]
        seen: dict[str, str] = {}
        for key in keys:
            other = seen.setdefault(key.lower(), key)
            if other != key:
                yield self.finding("tags", f"tag keys {other!r} and {key!r} differ only in case; IAM treats them as one")
                return
