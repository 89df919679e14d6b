"""Run checkov on generated Terraform and report its results as iamforge findings.

checkov runs from the same environment as iamforge (``python -m checkov.main`` with
``sys.executable``, or the ``checkov`` script beside it), as an argument list, never a shell.
It is kept offline: ``--skip-download`` and ``BC_SKIP_MAPPING`` stop it fetching guideline
mappings from Prisma Cloud, which it otherwise tries on every run.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from generator.errors import ToolError, UsageError
from generator.findings import Finding, Report, Severity

INSTALL_HINT = "Install it into iamforge's environment: pip install 'checkov>=3.3,<3.4'."


def checkov_command() -> list[str]:
    """The command that starts checkov from iamforge's own environment."""
    if importlib.util.find_spec("checkov") is not None:
        return [sys.executable, "-m", "checkov.main"]
    script = Path(sys.executable).parent / "checkov"
    if script.is_file():
        return [str(script)]
    raise ToolError(f"checkov is not installed in {sys.prefix}. {INSTALL_HINT}")


def run_checkov(directory: str | Path, skip_checks: Sequence[str] = (), timeout: float = 600.0) -> dict:
    """``checkov -d DIR --framework terraform -o json``: the raw JSON report.

    Raises:
        UsageError: ``directory`` does not exist.
        ToolError: checkov is missing, crashed, or printed something that is not its JSON report.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise UsageError(f"{directory} is not a directory (run `iamforge generate` first)")
    argv = [*checkov_command(), "-d", str(directory), "--framework", "terraform", "-o", "json", "--skip-download"]
    if skip_checks:
        argv += ["--skip-check", ",".join(skip_checks)]
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_NO_OUTPUT_COLOR": "1"}
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"checkov did not finish within {timeout:.0f}s", stderr=str(exc.stderr or "")) from exc
    # checkov exits 1 when checks fail; anything else, or output that is not JSON, is a crash.
    if proc.returncode not in (0, 1):
        raise ToolError(f"checkov failed on {directory}", stderr=proc.stderr, returncode=proc.returncode)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise ToolError(f"checkov printed no JSON report for {directory}", stderr=proc.stderr or proc.stdout,
                        returncode=proc.returncode) from None
    if isinstance(report, list):  # one entry per framework; only terraform was asked for
        report = next((r for r in report if r.get("check_type") == "terraform"), {"results": {}})
    return report


def _location(result: dict, directory: Path) -> tuple[str, int]:
    """File (under the scanned directory, as the user named it) and first line of a result."""
    file_path = str(result.get("file_path") or "").lstrip("/")
    line_range = result.get("file_line_range") or [0, 0]
    return (str(directory / file_path) if file_path else ""), int(line_range[0] or 0)


def findings_from_report(report: dict, directory: str | Path) -> list[Finding]:
    """Failed checks as error findings, skipped checks as suppressed ones, parse errors as errors."""
    directory = Path(directory)
    results = report.get("results") or {}
    findings: list[Finding] = []
    for result in results.get("failed_checks", []):
        file, line = _location(result, directory)
        guideline = f" See {result['guideline']}" if result.get("guideline") else ""
        findings.append(Finding(
            rule_id=result["check_id"], severity=Severity.ERROR,
            message=f"{result.get('check_name', result['check_id'])} ({result.get('resource', '')}).{guideline}",
            path=result.get("resource", ""), file=file, line=line, column=1 if line else 0, source="checkov",
        ))
    for result in results.get("skipped_checks", []):
        file, line = _location(result, directory)
        reason = (result.get("check_result") or {}).get("suppress_comment") or "skipped"
        findings.append(Finding(
            rule_id=result["check_id"], severity=Severity.ERROR,
            message=f"{result.get('check_name', result['check_id'])} ({result.get('resource', '')})",
            path=result.get("resource", ""), file=file, line=line, column=1 if line else 0, source="checkov",
            suppressed=True, suppression_reason=reason,
        ))
    for error in results.get("parsing_errors", []):
        findings.append(Finding(
            rule_id="CKV-PARSE", severity=Severity.ERROR, message=f"checkov could not parse {error}",
            file=str(error), source="checkov",
        ))
    return findings


def scan(directory: str | Path, skip_checks: Sequence[str] = ()) -> Report:
    """Run checkov on ``directory`` and return its results as an iamforge Report."""
    report = run_checkov(directory, skip_checks=skip_checks)
    findings = findings_from_report(report, directory)
    files = sorted({f.file for f in findings if f.file})
    return Report(findings=findings, files=files or [str(directory)])
