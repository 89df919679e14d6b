"""SPEC-001: role and user names fit IAM's syntax and 64 characters, unique case-insensitively."""
from __future__ import annotations

import re
from collections.abc import Iterator

from generator.findings import Finding
from generator.rules.base import Rule
from generator.rules.context import Context


_NAME = re.compile(r"^[\w+=,.@-]{1,64}\Z")


class PrincipalNames(Rule):
    id = "SPEC-001"
    title = "Role and user names valid and unique"
    grade = "BLOCK"
    waivable = False  # AWS rejects it at apply
    rationale = "IAM rejects names over 64 characters or outside [\\w+=,.@-], and names are unique ignoring case."
    remediation = "Shorten the department or role key (the role name is <department>-<role>)."
    references = ("IAM API roleNameType / userNameType", "IAM quotas: name lengths")

    def check(self, ctx: Context) -> Iterator[Finding]:
        seen: dict[tuple[str, str], str] = {}
        entries = [("role", r.name, r.path) for r in ctx.spec.roles] + [("user", u.name, u.path) for u in ctx.spec.users]
        for kind, name, path in entries:
            if not _NAME.match(name):
                yield self.finding(path, f"{kind} name {name!r} ({len(name)} characters) must be 1-64 characters of [\\w+=,.@-]")
            key = (kind, name.lower())
            if key in seen:
                yield self.finding(path, f"{kind} name {name!r} collides with {seen[key]} (IAM names ignore case)")
            else:
                seen[key] = path
