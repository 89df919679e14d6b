"""The rule engine: run every applicable rule, place findings, apply ``exceptions:``.

``validate_spec`` checks a loaded spec and the documents the generator builds from it;
``check_documents`` checks raw IAM policy JSON (``iamforge check-policy``).
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from generator.analysis.jsonpos import locate, positions
from generator.findings import Finding, Report, Severity
from generator.inputs import ContentError, decode_text, parse_json, read_bytes
from generator.rules.context import Context, document_context, spec_context
from generator.rules.registry import all_rules
from generator.rules.suppress import apply_exceptions
from generator.spec.model import Spec


def _run(ctx: Context, phase: str) -> list[Finding]:
    found: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for rule in all_rules():
        if ctx.mode not in rule.modes or rule.phase != phase:
            continue
        for f in rule.check(ctx):
            key = (f.rule_id, f.path, f.message)
            if key not in seen:
                seen.add(key)
                found.append(f)
    return found


def validate_spec(spec: Spec, today: date | None = None, policies: Any = None) -> list[Finding]:
    """Run every spec rule on ``spec`` and return located, sorted findings.

    Args:
        spec: A loaded spec (``generator.spec.load_spec``).
        today: The date exceptions are checked against (tests pin it).
        policies: The built ``PolicySet``; built with ``generator.policies.build`` when omitted.

    Returns:
        Findings with file/line/column from the spec's marks; findings covered by a live
        ``exceptions:`` entry are kept with ``suppressed=True``.
    """
    if policies is None:
        from generator.policies import build

        policies = build(spec)
    ctx = spec_context(spec, policies, today)
    findings = apply_exceptions(_run(ctx, "main"), spec.exceptions, ctx.today)
    ctx.findings = findings
    findings = findings + _run(ctx, "post")
    located = []
    for f in findings:
        mark = spec.locate(f.path)
        located.append(f.with_location(mark.file, mark.line, mark.column) if mark
                       else f.with_location(spec.file, 1, 1))
    return sorted(located, key=lambda f: f.sort_key)


def check_documents(items: list[tuple[str, str, dict]]) -> list[Finding]:
    """Run the POL, PRV and TRU rules on raw policy documents.

    Args:
        items: ``(file, kind, document)`` per document; kind is identity, boundary or trust.

    Returns:
        Sorted findings with paths like ``Statement[2].Action``, placed in ``file`` at the
        line and column of that element when the file can be read back, else at line 1.
    """
    ctx = document_context(items)
    documents = {file: doc for file, _, doc in items}
    marks: dict[str, dict[str, tuple[int, int]]] = {}
    out = []
    for f in _run(ctx, "main"):
        file = f.file
        if file not in marks:
            marks[file] = _marks(file, documents.get(file))
        line, column = locate(marks[file], f.path)
        out.append(f.with_location(file, line, column))
    return sorted(out, key=lambda f: f.sort_key)


def _marks(file: str, document: Any) -> dict[str, tuple[int, int]]:
    path = Path(file)
    try:
        text = path.read_text(encoding="utf-8-sig")
        if json.loads(text) != document:
            return {}
    except (OSError, ValueError):
        return {}
    return positions(text)


def detect_kind(document: Any) -> str:
    """``trust`` when the document's statements name principals and sts actions, else ``identity``."""
    statements = document.get("Statement") if isinstance(document, dict) else None
    items = statements if isinstance(statements, list) else [statements]
    for stmt in items:
        if isinstance(stmt, dict) and ("Principal" in stmt or "NotPrincipal" in stmt):
            return "trust"
    return "identity"


def check_policy_files(paths: list[str], kind: str | None = None) -> Report:
    """Read policy JSON files and run :func:`check_documents` on them.

    Args:
        paths: One policy document per file.
        kind: identity, boundary or trust; detected per file when None.

    Returns:
        A report; a file that is not a JSON document (binary, not UTF-8, not JSON, nested
        too deeply) becomes a POL-002 finding at its line and column.

    Raises:
        UsageError: when a file is missing, a directory, unreadable or over the size cap.
    """
    report = Report(files=list(paths))
    items: list[tuple[str, str, dict]] = []
    for path in paths:
        raw = read_bytes(path, "a policy JSON file")
        try:
            document = parse_json(decode_text(raw, str(path), "a policy JSON file"), str(path))
        except ContentError as exc:
            problem = exc.problem.removeprefix("not JSON: ")
            report.findings.append(Finding("POL-002", Severity.ERROR, f"not a JSON policy document: {problem}", "",
                                           str(path), exc.line, exc.column))
            continue
        items.append((str(path), kind or detect_kind(document), document))
    report.findings.extend(check_documents(items))
    return report
