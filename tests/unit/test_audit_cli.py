"""`iamforge audit` and `iamforge import` through the CLI: formats, exit codes, usage errors."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from generator.spec import load_spec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "audit"
CSV = str(FIXTURES / "credential_report_edge.csv")
DETAILS = str(FIXTURES / "authorization_details.json")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_audit_text_exits_1_and_ends_with_the_summary() -> None:
    result = run("audit", "--credential-report", CSV, "--as-of", "2026-06-01")
    assert result.exit_code == 1, result.output
    lines = result.output.rstrip("\n").splitlines()
    assert lines[0] == "root (2)"
    assert lines[-1].startswith("iamforge audit of account 111122223333 as of 2026-06-01: 3 error(s), 8 warning(s), 0 info "
                                "in 5 principal(s)")


def test_audit_json_both_inputs_and_fail_on() -> None:
    result = run("audit", "--credential-report", CSV, "--authorization-details", DETAILS, "--as-of", "2026-06-01",
                 "--format", "json")
    doc = json.loads(result.output)
    rules = {f["rule_id"] for f in doc["findings"]}
    assert {"CRED-001", "PRV-005", "ACCT-001"} <= rules and result.exit_code == 1
    clean = run("audit", "--credential-report", CSV, "--as-of", "2019-03-03", "--fail-on", "error")
    assert clean.exit_code == 1  # the root still has no MFA and an access key
    ok = run("audit", "--authorization-details", DETAILS, "--as-of", "2026-06-01", "--format", "sarif",
             "--fail-on", "error")
    assert json.loads(ok.output)["version"] == "2.1.0"


def test_audit_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("audit").exit_code == 2
    assert run("audit", "--credential-report", str(tmp_path / "missing.csv")).exit_code == 2
    assert run("audit", "--from-aws", "--credential-report", CSV).exit_code == 2
    assert run("audit", "--credential-report", CSV, "--max-unused", "0").exit_code == 2


def test_audit_writes_output_file(tmp_path: Path) -> None:
    out = tmp_path / "audit.xml"
    result = run("audit", "--credential-report", CSV, "--as-of", "2026-06-01", "--format", "junit", "--output", str(out))
    assert result.exit_code == 1 and out.read_text().startswith("<?xml")


def test_import_writes_a_spec_that_loads(tmp_path: Path) -> None:
    out = tmp_path / "spec.yaml"
    result = run("import", "--authorization-details", DETAILS, "-o", str(out), "--region", "eu-west-1")
    assert result.exit_code == 0, result.output
    spec = load_spec(out)
    assert spec.account.regions == ["eu-west-1"] and "engineering" in spec.departments
    assert run("import", "--authorization-details", DETAILS, "-o", str(out)).exit_code == 2  # exists, no --force
    assert run("import", "--authorization-details", DETAILS, "-o", str(out), "--force").exit_code == 0
    assert run("import").exit_code == 2
