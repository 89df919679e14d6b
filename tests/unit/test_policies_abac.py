"""ABAC documents: tag conditions only where the IAM action catalogue supports them."""
from __future__ import annotations

import json

import pytest

from generator.policies import abac_plan, abac_unsupported, build, catalog
from generator.spec import load_spec, load_spec_text

SPEC = """
version: 1
account: {{id: "111122223333", regions: [us-east-1]}}
tags: {{abac_key: Department, required: [Department, Owner], common: {{ManagedBy: iamforge}}}}
boundaries:
  eng:
    allow: [{{actions: ["*"], resources: ["*"]}}]
departments:
  eng:
    tag_value: Engineering
    boundary: eng
    owner: o@x.example
    roles:
      dev:
        trust: {{aws_principals: ["arn:aws:iam::111122223333:root"], require_mfa: true}}
        abac:
          actions: {actions}
"""
PTAG = "${aws:PrincipalTag/Department}"


def spec_with(actions: list[str]):
    return load_spec_text(SPEC.format(actions=json.dumps(actions)), "abac.yaml")


def abac_statements(spec) -> dict[str, dict]:
    doc = build(spec).docs["role.eng.dev.abac"]
    return {s["Sid"]: s for s in doc.document["Statement"]}


def assert_keys_supported(statements: dict[str, dict]) -> None:
    for sid, st in statements.items():
        for keys in st.get("Condition", {}).values():
            for key in keys:
                for pattern in st["Action"]:
                    for action in catalog.expand(pattern):
                        assert catalog.supports(action, key), (sid, action, key)


def test_acme_developer():
    spec = load_spec("examples/acme.yaml")
    role = spec.departments["engineering"].roles["developer"]
    doc = build(spec).docs["role.engineering.developer.abac"]
    s = {st["Sid"]: st for st in doc.document["Statement"]}
    assert s["AbacExistingResources"]["Action"] == ["ec2:StartInstances", "ec2:StopInstances"]
    assert s["AbacExistingResources"]["Condition"] == {"StringEquals": {"aws:ResourceTag/Department": [PTAG]}}
    # S3 object actions do not support aws:ResourceTag: left out, never allowed unconditionally
    allowed = {a for st in s.values() if st["Effect"] == "Allow" for a in st["Action"]}
    assert not {"s3:GetObject", "s3:PutObject"} & allowed
    assert [a for a, _ in abac_unsupported(spec, role)] == ["s3:GetObject", "s3:PutObject"]
    assert s["DenyTagChangesOnOtherDepartments"]["Action"] == ["ec2:CreateTags", "ec2:DeleteTags"]
    assert s["DenyAbacTagRemoval"]["Action"] == ["ec2:DeleteTags"]
    principal = s["DenyPrincipalAuthorizationTagChanges"]
    assert principal["Action"] == ["iam:TagRole", "iam:TagUser", "iam:UntagRole", "iam:UntagUser"]
    assert principal["Condition"] == {"ForAnyValue:StringEquals": {"aws:TagKeys": ["Department", "Owner"]}}
    assert_keys_supported(s)


def test_acme_analyst_has_no_abac_doc_and_reports_why():
    spec = load_spec("examples/acme.yaml")
    role = spec.departments["finance"].roles["analyst"]
    assert "role.finance.analyst.abac" not in build(spec).docs
    assert abac_unsupported(spec, role) == [("s3:GetObject", "acts on resources but does not support aws:ResourceTag")]


def test_create_actions_need_request_tag_and_tag_key_allow_list():
    spec = spec_with(["ec2:RunInstances", "lambda:CreateFunction", "lambda:InvokeFunction",
                      "dynamodb:GetItem", "ec2:DescribeInstances"])
    s = abac_statements(spec)
    create = s["AbacCreateTagged"]
    assert create["Action"] == ["ec2:RunInstances", "lambda:CreateFunction"]
    assert create["Condition"] == {
        "ForAllValues:StringEquals": {"aws:TagKeys": ["Department", "ManagedBy", "Owner"]},
        "StringEquals": {"aws:RequestTag/Department": [PTAG]},
    }
    on_create = s["AbacTagOnCreate"]
    assert on_create["Action"] == ["ec2:CreateTags"]
    assert on_create["Condition"]["StringEquals"]["ec2:CreateAction"] == ["RunInstances"]
    assert s["AbacExistingResources"]["Action"] == ["dynamodb:GetItem", "lambda:InvokeFunction"]
    assert s["AbacNoResourceTag"] == {"Sid": "AbacNoResourceTag", "Effect": "Allow",
                                      "Action": ["ec2:DescribeInstances"], "Resource": ["*"]}
    assert "lambda:TagResource" in s["DenyAbacTagSetToOtherValue"]["Action"]
    assert "lambda:UntagResource" in s["DenyAbacTagRemoval"]["Action"]
    assert {"dynamodb:TagResource", "lambda:TagResource"} <= set(s["DenyTagChangesOnOtherDepartments"]["Action"])
    assert_keys_supported(s)


def test_wildcard_pattern_kept_when_uniform_and_split_when_mixed():
    spec = spec_with(["ec2:Start*", "lambda:*"])
    role = spec.departments["eng"].roles["dev"]
    plan = abac_plan(spec, role)
    assert "ec2:Start*" in plan.existing
    assert "lambda:*" not in plan.allowed
    assert "lambda:InvokeFunction" in plan.existing and "lambda:CreateFunction" in plan.create
    assert "lambda:ListFunctions" in plan.untaggable
    for action, reason in plan.unsupported:
        assert "(matched by lambda:*)" in reason, action
    assert_keys_supported(abac_statements(spec))


@pytest.mark.parametrize("actions", [
    ["ec2:*"], ["dynamodb:*", "sqs:*"], ["secretsmanager:*"], ["s3:*", "lambda:Get*"],
])
def test_every_condition_key_supported_by_every_action(actions):
    spec = spec_with(actions)
    if "role.eng.dev.abac" in build(spec).docs:
        assert_keys_supported(abac_statements(spec))


def test_no_unsupported_action_is_allowed():
    spec = spec_with(["s3:*", "ec2:*"])
    role = spec.departments["eng"].roles["dev"]
    unsupported = {a for a, _ in abac_unsupported(spec, role)}
    s = abac_statements(spec)
    allowed = {a for st in s.values() if st["Effect"] == "Allow" for p in st["Action"] for a in catalog.expand(p)}
    assert unsupported and not (unsupported & allowed)


def test_tagging_actions_without_key_conditions_are_denied_outright():
    spec = spec_with(["s3:DescribeJob"])  # S3 Batch jobs support aws:ResourceTag
    s = abac_statements(spec)
    assert "s3:PutBucketTagging" in s["DenyUnverifiableTagging"]["Action"]
    assert "Condition" not in s["DenyUnverifiableTagging"]
    assert_keys_supported(s)


def test_unknown_and_star_actions_are_reported():
    spec = spec_with(["ec2:NotAnAction", "*"])
    role = spec.departments["eng"].roles["dev"]
    assert {a for a, _ in abac_unsupported(spec, role)} == {"ec2:NotAnAction", "*"}
    assert "role.eng.dev.abac" not in build(spec).docs
