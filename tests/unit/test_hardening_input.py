"""Issue 22, bad input is bounded: each input below was read silently, reached the generated
Terraform in a form AWS refuses, or crashed; now each is a clear message naming file and line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.analysis.jsonpos import duplicate_keys
from generator.cli import main
from generator.errors import UsageError
from generator.audit.credentials import parse_credential_report

EDGE = Path(__file__).resolve().parents[1] / "fixtures" / "audit" / "credential_report_edge.csv"
HEAD = 'version: 1\naccount:\n  id: "111122223333"\n  regions: [us-east-1]\n'


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- 2. credential report rows that do not line up with the header --

@pytest.mark.parametrize("cut", ["short", "long"])
def test_short_or_long_credential_row_is_refused_with_file_and_line(tmp_path: Path, cut: str) -> None:
    lines = EDGE.read_text(encoding="utf-8").splitlines()
    fields = lines[2].split(",")
    lines[2] = ",".join(fields[:9] if cut == "short" else fields + ["extra"])
    report = write(tmp_path, "report.csv", "\n".join(lines) + "\n")
    with pytest.raises(UsageError, match=r"report\.csv:3: .*short or malformed row"):
        parse_credential_report(Path(report).read_text(encoding="utf-8"), report)
    result = run("audit", "--credential-report", report)
    assert result.exit_code == 2 and "report.csv:3:" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("edit, message", [
    ("arn", r"report\.csv:3: arn 'not-an-arn' is not the ARN of an IAM user"),
    ("twice", r"report\.csv:4: user .* appears twice, first at line 3"),
])
def test_a_row_of_no_user_or_a_user_twice_is_refused(tmp_path: Path, edit: str, message: str) -> None:
    lines = EDGE.read_text(encoding="utf-8").splitlines()
    fields = lines[2].split(",")
    if edit == "arn":
        lines[2] = ",".join([fields[0], "not-an-arn", *fields[2:]])
    else:
        lines.insert(3, lines[2])
    report = write(tmp_path, "report.csv", "\n".join(lines) + "\n")
    with pytest.raises(UsageError, match=message):
        parse_credential_report(Path(report).read_text(encoding="utf-8"), report)
    result = run("audit", "--credential-report", report)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_whole_credential_report_still_reads() -> None:
    assert len(parse_credential_report(EDGE.read_text(encoding="utf-8"))) > 3


# -- 3. condition values by operator --

GRANT = ("departments:\n  eng:\n    tag_value: Eng\n    owner: a@example.com\n    permissions:\n"
         "      - actions: [\"s3:GetObject\"]\n        resources: [\"arn:aws:s3:::b/*\"]\n        conditions:\n")


@pytest.mark.parametrize(("condition", "expected"), [
    ("StringEquals: {aws:RequestedRegion: [[us-east-1]]}", "not a list"),
    ("StringEquals: {aws:RequestedRegion: [us-east-1, null]}", "not nothing (null)"),
    ("StringEquals: {aws:RequestedRegion: null}", "is empty"),
    ("StringEquals: {aws:PrincipalAccount: 111122223333}", "is not text; quote it"),
    ("Bool: {aws:SecureTransport: maybe}", "'maybe' is not true or false"),
    ("NumericLessThan: {aws:MultiFactorAuthAge: soon}", "'soon' is not a number"),
    ("DateGreaterThan: {aws:CurrentTime: tomorrow}", "'tomorrow' is not a date"),
    ("IpAddress: {aws:SourceIp: 10.0.0.300/8}", "is not an IP address or CIDR range"),
    ("ArnLike: {aws:SourceArn: true}", "True is not an ARN"),
    ("StringEquals: {aws:RequestedRegion: []}", "an empty list matches nothing"),
])
def test_condition_values_checked_by_operator(tmp_path: Path, condition: str, expected: str) -> None:
    spec = write(tmp_path, "spec.yaml", HEAD + GRANT + f"          {condition}\n")
    result = run("validate", spec)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"spec.yaml:{HEAD.count(chr(10)) + GRANT.count(chr(10)) + 1}:" in result.output
    assert "SCHEMA-007" in result.output and expected in result.output, result.output


def test_condition_values_the_operators_take_pass(tmp_path: Path) -> None:
    good = ("          StringEquals: {aws:RequestedRegion: [us-east-1, eu-west-1]}\n"
            "          Bool: {aws:SecureTransport: true}\n"
            "          BoolIfExists: {aws:ViaAWSService: \"false\"}\n"
            "          NumericLessThan: {aws:MultiFactorAuthAge: 3600}\n"
            "          DateLessThan: {aws:CurrentTime: \"2027-01-01T00:00:00Z\"}\n"
            "          IpAddress: {aws:SourceIp: [10.0.0.0/8, \"2001:db8::/32\"]}\n"
            "          ArnLike: {aws:SourceArn: \"arn:aws:s3:::b*\"}\n")
    result = run("validate", write(tmp_path, "spec.yaml", HEAD + GRANT + good))
    assert "SCHEMA" not in result.output, result.output


# -- 4. integers that reach HCL are bounded to what AWS takes --

@pytest.mark.parametrize(("section", "expected"), [
    ("cloudtrail:\n  bucket:\n    retention_days: 99999999999999999999\n", "is above the maximum 2147483647"),
    ("cloudtrail:\n  cloudwatch_logs:\n    retention_days: 99999999999999999999\n", "is not allowed; use one of 1, 3, 5"),
    ("cloudtrail:\n  cloudwatch_logs:\n    retention_days: 366\n", "is not allowed"),
    ("password_policy:\n  max_age_days: 99999999999999999999\n", "outside 1-1095"),
    ("mfa:\n  max_age_seconds: 99999999999999999999\n", "is above the maximum 129600"),
])
def test_unbounded_integers_are_refused(tmp_path: Path, section: str, expected: str) -> None:
    result = run("validate", write(tmp_path, "spec.yaml", HEAD + section))
    assert result.exit_code == 1 and expected in result.output and "Traceback" not in result.output, result.output


def test_huge_session_length_blocks_generate(tmp_path: Path) -> None:
    spec = write(tmp_path, "spec.yaml", HEAD + "departments:\n  eng:\n    tag_value: Eng\n    owner: a@example.com\n"
                 "    roles:\n      ci:\n        max_session_hours: 99999999999999999999\n"
                 "        trust: {services: [ec2.amazonaws.com]}\n")
    result = CliRunner().invoke(main, ["generate", spec, "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "SPEC-006" in result.output and not (tmp_path / "out").exists()


# -- 5. a timestamp where a date is expected --

@pytest.mark.parametrize("expires", ["2027-01-01T00:00:00Z", "2027-01-01 10:00:00"])
def test_timestamp_in_exception_expiry_is_a_finding(tmp_path: Path, expires: str) -> None:
    exceptions = (f"exceptions:\n  - rule: PRV-005\n    path: departments\n    reason: reviewed in ticket 42\n"
                  f"    expires: {expires}\n")
    result = run("validate", write(tmp_path, "spec.yaml", HEAD + exceptions))
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "spec.yaml:9:" in result.output and "is a date and time; give the day only, YYYY-MM-DD: 2027-01-01" in result.output


# -- 6. duplicate keys in a policy JSON --

def test_duplicate_keys_are_an_error_with_their_lines(tmp_path: Path) -> None:
    policy = write(tmp_path, "policy.json", '{"Version": "2012-10-17",\n "Statement": [{"Effect": "Allow",\n'
                   '  "Action": "*",\n  "Action": "s3:GetObject",\n  "Resource": "*"}]}\n')
    result = run("check-policy", policy, "--format", "json")
    assert result.exit_code == 1, result.output
    [dup] = [f for f in json.loads(result.output)["findings"] if f["rule_id"] == "POL-002"]
    assert dup["severity"] == "error" and dup["path"] == "Statement[0].Action" and dup["line"] == 3
    assert "'Action' is written 2 times" in dup["message"] and "3:3, 4:3" in dup["message"]


def test_duplicate_keys_everywhere_are_found() -> None:
    text = '{"a": {"b": 1, "b": [{"c": 1, "c": 2}]}, "a": 2, "d": "x"}'
    assert sorted(duplicate_keys(text)) == [("", "a", [(1, 2), (1, 42)]), ("a", "b", [(1, 8), (1, 16)]),
                                            ("a.b[0]", "c", [(1, 23), (1, 31)])]
    assert duplicate_keys('{"a": 1, "b": {"a": 1}}') == []
