"""checkov results as iamforge findings; and a real checkov run on a small module."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.tools.checkov import findings_from_report, scan

REPORT = {
    "check_type": "terraform",
    "results": {
        "failed_checks": [{
            "check_id": "CKV2_AWS_6", "check_name": "Ensure that S3 bucket has a Public Access block",
            "file_path": "/modules/logs/main.tf", "file_line_range": [12, 15], "resource": "aws_s3_bucket.b",
            "guideline": "https://docs.example/ckv2-aws-6",
        }],
        "skipped_checks": [{
            "check_id": "CKV_AWS_144", "check_name": "Ensure that S3 bucket has cross-region replication enabled",
            "file_path": "/main.tf", "file_line_range": [3, 9], "resource": "aws_s3_bucket.c",
            "check_result": {"result": "SKIPPED", "suppress_comment": "single-region account"},
        }],
        "parsing_errors": [],
    },
}


def test_failed_checks_are_errors_and_skipped_are_suppressed() -> None:
    failed, skipped = findings_from_report(REPORT, "modules_out")
    assert (failed.rule_id, failed.severity.value, failed.source, failed.file, failed.line, failed.path) == (
        "CKV2_AWS_6", "error", "checkov", "modules_out/modules/logs/main.tf", 12, "aws_s3_bucket.b")
    assert "Public Access block" in failed.message and "docs.example" in failed.message
    assert not failed.suppressed
    assert (skipped.rule_id, skipped.suppressed, skipped.suppression_reason, skipped.line) == (
        "CKV_AWS_144", True, "single-region account", 3)


BUCKET = """
resource "aws_s3_bucket" "b" {
  bucket = "iamforge-scan-test"
}
"""


@pytest.mark.checkov
def test_scan_runs_checkov_and_cli_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(BUCKET, encoding="utf-8")
    report = scan(tmp_path)
    ids = {f.rule_id for f in report.findings if not f.suppressed}
    assert "CKV2_AWS_6" in ids  # no public access block
    assert all(f.source == "checkov" and f.file == str(tmp_path / "main.tf") for f in report.findings)

    runner = CliRunner()
    result = runner.invoke(main, ["scan", "-o", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert '"CKV2_AWS_6"' in result.output
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "main.tf").write_text('resource "aws_iam_group" "g" {\n  name = "g"\n}\n', encoding="utf-8")
    assert runner.invoke(main, ["scan", "-o", str(clean)]).exit_code == 0
    assert runner.invoke(main, ["scan", "-o", str(tmp_path / "missing")]).exit_code == 2
