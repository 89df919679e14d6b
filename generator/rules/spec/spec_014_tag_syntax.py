"""SPEC-014: principal tags fit IAM's syntax and count limits."""
from __future__ import annotations

import re
from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


_KEY = re.compile(r"^[\w .:/=+\-@]{1,128}\Z")
_VALUE = re.compile(r"^[\w .:/=+\-@]{0,256}\Z")


class TagSyntax(Rule):
    id = "SPEC-014"
    title = "Tag syntax and count"
    grade = "BLOCK"
    waivable = False  # AWS rejects it at apply
    rationale = "IAM allows 50 tags per role or user, keys 1-128 and values 0-256 characters, no aws: prefix."
    remediation = "Drop or shorten tags; never start a key with aws:."
    references = ("IAM User Guide: id_tags", "IAM API tagKeyType / tagValueType")

    def check(self, ctx: Context) -> Iterator[Finding]:
        entries = [(f"role {r.name}", r.path, r.tags) for r in ctx.spec.roles]
        entries += [(f"user {u.name}", u.path, u.tags) for u in ctx.spec.users]
        for label, path, tags in entries:
            if len(tags) > 50:
                yield self.finding(path, f"{label} would carry {len(tags)} tags (limit 50)")
            for key, value in tags.items():
                if not _KEY.match(key) or key.lower().startswith("aws:"):
                    yield self.finding(path, f"{label}: tag key {key!r} is invalid (1-128 characters, no aws: prefix)")
                elif not _VALUE.match(value):
                    yield self.finding(path, f"{label}: tag {key} value {value!r} is invalid (0-256 characters)")
