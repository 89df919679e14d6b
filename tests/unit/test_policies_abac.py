"""ABAC documents: tag conditions only where the IAM action catalogue supports them."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.policies import abac_plan, abac_unsupported, build, catalog
from generator.rules.engine import validate_spec
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
    # S3 object actions are scoped by the object's tags, not aws:ResourceTag
    assert s["AbacExistingS3Objects"]["Action"] == ["s3:GetObject"]
    assert s["AbacExistingS3Objects"]["Condition"] == {
        "StringEquals": {"s3:ExistingObjectTag/Department": [PTAG]}}
    assert s["AbacCreateTaggedS3Objects"]["Action"] == ["s3:PutObject"]
    assert s["AbacCreateTaggedS3Objects"]["Condition"] == {
        "ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["Department", "ManagedBy", "Owner"]},
        "StringEquals": {"s3:RequestObjectTag/Department": [PTAG]},
    }
    assert abac_unsupported(spec, role) == []
    assert s["DenyTagChangesOnOtherDepartments"]["Action"] == ["ec2:CreateTags", "ec2:DeleteTags"]
    assert s["DenyAbacTagRemoval"]["Action"] == ["ec2:DeleteTags"]
    principal = s["DenyPrincipalAuthorizationTagChanges"]
    assert principal["Action"] == ["iam:TagRole", "iam:TagUser", "iam:UntagRole", "iam:UntagUser"]
    assert principal["Condition"] == {"ForAnyValue:StringEquals": {"aws:TagKeys": ["Department", "Owner"]}}
    assert_keys_supported(s)


def test_acme_analyst_reads_objects_of_its_department():
    spec = load_spec("examples/acme.yaml")
    role = spec.departments["finance"].roles["analyst"]
    s = {st["Sid"]: st for st in build(spec).docs["role.finance.analyst.abac"].document["Statement"]}
    assert s["AbacExistingS3Objects"]["Action"] == ["s3:GetObject"]
    assert abac_unsupported(spec, role) == []
    # no aws:ResourceTag family in use: no guardrails for it
    assert "DenyTagChangesOnOtherDepartments" not in s and "DenyAbacTagRemoval" not in s
    assert_keys_supported(s)


def test_s3_object_tag_guardrails():
    s = abac_statements(spec_with(["s3:GetObject"]))
    existing, present = "s3:ExistingObjectTag/Department", {"s3:ExistingObjectTag/Department": ["false"]}
    object_tagging = ["s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging",
                      "s3:PutObjectTagging", "s3:PutObjectVersionTagging"]
    assert s["DenyS3ObjectTagChangesOnOtherDepartments"]["Action"] == object_tagging
    assert s["DenyS3ObjectTagChangesOnOtherDepartments"]["Condition"] == {
        "Null": present, "StringNotEquals": {existing: [PTAG]}}
    assert s["DenyAbacS3ObjectTagSetToOtherValue"]["Action"] == ["s3:PutObjectTagging", "s3:PutObjectVersionTagging"]
    assert s["DenyAbacS3ObjectTagSetToOtherValue"]["Condition"] == {
        "ForAnyValue:StringEquals": {"s3:RequestObjectTagKeys": ["Department"]},
        "StringNotEquals": {"s3:RequestObjectTag/Department": [PTAG]}}
    # DeleteObjectTagging drops every tag and sees no request keys: denied on tagged objects
    assert s["DenyAbacS3ObjectTagRemovalWhenTagged"]["Action"] == [
        "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"]
    assert s["DenyAbacS3ObjectTagRemovalWhenTagged"]["Condition"] == {"Null": present}
    # PutObjectTagging replaces the whole set: leaving the key out removes it
    assert s["DenyAbacS3ObjectTagDroppedFromSet"]["Condition"] == {
        "Null": {**present, "s3:RequestObjectTag/Department": ["true"]}}
    assert s["DenyUnverifiableS3ObjectTagging"]["Action"] == ["s3:ReplicateTags"]
    # bucket tags are not the object ABAC tag: bucket tagging is not denied
    denied = {a for st in s.values() if st["Effect"] == "Deny" for a in st["Action"]}
    assert "s3:PutBucketTagging" not in denied
    assert_keys_supported(s)


def test_s3_actions_without_object_tag_keys_are_left_out_with_both_families_named():
    spec = spec_with(["s3:GetObject*", "s3:DeleteObject", "s3:PutObjectTagging"])
    role = spec.departments["eng"].roles["dev"]
    p = abac_plan(spec, role)
    assert {"s3:GetObject", "s3:GetObjectTagging", "s3:PutObjectTagging"} <= set(p.existing)
    assert "s3:GetObject*" not in p.allowed  # GetObjectLegalHold and -Retention see no object tag
    left = {x.action: x for x in p.left_out}
    assert left["s3:DeleteObject"].index == 1
    assert left["s3:DeleteObject"].reason == ("acts on resources but supports neither "
                                              "s3:ExistingObjectTag/Department nor aws:ResourceTag/Department")
    assert left["s3:GetObjectRetention"].index == 0
    assert dict(abac_unsupported(spec, role))["s3:GetObjectRetention"].endswith("(matched by s3:GetObject*)")
    assert_keys_supported(abac_statements(spec))


def test_exact_entry_wins_the_report_over_an_earlier_wildcard():
    spec = spec_with(["s3:*Object", "s3:DeleteObject"])
    left = {x.action: x for x in abac_plan(spec, spec.departments["eng"].roles["dev"]).left_out}
    assert (left["s3:DeleteObject"].index, left["s3:DeleteObject"].pattern) == (1, "s3:DeleteObject")


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
    spec = spec_with(["ec2:Terminate*", "lambda:*"])
    role = spec.departments["eng"].roles["dev"]
    plan = abac_plan(spec, role)
    assert "ec2:Terminate*" in plan.existing  # every match supports aws:ResourceTag: kept as written
    assert "lambda:*" not in plan.allowed
    assert "lambda:InvokeFunction" in plan.existing and "lambda:CreateFunction" in plan.create
    assert "lambda:ListFunctions" in plan.untaggable
    for action, reason in plan.unsupported:
        assert "(matched by lambda:*)" in reason, action
    assert_keys_supported(abac_statements(spec))


@pytest.mark.parametrize("actions", [
    ["ec2:*"], ["dynamodb:*", "sqs:*"], ["secretsmanager:*"], ["s3:*", "lambda:Get*"], ["s3:*Object*"],
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


def test_object_tag_match_counts_as_a_constraint():
    # s3:ExistingObjectTag/<k> = ${aws:PrincipalTag/<k>} narrows s3:GetObject on "*" as
    # aws:ResourceTag does for other services: no "reads every object" finding for the analyst.
    findings = validate_spec(load_spec("examples/acme.yaml"))
    analyst = "departments.finance.roles.analyst.abac"
    assert not [f for f in findings if f.rule_id in ("PRV-010", "PRV-011") and f.path.startswith(analyst)]


def test_left_out_actions_are_reported_with_how_to_grant_them():
    spec = spec_with(["s3:GetObject", "s3:DeleteObject", "lambda:*LayerVersion*"])
    found = {f.path: f.message for f in validate_spec(spec) if f.rule_id == "TAG-010"}
    actions = "departments.eng.roles.dev.abac.actions"
    assert set(found) == {f"{actions}[1]", f"{actions}[2]"}
    assert found[f"{actions}[1]"].startswith("s3:DeleteObject is left out of eng-dev's ABAC policy")
    assert "in permissions with explicit resource ARNs" in found[f"{actions}[1]"]
    assert "lambda:DeleteLayerVersion" in found[f"{actions}[2]"]


def test_s3_uploads_land_under_the_departments_prefix_with_their_tagging():
    """PutObject cannot see the tags of the object it overwrites: uploads are confined to the
    department's key prefix, and the upload's tags (authorized as PutObjectTagging) are allowed there."""
    from generator.policies.abac import abac_statements, department_prefixed
    from generator.spec import load_spec

    spec = load_spec(str(Path(__file__).resolve().parents[2] / "examples" / "acme.yaml"))
    ptag = "${aws:PrincipalTag/Department}"
    assert department_prefixed(spec, ["*"], ptag) == [f"arn:aws:s3:::*/{ptag}/*"]
    assert department_prefixed(spec, ["arn:aws:s3:::data/*", "arn:aws:s3:::logs-*",
                                      "arn:aws:s3:::data/reports/*", "arn:aws:ec2:us-east-1:111122223333:instance/*"],
                               ptag) == sorted([f"arn:aws:s3:::data/reports/{ptag}/*", f"arn:aws:s3:::data/{ptag}/*",
                                                f"arn:aws:s3:::logs-*/{ptag}/*"])
    role = spec.departments["engineering"].roles["developer"]
    by_sid = {s["Sid"]: s for s in abac_statements(spec, role)}
    upload, tagging = by_sid["AbacCreateTaggedS3Objects"], by_sid["AbacTagOnUpload"]
    assert upload["Resource"] == tagging["Resource"] == [f"arn:aws:s3:::*/{ptag}/*"]
    assert tagging["Action"] == ["s3:PutObjectTagging"] and tagging["Condition"] == upload["Condition"]
    assert by_sid["AbacExistingS3Objects"]["Resource"] == ["*"]  # reads follow the object's tag anywhere
