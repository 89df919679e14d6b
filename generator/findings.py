"""The one Finding type that every stage (loader, schema, rules, terraform, checkov) emits."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum


class Severity(str, Enum):
    """Severity levels, ordered error > warning > info."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True)
class Finding:
    """One problem, located in the spec (or policy file) it came from.

    Attributes:
        rule_id: e.g. ``PRV-005``, ``SPEC-020``, ``SCHEMA-001``.
        severity: error, warning or info.
        message: one sentence saying what is wrong and how to fix it.
        path: dotted spec path, e.g. ``departments.engineering.roles.developer.trust``.
        file: the file the finding points into ('' when unknown).
        line: 1-based line, 0 when unknown.
        column: 1-based column, 0 when unknown.
        source: which stage produced it: schema, loader, rule, terraform, checkov.
        suppressed: True when an ``exceptions:`` entry covers it.
        suppression_reason: the reason given by that entry.
    """

    rule_id: str
    severity: Severity
    message: str
    path: str = ""
    file: str = ""
    line: int = 0
    column: int = 0
    source: str = "rule"
    suppressed: bool = False
    suppression_reason: str = ""

    def with_location(self, file: str, line: int, column: int) -> "Finding":
        return replace(self, file=file, line=line, column=column)

    def as_dict(self) -> dict:
        d = {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "message": self.message,
            "path": self.path,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "source": self.source,
            "suppressed": self.suppressed,
        }
        if self.suppressed:
            d["suppression_reason"] = self.suppression_reason
        return d

    @property
    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, -self.severity.rank, self.rule_id, self.path, self.message)


def summarize(findings: list[Finding]) -> dict[str, int]:
    """Count unsuppressed findings per severity."""
    counts = {s.value: 0 for s in Severity}
    for f in findings:
        if not f.suppressed:
            counts[f.severity.value] += 1
    return counts


def at_or_above(findings: list[Finding], threshold: Severity) -> list[Finding]:
    """Unsuppressed findings at or above ``threshold``."""
    return [f for f in findings if not f.suppressed and f.severity.rank >= threshold.rank]


@dataclass
class Report:
    """What validate / check-policy / scan return: findings plus what was looked at."""

    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def sorted(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: f.sort_key)
