"""`audit`, `import` and the adopt import blocks against a real IAM API: moto_server on loopback.

boto3 builds the account (users with and without MFA, keys, roles with an escalation path and
safe ones); iamforge then fetches the real credential report and authorization details through
AWS_ENDPOINT_URL, exactly as `--from-aws` does. moto stamps every key and user with the current
time, so ages are exercised with --as-of in the future; the report's edge values (root row,
N/A, no_information, old keys) are covered by tests/fixtures/audit instead.
"""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from moto_server import TEST_ACCOUNT_ID, MotoServer, account, moto, moto_servers  # noqa: F401  (fixtures)

from generator.adopt import adopt_imports_from_aws
from generator.audit import audit_aws, options
from generator.cli import main
from generator.importer import import_from_aws
from generator.spec import load_spec_text

A = TEST_ACCOUNT_ID
LATER = date.today() + timedelta(days=120)


def _doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _lambda_trust() -> str:
    return _doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
                 "Condition": {"StringEquals": {"aws:SourceAccount": A}}})


def build_account(server: MotoServer) -> None:
    iam = server.client("iam")
    tags = [{"Key": "Department", "Value": "Engineering"}, {"Key": "Owner", "Value": "eng@acme.example"}]
    iam.create_user(UserName="alice", Path="/engineering/", Tags=tags)  # console, no MFA, a key
    iam.create_login_profile(UserName="alice", Password="Str0ng-password-123!")
    iam.create_access_key(UserName="alice")
    iam.create_user(UserName="bob", Path="/engineering/", Tags=tags)  # console with MFA
    iam.create_login_profile(UserName="bob", Password="Str0ng-password-123!")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="bob")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="bob", SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321")
    iam.create_user(UserName="deploy-bot")  # two keys, no console
    iam.create_access_key(UserName="deploy-bot")
    iam.create_access_key(UserName="deploy-bot")
    iam.create_group(GroupName="engineering")
    for user in ("alice", "bob"):
        iam.add_user_to_group(GroupName="engineering", UserName=user)
    iam.put_group_policy(GroupName="engineering", PolicyName="read-artifacts", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-artifacts/*"}))
    # Escalation: pass any role to a new Lambda function and invoke it.
    iam.create_role(RoleName="engineering-builder", Path="/engineering/", AssumeRolePolicyDocument=_lambda_trust(), Tags=tags)
    iam.put_role_policy(RoleName="engineering-builder", PolicyName="build", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}))
    # Safe: scoped reads, constrained service trust.
    iam.create_role(RoleName="engineering-reader", Path="/engineering/", AssumeRolePolicyDocument=_lambda_trust(), Tags=tags)
    iam.put_role_policy(RoleName="engineering-reader", PolicyName="read", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-artifacts/*"}))
    # Administrator through an AWS managed policy, assumable by the whole account without MFA.
    iam.create_role(RoleName="ops-admin", AssumeRolePolicyDocument=_doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "sts:AssumeRole"}))
    iam.attach_role_policy(RoleName="ops-admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")


def test_audit_from_aws_finds_exactly_the_planted_problems(account: MotoServer) -> None:
    build_account(account)
    result = audit_aws(opts=options(LATER))
    found = {(f.rule_id, f.path) for f in result.findings}
    assert result.account_id == A
    credentials = {x for x in found if x[0].startswith("CRED")}
    assert credentials == {
        ("CRED-003", "user/alice"), ("CRED-004", "user/alice"), ("CRED-005", "user/alice"),
        ("CRED-006", "user/alice"), ("CRED-008", "user/alice"), ("CRED-006", "user/bob"),
        ("CRED-004", "user/deploy-bot"), ("CRED-005", "user/deploy-bot"), ("CRED-007", "user/deploy-bot"),
    }  # moto's report has no <root_account> row, so CRED-001/002 are fixture-tested only
    assert ("PRV-005", "role/engineering-builder") in found
    assert ("PRV-001", "role/ops-admin/attached/AdministratorAccess") in found
    assert ("ACCT-002", "role/ops-admin") in found
    assert ("TRU-002", "role/ops-admin/trust/Statement[0].Principal") in found
    stale = {p for rule, p in found if rule == "ACCT-001"}
    assert stale == {"role/engineering-builder", "role/engineering-reader", "role/ops-admin"}  # never used
    reader = {rule for rule, p in found if p.startswith("role/engineering-reader")}
    assert reader == {"ACCT-001"}  # the safe role: nothing but "never used"
    assert not [x for x in found if x[1].startswith("user/bob") and x[0] != "CRED-006"]


def test_audit_today_has_no_age_findings(account: MotoServer) -> None:
    build_account(account)
    rules = {f.rule_id for f in audit_aws(opts=options(date.today())).findings}
    assert not rules & {"CRED-004", "CRED-005", "CRED-006", "ACCT-001"}
    assert {"CRED-003", "CRED-007", "CRED-008", "PRV-005"} <= rules


def test_cli_audit_and_import_from_aws(account: MotoServer, tmp_path) -> None:
    build_account(account)
    runner = CliRunner()
    audit = runner.invoke(main, ["audit", "--from-aws", "--format", "json", "--as-of", LATER.isoformat()])
    assert audit.exit_code == 1, audit.output
    assert {f["file"] for f in json.loads(audit.output)["findings"]} == {f"aws:{A}", f"aws:{A}:credential-report"}
    out = tmp_path / "spec.yaml"
    imported = runner.invoke(main, ["import", "--from-aws", "-o", str(out)])
    assert imported.exit_code == 0, imported.output
    spec = load_spec_text(out.read_text(encoding="utf-8"), str(out))
    eng = spec.departments["engineering"]
    assert sorted(eng.roles) == ["builder", "reader"] and [u.name for u in eng.users] == ["alice", "bob"]
    assert spec.departments["unassigned"].roles["ops-admin"].managed_policies == ["arn:aws:iam::aws:policy/AdministratorAccess"]


def test_adopt_imports_match_the_generated_addresses(account: MotoServer) -> None:
    build_account(account)
    spec = load_spec_text(import_from_aws(), "imported.yaml")
    text = adopt_imports_from_aws(spec)
    blocks = {(b.split("to = ")[1].split("\n")[0], b.split('id = ')[1].split("\n")[0])
              for b in text.split("import {")[1:]}
    assert ('module.roles.aws_iam_role.this["engineering-builder"]', '"engineering-builder"') in blocks
    assert ('module.roles.aws_iam_role_policy.this["engineering-builder/build"]', '"engineering-builder:build"') not in blocks
    assert ('module.departments.aws_iam_group.this["engineering"]', '"engineering"') in blocks
    assert ('module.departments.aws_iam_user.this["alice"]', '"alice"') in blocks
    assert not [b for b in blocks if "ops-admin" in b[0]]  # generated as unassigned-ops-admin: not the same role
    assert "aws_iam_group_membership of group engineering cannot be imported" in text


def test_adopt_imports_the_force_mfa_policy_and_its_group_attachment(account: MotoServer) -> None:
    from generator.render.pipeline import module_contexts

    build_account(account)
    spec = load_spec_text(import_from_aws(), "imported.yaml")
    mfa = module_contexts(spec)["mfa"]
    iam = account.client("iam")
    arn = iam.create_policy(PolicyName=mfa["policy"]["name"], Path=mfa["policy"]["path"],
                            PolicyDocument=_doc({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}))["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="engineering", PolicyArn=arn)
    text = adopt_imports_from_aws(spec)
    assert f'to = module.mfa.aws_iam_policy.this\n  id = "{arn}"' in text
    key = f'engineering/{mfa["key"]}'
    assert (f'to = module.departments.aws_iam_group_policy_attachment.this["{key}"]\n  id = "engineering/{arn}"'
            in text)
