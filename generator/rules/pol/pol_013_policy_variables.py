"""POL-013: policy variables are well formed and only where IAM evaluates them."""
from __future__ import annotations

import re
from collections.abc import Iterator

from generator.rules.base import DocumentRule
from generator.rules.context import DocView


_VAR = re.compile(r"\$\{([^}]*)\}")


class PolicyVariables(DocumentRule):
    id = "POL-013"
    title = "Policy variables well formed"
    grade = "MED"
    rationale = "A malformed variable, or one outside Resource/Condition, is literal text and never matches."
    remediation = "Write ${aws:PrincipalTag/Key} (closed brace, no spaces) and only in Resource or Condition values."
    references = ("Access Analyzer: Missing brace in variable / Variable unsupported in element",)
    kinds = ("identity", "boundary", "trust")

    def check_document(self, doc: DocView) -> Iterator[tuple[str, str]]:
        for stmt in doc.policy.statements:
            for i, action in enumerate(stmt.actions):
                if "${" in action:
                    yield f"{stmt.path}.{stmt.action_key}", f"policy variable in action {action!r} is not evaluated"
            # Only a value with "${" can hold a variable, well formed or not.
            for value in stmt.resources:
                problem = self._problem(value) if "${" in value else None
                if problem:
                    yield f"{stmt.path}.{stmt.resource_key}", problem
            for c in stmt.conditions:
                for value in c.values:
                    problem = self._problem(value) if "${" in value else None
                    if problem:
                        yield f"{stmt.path}.Condition.{c.operator}", problem

    @staticmethod
    def _problem(value: str) -> str | None:
        if value.count("${") != len(_VAR.findall(value)):
            return f"{value!r} has an unclosed policy variable"
        for name in _VAR.findall(value):
            if not name or " " in name:
                return f"{value!r}: policy variable ${{{name}}} is empty or has spaces"
        return None
