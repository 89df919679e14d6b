"""`audit --identity-center` and `import --identity-center`: IAM Identity Center's permission sets
judged as the roles they become, and read back into a draft spec."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator import audit, importer
from generator.audit.details import parse_details
from generator.audit.identity_center import (is_identity_center_role, parse_identity_center, permission_set_name,
                                             provisioned_roles, records_of_provisioned_roles)
from generator.cli import main
from generator.errors import UsageError
from generator.spec import load_spec_text

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "identity-center" / "instance.json"


@pytest.fixture(scope="module")
def records():
    return parse_identity_center(json.loads(FIXTURE.read_text(encoding="utf-8")), str(FIXTURE))


def test_records_read_the_api_shapes(records) -> None:
    admin, dev = records
    assert (admin.name, admin.inline, admin.managed, admin.session_hours) == (
        "AdministratorAccess", None, ["arn:aws:iam::aws:policy/AdministratorAccess"], 12)
    assert dev.inline["Statement"][0]["Sid"] == "ReadArtifacts"  # the API's JSON string, parsed
    assert dev.customer == [("acme-readers", "/teams/")] and dev.groups() == ["Engineering"]
    assert dev.accounts() == ["111122223333", "444455556666"]
    assert dev.boundary_arn("444455556666") == "arn:aws:iam::444455556666:policy/iamforge/iamforge-boundary-engineering"


@pytest.mark.parametrize("data, message", [
    ({"Roles": []}, "no PermissionSets list"),
    ({"PermissionSets": [{"Name": "x"}]}, "PermissionSets[0]: PermissionSetArn must be a non-empty string"),
    ({"PermissionSets": [{"Name": "x", "PermissionSetArn": "a", "InlinePolicy": "{nope"}]}, "InlinePolicy is not JSON"),
    ({"PermissionSets": [{"Name": "x", "PermissionSetArn": "a", "AccountAssignments": [
        {"AccountId": "1234", "PrincipalType": "GROUP", "PrincipalId": "g"}]}]},
     "PermissionSets[0].AccountAssignments[0]: AccountId must be 12 digits"),
    ({"PermissionSets": [{"Name": "x", "PermissionSetArn": "a",
                          "AttachedManagedPolicies": ["arn:aws:iam::aws:policy/AdministratorAccess"]}]},
     "PermissionSets[0].AttachedManagedPolicies[0]: not an object"),
])
def test_a_malformed_document_is_refused_naming_the_entry(data: dict, message: str) -> None:
    with pytest.raises(UsageError, match=r"^ic\.json: .*" + message.replace("[", r"\[").replace("]", r"\]")):
        parse_identity_center(data, "ic.json")


def test_provisioned_roles_are_what_identity_center_creates_in_an_account(records) -> None:
    roles = provisioned_roles(records, "444455556666")
    assert [r.name for r in roles] == ["AWSReservedSSO_engineering-developer_0f1e2d3c4b5a6978"]
    (role,) = roles
    assert is_identity_center_role(role) and permission_set_name(role.name) == "engineering-developer"
    assert role.arn == ("arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/"
                        "AWSReservedSSO_engineering-developer_0f1e2d3c4b5a6978")
    assert role.boundary == "arn:aws:iam::444455556666:policy/iamforge/iamforge-boundary-engineering"
    assert role.attached == ["arn:aws:iam::444455556666:policy/teams/acme-readers"]
    assert role.trust["Statement"][0]["Action"] == ["sts:AssumeRoleWithSAML", "sts:TagSession"]
    assert [r.arn.split(":")[4] for r in provisioned_roles(records, None)] == ["111122223333", "111122223333"]


def test_audit_judges_each_permission_set_as_its_role() -> None:
    result = CliRunner().invoke(main, ["audit", "--identity-center", str(FIXTURE), "--format", "json"])
    assert result.exit_code == 1, result.output
    found = {(f["rule_id"], f["path"].split("/")[-1] if "/" in f["path"] else f["path"])
             for f in json.loads(result.output)["findings"]}
    rules = {rule for rule, _ in found}
    assert {"PRV-001", "ACCT-002", "PRV-005", "PRV-006"} <= rules
    assert any(rule == "PRV-005" and "engineering-developer" in where for rule, where in found)


def test_audit_keeps_a_provisioned_role_the_details_already_hold(records) -> None:
    role = provisioned_roles(records, "111122223333")[1]
    details = {"RoleDetailList": [{
        "RoleName": role.name, "Arn": role.arn, "Path": role.path, "RoleId": "AROAEXAMPLE",
        "AssumeRolePolicyDocument": role.trust, "RolePolicyList": [], "AttachedManagedPolicies": [],
        "Tags": []}], "UserDetailList": [], "GroupDetailList": [], "Policies": []}
    merged = audit.with_permission_sets(parse_details(details, "d.json"), str(FIXTURE))
    # the read role (no policies: nothing to find) stays; AdministratorAccess is added
    assert sorted(merged.roles) == sorted([role.name, "AWSReservedSSO_AdministratorAccess_a1b2c3d4e5f60718"])
    assert merged.roles[role.name].inline == []


def test_import_reads_permission_sets_into_department_roles(tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    result = CliRunner().invoke(main, ["import", "--identity-center", str(FIXTURE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    load_spec_text(text, "draft.yaml")
    data = yaml.safe_load(text)
    assert data["account"]["id"] == "111122223333"  # the account the permission sets reach most
    eng = data["departments"]["engineering"]
    assert eng["identity_center"] == {"group": "Engineering"} and eng["owner"] == "platform-team@acme.example"
    dev = eng["roles"]["developer"]
    assert dev["permission_set"] is True and dev["iam_role"] is False and dev["max_session_hours"] == 4
    assert dev["trust"] == {"aws_principals": ["arn:aws:iam::111122223333:root"], "require_mfa": True}
    assert [p["sid"] for p in dev["permissions"]] == ["ReadArtifacts", "Deploy"]
    assert dev["managed_policies"] == ["arn:aws:iam::111122223333:policy/teams/acme-readers"]
    assert "identity_center.assignments.engineering-developer.accounts" in text and "444455556666" in text
    admins = data["departments"]["platform-admins"]
    assert admins["identity_center"] == {"group": "Platform Admins"} and admins["tag_value"] == "Platform Admins"
    assert "generated as platform-admins-administratoraccess" in text


def test_import_reads_identity_center_roles_in_the_details_as_permission_sets(records) -> None:
    role = provisioned_roles(records, "111122223333")[1]
    details = parse_details({"RoleDetailList": [{
        "RoleName": role.name, "Arn": role.arn, "Path": role.path, "RoleId": "AROAEXAMPLE",
        "AssumeRolePolicyDocument": role.trust,
        "RolePolicyList": [{"PolicyName": "AwsSSOInlinePolicy", "PolicyDocument": records[1].inline}],
        "AttachedManagedPolicies": [], "Tags": [{"Key": "Department", "Value": "Engineering"}]}]}, "d.json")
    (record,) = records_of_provisioned_roles(list(details.roles.values()))
    assert record.name == "engineering-developer" and record.boundary is None
    data = yaml.safe_load(importer.import_spec(details))
    dev = data["departments"]["engineering"]["roles"]["developer"]
    assert dev["permission_set"] is True and "AWSReservedSSO" not in json.dumps(data)


def test_import_options_are_checked(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["import"]).exit_code == 2
    result = runner.invoke(main, ["import", "--identity-center", str(FIXTURE), "--save-identity-center", "x.json"])
    assert result.exit_code == 2 and "goes with --identity-center aws" in result.output
