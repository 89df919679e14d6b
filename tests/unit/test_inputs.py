"""Malformed input files through the CLI: one line naming the file, the right exit code, never a traceback."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from generator import inputs
from generator.audit.details import parse_details
from generator.cli import main
from generator.errors import UsageError

ROLE = {"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r"}
TRUST = {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
DEEP = "[" * 5000 + "]" * 5000

# name -> (file content, words the message must hold); every one is exit 2 for audit and import.
BAD_DETAILS: dict[str, tuple[str | bytes, tuple[str, ...]]] = {
    "list_is_string": ('{"UserDetailList": "x"}', ("UserDetailList: expected a list, got a string",)),
    "entry_not_object": ('{"RoleDetailList": ["r"]}', ("RoleDetailList[0]: expected an object, got a string",)),
    "name_is_number": ('{"RoleDetailList": [{"RoleName": 5}]}', ("RoleDetailList[0].RoleName: expected a string",)),
    "empty_role": ('{"RoleDetailList": [{}]}', ("RoleDetailList[0]: missing RoleName",)),
    "missing_arn": ('{"RoleDetailList": [{"RoleName": "r"}]}', ("RoleDetailList[0]: missing Arn",)),
    "user_missing_name": ('{"UserDetailList": [{"Arn": "arn:aws:iam::111122223333:user/u"}]}',
                          ("UserDetailList[0]: missing UserName",)),
    "group_list_not_names": ('{"UserDetailList": [{"UserName": "u", "Arn": "a", "GroupList": [1]}]}',
                             ("UserDetailList[0].GroupList[0]: expected a group name",)),
    "policy_missing_arn": ('{"Policies": [{"PolicyName": "p"}]}', ("Policies[0]: missing Arn",)),
    "trust_not_json": (json.dumps({"RoleDetailList": [{**ROLE, "AssumeRolePolicyDocument": "%7B%22bad"}]}),
                       ("RoleDetailList[0].AssumeRolePolicyDocument: not a policy document",)),
    "trust_is_list": (json.dumps({"RoleDetailList": [{**ROLE, "AssumeRolePolicyDocument": [1]}]}),
                      ("RoleDetailList[0].AssumeRolePolicyDocument: expected a policy document",)),
    "trust_too_deep": (json.dumps({"RoleDetailList": [{**ROLE, "AssumeRolePolicyDocument": DEEP}]}),
                       ("AssumeRolePolicyDocument", "nested too deeply")),
    "inline_not_json": (json.dumps({"RoleDetailList": [{**ROLE, "RolePolicyList": [{"PolicyName": "p",
                                                                                     "PolicyDocument": "notjson"}]}]}),
                        ("RoleDetailList[0].RolePolicyList[0].PolicyDocument: not a policy document",)),
    "inline_no_name": (json.dumps({"RoleDetailList": [{**ROLE, "RolePolicyList": [{"PolicyDocument": POLICY}]}]}),
                       ("RoleDetailList[0].RolePolicyList[0]: missing PolicyName",)),
    "tags_not_list": (json.dumps({"RoleDetailList": [{**ROLE, "Tags": "x"}]}), ("RoleDetailList[0].Tags: expected a list",)),
    "tag_without_key": (json.dumps({"RoleDetailList": [{**ROLE, "Tags": [{"Value": "v"}]}]}),
                        ("RoleDetailList[0].Tags[0]: missing Key",)),
    "attached_without_arn": (json.dumps({"RoleDetailList": [{**ROLE, "AttachedManagedPolicies": [{}]}]}),
                             ("RoleDetailList[0].AttachedManagedPolicies[0]: missing PolicyArn",)),
    "boundary_not_object": (json.dumps({"RoleDetailList": [{**ROLE, "PermissionsBoundary": "arn"}]}),
                            ("RoleDetailList[0].PermissionsBoundary: expected an object",)),
    "versions_not_list": (json.dumps({"Policies": [{"Arn": "arn:aws:iam::111122223333:policy/p", "PolicyVersionList": "x"}]}),
                          ("Policies[0].PolicyVersionList: expected a list, got a string",)),
    "version_document_bad": (json.dumps({"Policies": [{"Arn": "arn:aws:iam::111122223333:policy/p", "PolicyVersionList": [
        {"VersionId": "v1", "IsDefaultVersion": True, "Document": "{"}]}]}),
        ("Policies[0].PolicyVersionList[0].Document: not a policy document",)),
    "last_used_garbage": (json.dumps({"RoleDetailList": [{**ROLE, "RoleLastUsed": {"LastUsedDate": "garbage"}}]}),
                          ("RoleDetailList[0].RoleLastUsed.LastUsedDate: 'garbage' is not a date",)),
    "last_used_not_object": (json.dumps({"RoleDetailList": [{**ROLE, "RoleLastUsed": "yesterday"}]}),
                             ("RoleDetailList[0].RoleLastUsed: expected an object",)),
    "create_date_number": (json.dumps({"RoleDetailList": [{**ROLE, "CreateDate": 5}]}),
                           ("RoleDetailList[0].CreateDate: 5 is not a date",)),
    "not_details": ("[]", ("not get-account-authorization-details output",)),
    "not_json": ("{\n", ("not JSON",)),
    "nan": ('{"RoleDetailList": [], "x": NaN}', ("NaN is not valid JSON",)),
    "deep": ('{"RoleDetailList": ' + DEEP + "}", ("nested too deeply",)),
    "deep_but_parsable": ('{"RoleDetailList": ' + "[" * 200 + "]" * 200 + "}", ("nested too deeply",)),
    "empty": ("", ("file is empty",)),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00", ("binary input",)),
    "utf16": ('{"RoleDetailList": []}'.encode("utf-16"), ("UTF-16", "save it as UTF-8")),
    "latin1": ('{"RoleDetailList": [{"RoleName": "caf\xe9"}]}'.encode("latin-1"), ("not valid UTF-8",)),
}


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def assert_clean_failure(result, code: int, *words: str) -> None:
    """Exit ``code``, every word in the output, and no traceback anywhere."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output


def assert_one_line(result, path: Path) -> None:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"iamforge: {path}"), result.output


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# -- audit and import: authorization details --


@pytest.mark.parametrize("case", sorted(BAD_DETAILS))
@pytest.mark.parametrize("command", ["audit", "import"])
def test_bad_authorization_details_are_one_line_usage_errors(tmp_path: Path, command: str, case: str) -> None:
    content, words = BAD_DETAILS[case]
    path = write(tmp_path, f"{case}.json", content)
    result = run(command, "--authorization-details", str(path))
    assert_clean_failure(result, 2, str(path), *words)
    assert_one_line(result, path)


@pytest.mark.parametrize("command", ["audit", "import"])
def test_missing_and_directory_details(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "missing.json"
    assert_clean_failure(run(command, "--authorization-details", str(missing)), 2, f"{missing}: no such file")
    # click's own dir_okay=False check answers first; still exit 2 and no traceback.
    assert_clean_failure(run(command, "--authorization-details", str(tmp_path)), 2, "is a directory")


def test_details_with_a_bom_are_read(tmp_path: Path) -> None:
    data = {"RoleDetailList": [{**ROLE, "Path": "/", "AssumeRolePolicyDocument": TRUST}]}
    path = write(tmp_path, "bom.json", b"\xef\xbb\xbf" + json.dumps(data).encode())
    result = run("audit", "--authorization-details", str(path), "--as-of", "2026-01-01")
    assert result.exit_code in (0, 1) and "iamforge audit of account 111122223333" in result.output
    assert run("import", "--authorization-details", str(path)).exit_code == 0


def test_details_over_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "MAX_DETAILS_BYTES", 10)
    path = write(tmp_path, "big.json", '{"RoleDetailList": []}')
    result = run("audit", "--authorization-details", str(path))
    assert_clean_failure(result, 2, str(path), "the limit is 10 bytes")
    assert_one_line(result, path)


# -- audit: credential report --


BAD_REPORTS: dict[str, tuple[str | bytes, tuple[str, ...]]] = {
    "utf16": (b"\xff\xfe", ("UTF-16",)),
    "binary": (b"user,arn\n\x00\x01", ("binary input",)),
    "latin1": ("user,arn\ncaf\xe9,x\n".encode("latin-1"), ("not valid UTF-8",)),
    "empty": ("", ("file is empty",)),
    "garbage": ("garbage\n", ("not a credential report: missing column(s)",)),
}
HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,mfa_active,"
          "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date\n")


@pytest.mark.parametrize("case", sorted(BAD_REPORTS))
def test_bad_credential_reports(tmp_path: Path, case: str) -> None:
    content, words = BAD_REPORTS[case]
    path = write(tmp_path, f"{case}.csv", content)
    result = run("audit", "--credential-report", str(path))
    assert_clean_failure(result, 2, str(path), *words)
    assert_one_line(result, path)


def test_credential_report_errors_name_file_and_line(tmp_path: Path) -> None:
    row = "alice,arn:aws:iam::111122223333:user/alice,2024-01-01T00:00:00+00:00,true,yesterday,N/A,true,false,N/A,N/A\n"
    path = write(tmp_path, "report.csv", HEADER + row)
    result = run("audit", "--credential-report", str(path))
    assert_clean_failure(result, 2, f"{path}:2: password_last_used: 'yesterday' is neither a date")
    flag = row.replace(",true,yesterday,", ",maybe,N/A,")
    path = write(tmp_path, "flag.csv", HEADER + flag)
    assert_clean_failure(run("audit", "--credential-report", str(path)), 2, f"{path}:2: password_enabled is 'maybe'")


def test_credential_report_with_a_bom_is_read(tmp_path: Path) -> None:
    row = "alice,arn:aws:iam::111122223333:user/alice,2024-01-01T00:00:00+00:00,false,N/A,N/A,false,false,N/A,N/A\n"
    path = write(tmp_path, "bom.csv", b"\xef\xbb\xbf" + (HEADER + row).encode())
    result = run("audit", "--credential-report", str(path), "--as-of", "2024-02-01")
    assert result.exit_code in (0, 1) and "Traceback" not in result.output and "iamforge audit of account" in result.output


# -- check-policy: bad content is a POL-002 finding (exit 1), an unusable file a usage error (exit 2) --


@pytest.mark.parametrize(("content", "words"), [
    (DEEP, ("POL-002", "nested too deeply")),
    ("[" * 200 + "]" * 200, ("POL-002", "nested too deeply")),
    (b"\xff\xfe{\x00}\x00", ("POL-002", "UTF-16")),
    (b"\x00\x01\x02", ("POL-002", "binary input")),
    ("", ("POL-002", "file is empty")),
    ('{"Version": "2012-10-17", "Statement": []}\n{', ("POL-002", "Extra data")),
    ('{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "X": Infinity}]}',
     ("POL-002", "Infinity is not valid JSON")),
], ids=["deep", "deep_but_parsable", "utf16", "binary", "empty", "extra_data", "infinity"])
def test_check_policy_bad_content_is_a_finding(tmp_path: Path, content: str | bytes, words: tuple[str, ...]) -> None:
    path = write(tmp_path, "policy.json", content)
    assert_clean_failure(run("check-policy", str(path)), 1, f"{path}:", *words)


def test_check_policy_directory_missing_and_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run("check-policy", str(tmp_path))
    assert_clean_failure(result, 2, f"{tmp_path}: is a directory, expected a policy JSON file")
    assert "no such file" not in result.output
    missing = tmp_path / "missing.json"
    assert_clean_failure(run("check-policy", str(missing)), 2, f"{missing}: no such file")
    monkeypatch.setattr(inputs, "MAX_BYTES", 16)
    path = write(tmp_path, "big.json", json.dumps(POLICY))
    result = run("check-policy", str(path))
    assert_clean_failure(result, 2, str(path), "the limit is 16 bytes")
    assert_one_line(result, path)


def test_check_policy_accepts_a_bom(tmp_path: Path) -> None:
    plain = write(tmp_path, "plain.json", json.dumps(POLICY))
    bom = write(tmp_path, "bom.json", b"\xef\xbb\xbf" + json.dumps(POLICY).encode())
    with_bom, without = run("check-policy", str(bom)), run("check-policy", str(plain))
    assert "POL-002" not in with_bom.output
    assert with_bom.exit_code == without.exit_code


# -- validate: the spec loader shares the reader and keeps its findings --


def test_spec_loader_directory_utf16_and_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.spec import loader

    assert_clean_failure(run("validate", str(tmp_path)), 2, "is a directory")
    spec = write(tmp_path, "spec.yaml", "version: 1\n".encode("utf-16"))
    assert_clean_failure(run("validate", str(spec)), 1, "SCHEMA-001", "UTF-16")
    monkeypatch.setattr(loader, "MAX_BYTES", 4)
    spec = write(tmp_path, "big.yaml", "version: 1\n")
    assert_clean_failure(run("validate", str(spec)), 1, "SCHEMA-003", "specs are capped at 4 bytes")


# -- the library --


def test_read_bytes_caps_what_it_reads_from_a_pipe(tmp_path: Path) -> None:
    """/dev/zero reports size 0; the cap still holds because it is applied to the bytes read."""
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    with pytest.raises(inputs.TooLarge, match="more than 100 bytes"):
        inputs.read_bytes("/dev/zero", max_bytes=100)


def test_depth_check_is_iterative() -> None:
    nested: list = []
    for _ in range(10_000):
        nested = [nested]
    assert inputs.depth_exceeds(nested)
    assert not inputs.depth_exceeds({"a": [{"b": 1}]}, max_depth=3)


def test_parse_details_names_source_and_entry() -> None:
    with pytest.raises(UsageError, match=r"^details\.json: RoleDetailList\[1\]: missing Arn$"):
        parse_details({"RoleDetailList": [ROLE, {"RoleName": "x"}]}, "details.json")


def test_plain_json_documents_keep_percent_signs() -> None:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                   "Resource": "arn:aws:s3:::b/100%25done/*"}]}
    details = parse_details({"RoleDetailList": [{**ROLE, "RolePolicyList": [
        {"PolicyName": "plain", "PolicyDocument": json.dumps(doc)},
        {"PolicyName": "encoded", "PolicyDocument": quote(json.dumps(doc))}]}]})
    inline = {p.name: p.document for p in details.roles["r"].inline}
    assert inline["plain"] == doc and inline["encoded"] == doc
