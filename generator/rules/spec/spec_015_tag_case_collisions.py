"""SPEC-015: no two tag keys differ only in case."""
from __future__ import annotations

from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context
from generator.rules.helpers import tag_origin


class TagCaseCollisions(Rule):
    id = "SPEC-015"
    title = "Tag key case collisions"
    grade = "BLOCK"
    waivable = False  # AWS rejects it at apply
    rationale = "Tag keys on IAM roles and users are case-insensitive: Department and department overwrite each other."
    remediation = ("Spell each tag key one way everywhere (tags.common, tags.required, abac_key, departments' and "
                   "roles' tags).")
    references = ("IAM User Guide: id_tags (case sensitivity)",)

    def check(self, ctx: Context) -> Iterator[Finding]:
        spec = ctx.spec
        # Keys every principal gets from the top of the spec: one finding at `tags`, not one per principal.
        shared = list(spec.tags.common) + list(spec.tags.required) + [spec.tags.abac_key, "Owner"]
        seen: dict[str, str] = {}
        for key in shared:
            other = seen.setdefault(key.lower(), key)
            if other != key:
                yield self.finding("tags", f"tag keys {other!r} and {key!r} differ only in case; "
                                           "IAM treats them as one")
                break
        shared_set = set(shared)
        reported: set[str] = set()
        # The final (merged) tags of each role and user: what Terraform sends to IAM.
        for kind, principal in [("role", r) for r in spec.roles] + [("user", u) for u in spec.users]:
            by_lower: dict[str, list[str]] = {}
            for key in principal.tags:
                by_lower.setdefault(key.lower(), []).append(key)
            for keys in by_lower.values():
                local = [k for k in keys if k not in shared_set]
                if len(keys) < 2 or not local:
                    continue  # no collision, or one between shared keys (reported at `tags` above)
                path = tag_origin(spec, principal, local[0])
                if path in reported:
                    continue
                reported.add(path)
                yield self.finding(path, f"{kind} {principal.name} would carry tag keys "
                                         f"{' and '.join(repr(k) for k in sorted(keys))}, which differ only in case; "
                                         "IAM treats them as one key and the apply fails")
