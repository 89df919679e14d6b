"""TAG-001: every role and user carries the required tags with a value."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


class RequiredTags(Rule):
    id = "TAG-001"
    title = "Mandatory tags"
    grade = "MED"
    rationale = "Ownership and ABAC depend on tags; an untagged principal has no owner and matches no ABAC rule."
    remediation = "Add the key to tags.common, or give the role/user the tag."
    references = ("AWS Security Hub IAM.24, IAM.25",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        required = ctx.spec.tags.required
        entries = [(f"role {r.name}", r.path, r.tags) for r in ctx.spec.roles]
        entries += [(f"user {u.name}", u.path, u.tags) for u in ctx.spec.users]
        for label, path, tags in entries:
            missing = [k for k in required if not tags.get(k)]
            if missing:
                yield self.finding(path, f"{label} lacks required tag(s) {', '.join(missing)}")
