"""examples/acme.yaml as deployed to moto_server, evaluated by the IAM policy engine.

Account 111122223333 (home region us-east-1, regions us-east-1 and eu-west-1): engineering
(users alice, bob; roles developer: MFA, ABAC, can_create_roles; deployer: GitHub OIDC),
finance (user carol; role analyst: MFA, ABAC), security (role auditor: account 444455556666 with
an ExternalId), and the trail with its bucket, key and alarm topic. Every document evaluated
is read back from the applied state (see deployed.py); every scenario of this module is
evaluated in one engine batch.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.spec import load_spec

from .deployed import ADMINISTRATOR_ACCESS, Deployment, check_against_build
from .engine import CLOUDTRAIL_CONTEXT
from .scenarios import ALLOW, DENY, EXPLICIT, IMPLICIT, Builders, Scenario, allow_doc, check, evaluate, params

pytestmark = [pytest.mark.terraform, pytest.mark.moto]

SPEC_PATH = Path(__file__).resolve().parents[2] / "examples" / "acme.yaml"
SPEC = load_spec(SPEC_PATH)
ACCT = "111122223333"
HOME = "us-east-1"
OUTSIDE_REGION = "ap-southeast-2"
MAX_AGE = SPEC.mfa.max_age_seconds  # 3600
EXTERNAL = "444455556666"
EXTERNAL_ID = "acme-audit-7f3a9c"
TRAIL = f"arn:aws:cloudtrail:{HOME}:{ACCT}:trail/acme-trail"
BUCKET = "acme-cloudtrail-111122223333"
ACCESS_LOGS = f"{BUCKET}-access-logs"
LOG_GROUP = f"arn:aws:logs:{HOME}:{ACCT}:log-group:/aws/cloudtrail/acme-trail"
LOGS_CONTEXT = "kms:EncryptionContext:aws:logs:arn"
LOG_OBJECT = f"arn:aws:s3:::{BUCKET}/AWSLogs/{ACCT}/CloudTrail/{HOME}/2026/11/29/{ACCT}_CloudTrail_{HOME}_x.json.gz"
PROVIDER = f"arn:aws:iam::{ACCT}:oidc-provider/token.actions.githubusercontent.com"
INSTANCE = f"arn:aws:ec2:{HOME}:{ACCT}:instance/i-0123456789abcdef0"
DELEGATED_ROLE = f"arn:aws:iam::{ACCT}:role/engineering/delegated/app"
DEPT_BOUNDARY = SPEC.boundary_arn("engineering")


def delegated_boundary_arn(key: str) -> str:
    """The boundary a delegate must put on the roles it creates: the generator's name for it,
    else the name this change was specified with."""
    named = getattr(SPEC, "delegated_boundary_arn", None)
    return named(key) if named else f"arn:aws:iam::{ACCT}:policy/iamforge/iamforge-boundary-{key}-delegated"


DELEGATED_BOUNDARY = delegated_boundary_arn("engineering")


B = Builders(ACCT, HOME, MAX_AGE)
user_does, user_assumes, role_does = B.user_does, B.user_assumes, B.role_does
probe_assumes, github_assumes, service_assumes = B.probe_assumes, B.github_assumes, B.service_assumes
bucket_request, key_request = B.bucket_request, B.key_request


def created_role_does(action: str, resource: str, context: dict | None = None, region: str = HOME):
    return B.created_role_does(DELEGATED_BOUNDARY, "/engineering/delegated/", {"Department": "Engineering"}, action,
                               resource, context, region)


def topic_request(principal: str, identity: list | None = None, context: dict | None = None):
    return B.topic_request("acme-trail-alarms", principal, identity, context)


USER = f"arn:aws:iam::{ACCT}:user/engineering/" + "{}"
ALARM = f"arn:aws:cloudwatch:{HOME}:{ACCT}:alarm:acme-trail-cis-5-01-unauthorized-api-calls"
SAME_ACCOUNT_ROLE = f"arn:aws:iam::{ACCT}:role/app-writer"
OTHER_ACCOUNT_ROLE = "arn:aws:iam::999988887777:role/intruder"

FORCE_MFA = [
    Scenario("alice-no-mfa-ListAllMyBuckets", user_does("alice", "s3:ListAllMyBuckets", "*", "absent"), EXPLICIT),
    Scenario("alice-mfa-false-ListAllMyBuckets", user_does("alice", "s3:ListAllMyBuckets", "*", "false"), EXPLICIT),
    Scenario("alice-as-admin-no-mfa-ListAllMyBuckets", user_does("alice", "s3:ListAllMyBuckets", "*", "absent", admin=True), EXPLICIT),
    Scenario("alice-as-admin-mfa-false-GetObject", user_does("alice", "s3:GetObject", "arn:aws:s3:::acme-artifacts/a", "false", admin=True), EXPLICIT),
    Scenario("alice-as-admin-fresh-mfa-ListAllMyBuckets", user_does("alice", "s3:ListAllMyBuckets", "*", "fresh", admin=True), ALLOW),
    Scenario("alice-no-mfa-CreateVirtualMFADevice-own", user_does("alice", "iam:CreateVirtualMFADevice", f"arn:aws:iam::{ACCT}:mfa/alice", "absent"), ALLOW),
    Scenario("alice-mfa-false-CreateVirtualMFADevice-own", user_does("alice", "iam:CreateVirtualMFADevice", f"arn:aws:iam::{ACCT}:mfa/alice", "false"), ALLOW),
    Scenario("alice-no-mfa-EnableMFADevice-own-user", user_does("alice", "iam:EnableMFADevice", USER.format("alice"), "absent"), ALLOW),
    Scenario("alice-no-mfa-ListMFADevices-own-user", user_does("alice", "iam:ListMFADevices", USER.format("alice"), "absent"), ALLOW),
    Scenario("alice-no-mfa-ChangePassword-own-user", user_does("alice", "iam:ChangePassword", USER.format("alice"), "absent"), ALLOW),
    Scenario("alice-no-mfa-EnableMFADevice-bob", user_does("alice", "iam:EnableMFADevice", USER.format("bob"), "absent"), DENY),
    Scenario("alice-as-admin-no-mfa-DeactivateMFADevice-own", user_does("alice", "iam:DeactivateMFADevice", USER.format("alice"), "absent", admin=True), EXPLICIT),
    Scenario("alice-as-admin-no-mfa-GetSessionToken", user_does("alice", "sts:GetSessionToken", "*", "absent", admin=True), ALLOW),
    Scenario("alice-as-admin-old-mfa-CreateAccessKey", user_does("alice", "iam:CreateAccessKey", USER.format("alice"), "old", admin=True), EXPLICIT),
    Scenario("alice-as-admin-old-mfa-AttachRolePolicy", user_does("alice", "iam:AttachRolePolicy", f"arn:aws:iam::{ACCT}:role/x", "old", admin=True), EXPLICIT),
    Scenario("alice-as-admin-old-mfa-StopLogging", user_does("alice", "cloudtrail:StopLogging", TRAIL, "old", admin=True), EXPLICIT),
    Scenario("alice-as-admin-old-mfa-ScheduleKeyDeletion", user_does("alice", "kms:ScheduleKeyDeletion", f"arn:aws:kms:{HOME}:{ACCT}:key/0b5e7a2c-0000-4000-8000-000000000001", "old", admin=True), EXPLICIT),
    Scenario("alice-as-admin-old-mfa-non-sensitive-ListAllMyBuckets", user_does("alice", "s3:ListAllMyBuckets", "*", "old", admin=True), ALLOW),
    Scenario("alice-as-admin-fresh-mfa-CreateAccessKey", user_does("alice", "iam:CreateAccessKey", USER.format("alice"), "fresh", admin=True), ALLOW),
    Scenario("carol-no-mfa-GetObject-finance", user_does("carol", "s3:GetObject", "arn:aws:s3:::acme-finance-reports/q3.csv", "absent"), EXPLICIT),
]

TRUST = [
    # account root principal + require_mfa (developer, analyst): the trust alone decides for a caller its identity allows
    Scenario("developer-trust-root-fresh-mfa", probe_assumes("engineering-developer", "fresh"), ALLOW),
    Scenario("developer-trust-root-no-mfa", probe_assumes("engineering-developer", "absent"), DENY),
    Scenario("developer-trust-root-mfa-false", probe_assumes("engineering-developer", "false"), DENY),
    Scenario("developer-trust-root-old-mfa", probe_assumes("engineering-developer", "old"), DENY),
    Scenario("analyst-trust-root-fresh-mfa", probe_assumes("finance-analyst", "fresh"), ALLOW),
    Scenario("analyst-trust-root-no-mfa", probe_assumes("finance-analyst", "absent"), DENY),
    Scenario("developer-trust-other-account-fresh-mfa", probe_assumes("engineering-developer", "fresh", principal="arn:aws:iam::999988887777:user/probe"), DENY),
    Scenario("developer-trust-lambda-service", service_assumes("engineering-developer", "lambda.amazonaws.com"), DENY),
    # external account + ExternalId (auditor)
    Scenario("auditor-trust-external-right-id", probe_assumes("security-auditor", principal=f"arn:aws:iam::{EXTERNAL}:role/Auditors", context={"sts:ExternalId": EXTERNAL_ID}), ALLOW),
    Scenario("auditor-trust-external-wrong-id", probe_assumes("security-auditor", principal=f"arn:aws:iam::{EXTERNAL}:role/Auditors", context={"sts:ExternalId": "guess"}), DENY),
    Scenario("auditor-trust-external-missing-id", probe_assumes("security-auditor", principal=f"arn:aws:iam::{EXTERNAL}:role/Auditors"), DENY),
    Scenario("auditor-trust-third-account-right-id", probe_assumes("security-auditor", principal="arn:aws:iam::999988887777:role/Auditors", context={"sts:ExternalId": EXTERNAL_ID}), DENY),
    Scenario("auditor-trust-same-account-right-id", probe_assumes("security-auditor", "fresh", context={"sts:ExternalId": EXTERNAL_ID}), DENY),
    # GitHub OIDC (deployer)
    Scenario("deployer-trust-github-web-main", github_assumes("engineering-deployer", "repo:acme/web:ref:refs/heads/main"), ALLOW),
    Scenario("deployer-trust-github-api-production", github_assumes("engineering-deployer", "repo:acme/api:environment:production"), ALLOW),
    Scenario("deployer-trust-github-other-repo", github_assumes("engineering-deployer", "repo:evil/web:ref:refs/heads/main"), DENY),
    Scenario("deployer-trust-github-other-branch", github_assumes("engineering-deployer", "repo:acme/web:ref:refs/heads/feature"), DENY),
    Scenario("deployer-trust-github-pull-request", github_assumes("engineering-deployer", "repo:acme/web:pull_request"), DENY),
    Scenario("deployer-trust-github-api-other-environment", github_assumes("engineering-deployer", "repo:acme/api:environment:staging"), DENY),
    Scenario("deployer-trust-github-wrong-audience", github_assumes("engineering-deployer", "repo:acme/web:ref:refs/heads/main", aud="https://example.com"), DENY),
    Scenario("deployer-trust-other-oidc-provider", github_assumes("engineering-deployer", "repo:acme/web:ref:refs/heads/main", provider=f"arn:aws:iam::{ACCT}:oidc-provider/gitlab.com"), DENY),
    Scenario("deployer-trust-root-principal", probe_assumes("engineering-deployer", "fresh"), DENY),
    # service principal (the trail's CloudWatch Logs role)
    Scenario("trail-logs-role-trust-cloudtrail", service_assumes("iamforge-cloudtrail-to-cloudwatch", "cloudtrail.amazonaws.com", {"aws:SourceArn": TRAIL, "aws:SourceAccount": ACCT}), ALLOW),
    Scenario("trail-logs-role-trust-cloudtrail-other-trail", service_assumes("iamforge-cloudtrail-to-cloudwatch", "cloudtrail.amazonaws.com", {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:999988887777:trail/t"}), DENY),
    Scenario("trail-logs-role-trust-lambda", service_assumes("iamforge-cloudtrail-to-cloudwatch", "lambda.amazonaws.com", {"aws:SourceArn": TRAIL}), DENY),
]

OWN_UPLOAD_TAGS = {"s3:RequestObjectTag/Department": "Engineering", "s3:RequestObjectTagKeys": ["Department", "Owner"]}

ABAC = [
    Scenario("developer-StartInstances-tag-match", role_does("engineering-developer", "ec2:StartInstances", INSTANCE, {"aws:ResourceTag/Department": "Engineering"}), ALLOW),
    Scenario("developer-StartInstances-tag-mismatch", role_does("engineering-developer", "ec2:StartInstances", INSTANCE, {"aws:ResourceTag/Department": "Finance"}), DENY),
    Scenario("developer-StartInstances-tag-missing", role_does("engineering-developer", "ec2:StartInstances", INSTANCE), DENY),
    Scenario("developer-GetObject-object-tag-match", role_does("engineering-developer", "s3:GetObject", "arn:aws:s3:::acme-data/report.csv", {"s3:ExistingObjectTag/Department": "Engineering"}), ALLOW),
    Scenario("developer-GetObject-object-tag-mismatch", role_does("engineering-developer", "s3:GetObject", "arn:aws:s3:::acme-data/report.csv", {"s3:ExistingObjectTag/Department": "Finance"}), DENY),
    Scenario("developer-GetObject-object-tag-missing", role_does("engineering-developer", "s3:GetObject", "arn:aws:s3:::acme-data/report.csv"), DENY),
    # uploads: tagged with the caller's department, and only under that department's key prefix
    # (PutObject cannot see the tags of an object it would overwrite)
    Scenario("developer-PutObject-own-prefix-own-tag", role_does("engineering-developer", "s3:PutObject", "arn:aws:s3:::acme-data/Engineering/new.csv", OWN_UPLOAD_TAGS), ALLOW),
    Scenario("developer-PutObjectTagging-own-prefix-own-tag", role_does("engineering-developer", "s3:PutObjectTagging", "arn:aws:s3:::acme-data/Engineering/new.csv", OWN_UPLOAD_TAGS), ALLOW),
    Scenario("developer-PutObject-own-prefix-other-tag", role_does("engineering-developer", "s3:PutObject", "arn:aws:s3:::acme-data/Engineering/new.csv", {"s3:RequestObjectTag/Department": "Finance", "s3:RequestObjectTagKeys": ["Department"]}), DENY),
    Scenario("developer-PutObject-own-prefix-untagged", role_does("engineering-developer", "s3:PutObject", "arn:aws:s3:::acme-data/Engineering/new.csv"), DENY),
    Scenario("developer-PutObject-other-department-prefix", role_does("engineering-developer", "s3:PutObject", "arn:aws:s3:::acme-data/Finance/report.csv", OWN_UPLOAD_TAGS), DENY),
    Scenario("developer-PutObject-no-prefix", role_does("engineering-developer", "s3:PutObject", "arn:aws:s3:::acme-data/new.csv", OWN_UPLOAD_TAGS), DENY),
    Scenario("developer-PutObjectTagging-retag-to-finance", role_does("engineering-developer", "s3:PutObjectTagging", "arn:aws:s3:::acme-data/report.csv", {"s3:ExistingObjectTag/Department": "Engineering", "s3:RequestObjectTag/Department": "Finance", "s3:RequestObjectTagKeys": ["Department"]}), EXPLICIT),
    Scenario("developer-CreateTags-retag-instance-to-finance", role_does("engineering-developer", "ec2:CreateTags", INSTANCE, {"aws:ResourceTag/Department": "Engineering", "aws:RequestTag/Department": "Finance", "aws:TagKeys": ["Department"]}), EXPLICIT),
    Scenario("developer-TagRole-self-department", role_does("engineering-developer", "iam:TagRole", f"arn:aws:iam::{ACCT}:role/engineering/engineering-developer", {"aws:RequestTag/Department": "Finance", "aws:TagKeys": ["Department"]}), EXPLICIT),
    Scenario("developer-UntagRole-self-department", role_does("engineering-developer", "iam:UntagRole", f"arn:aws:iam::{ACCT}:role/engineering/engineering-developer", {"aws:TagKeys": ["Department"]}), EXPLICIT),
    Scenario("developer-TagRole-delegated-department", role_does("engineering-developer", "iam:TagRole", DELEGATED_ROLE, {"aws:RequestTag/Department": "Finance", "aws:TagKeys": ["Department"]}), EXPLICIT),
    Scenario("developer-TagRole-delegated-other-key", role_does("engineering-developer", "iam:TagRole", DELEGATED_ROLE, {"aws:RequestTag/CostCenter": "42", "aws:TagKeys": ["CostCenter"]}), ALLOW),
    Scenario("developer-TagUser-alice-department", role_does("engineering-developer", "iam:TagUser", USER.format("alice"), {"aws:RequestTag/Department": "Finance", "aws:TagKeys": ["Department"]}), EXPLICIT),
    Scenario("alice-TagUser-self-department", user_does("alice", "iam:TagUser", USER.format("alice"), "fresh", context={"aws:RequestTag/Department": "Finance", "aws:TagKeys": ["Department"]}), DENY),
    Scenario("analyst-GetObject-finance-tag-match", role_does("finance-analyst", "s3:GetObject", "arn:aws:s3:::acme-finance-reports/q3.csv", {"s3:ExistingObjectTag/Department": "Finance"}), ALLOW),
    Scenario("analyst-GetObject-engineering-tag", role_does("finance-analyst", "s3:GetObject", "arn:aws:s3:::acme-finance-reports/q3.csv", {"s3:ExistingObjectTag/Department": "Engineering"}), DENY),
]

BOUNDARY = [
    Scenario("developer-GetObject-artifacts-in-boundary", role_does("engineering-developer", "s3:GetObject", "arn:aws:s3:::acme-artifacts/build.zip"), ALLOW),
    Scenario("analyst-GetObject-tag-match-outside-boundary", role_does("finance-analyst", "s3:GetObject", "arn:aws:s3:::acme-artifacts/build.zip", {"s3:ExistingObjectTag/Department": "Finance"}), IMPLICIT),
    Scenario("developer-GetObject-artifacts-other-region", role_does("engineering-developer", "s3:GetObject", "arn:aws:s3:::acme-artifacts/build.zip", region=OUTSIDE_REGION), EXPLICIT),
    Scenario("developer-GetObject-artifacts-eu-west-1", role_does("engineering-developer", "s3:GetObject", "arn:aws:s3:::acme-artifacts/build.zip", region="eu-west-1"), ALLOW),
    Scenario("developer-StartInstances-other-region", role_does("engineering-developer", "ec2:StartInstances", f"arn:aws:ec2:{OUTSIDE_REGION}:{ACCT}:instance/i-0123456789abcdef0", {"aws:ResourceTag/Department": "Engineering"}, region=OUTSIDE_REGION), EXPLICIT),
    Scenario("developer-GetRole-delegated-other-region-global", role_does("engineering-developer", "iam:GetRole", DELEGATED_ROLE, region=OUTSIDE_REGION), ALLOW),
    Scenario("alice-AssumeRole-developer-other-region-global", user_assumes("alice", "engineering-developer", "fresh", region=OUTSIDE_REGION), ALLOW),
    Scenario("deployer-UpdateFunctionCode-acme-web", role_does("engineering-deployer", "lambda:UpdateFunctionCode", f"arn:aws:lambda:{HOME}:{ACCT}:function:acme-web"), ALLOW),
    Scenario("deployer-UpdateFunctionCode-other-function", role_does("engineering-deployer", "lambda:UpdateFunctionCode", f"arn:aws:lambda:{HOME}:{ACCT}:function:acme-billing"), DENY),
]

HUMAN_PATH = [
    Scenario("alice-fresh-mfa-assumes-developer", user_assumes("alice", "engineering-developer", "fresh"), ALLOW),
    Scenario("bob-fresh-mfa-assumes-developer", user_assumes("bob", "engineering-developer", "fresh"), ALLOW),
    Scenario("alice-fresh-mfa-assumes-finance-analyst", user_assumes("alice", "finance-analyst", "fresh"), DENY),
    Scenario("alice-fresh-mfa-assumes-deployer", user_assumes("alice", "engineering-deployer", "fresh"), DENY),
    Scenario("alice-fresh-mfa-assumes-auditor", user_assumes("alice", "security-auditor", "fresh"), DENY),
    Scenario("alice-no-mfa-assumes-developer", user_assumes("alice", "engineering-developer", "absent"), DENY),
    Scenario("alice-mfa-false-assumes-developer", user_assumes("alice", "engineering-developer", "false"), DENY),
    Scenario("alice-old-mfa-assumes-developer", user_assumes("alice", "engineering-developer", "old"), DENY),
    Scenario("carol-fresh-mfa-assumes-analyst", user_assumes("carol", "finance-analyst", "fresh"), ALLOW),
    Scenario("carol-fresh-mfa-assumes-developer", user_assumes("carol", "engineering-developer", "fresh"), DENY),
    Scenario("carol-old-mfa-assumes-analyst", user_assumes("carol", "finance-analyst", "old"), DENY),
    Scenario("carol-no-mfa-assumes-analyst", user_assumes("carol", "finance-analyst", "absent"), DENY),
]

DELEGATION = [
    Scenario("developer-CreateRole-delegated-path-delegated-boundary", role_does("engineering-developer", "iam:CreateRole", DELEGATED_ROLE, {"iam:PermissionsBoundary": DELEGATED_BOUNDARY}), ALLOW),
    Scenario("developer-CreateRole-no-boundary", role_does("engineering-developer", "iam:CreateRole", DELEGATED_ROLE), DENY),
    Scenario("developer-CreateRole-department-boundary", role_does("engineering-developer", "iam:CreateRole", DELEGATED_ROLE, {"iam:PermissionsBoundary": DEPT_BOUNDARY}), DENY),
    Scenario("developer-CreateRole-admin-as-boundary", role_does("engineering-developer", "iam:CreateRole", DELEGATED_ROLE, {"iam:PermissionsBoundary": ADMINISTRATOR_ACCESS}), DENY),
    Scenario("developer-CreateRole-department-path", role_does("engineering-developer", "iam:CreateRole", f"arn:aws:iam::{ACCT}:role/engineering/app", {"iam:PermissionsBoundary": DELEGATED_BOUNDARY}), DENY),
    Scenario("developer-CreateRole-root-path", role_does("engineering-developer", "iam:CreateRole", f"arn:aws:iam::{ACCT}:role/OrganizationAccountAccessRole", {"iam:PermissionsBoundary": DELEGATED_BOUNDARY}), DENY),
    Scenario("developer-CreateRole-finance-delegated-path", role_does("engineering-developer", "iam:CreateRole", f"arn:aws:iam::{ACCT}:role/finance/delegated/app", {"iam:PermissionsBoundary": DELEGATED_BOUNDARY}), DENY),
    Scenario("developer-PutRolePolicy-delegated-role", role_does("engineering-developer", "iam:PutRolePolicy", DELEGATED_ROLE, {"iam:PermissionsBoundary": DELEGATED_BOUNDARY}), ALLOW),
    Scenario("developer-PutRolePolicy-self", role_does("engineering-developer", "iam:PutRolePolicy", f"arn:aws:iam::{ACCT}:role/engineering/engineering-developer", {"iam:PermissionsBoundary": DEPT_BOUNDARY}), DENY),
    Scenario("developer-AttachRolePolicy-self", role_does("engineering-developer", "iam:AttachRolePolicy", f"arn:aws:iam::{ACCT}:role/engineering/engineering-developer", {"iam:PermissionsBoundary": DEPT_BOUNDARY, "iam:PolicyARN": ADMINISTRATOR_ACCESS}), DENY),
    Scenario("developer-UpdateAssumeRolePolicy-self", role_does("engineering-developer", "iam:UpdateAssumeRolePolicy", f"arn:aws:iam::{ACCT}:role/engineering/engineering-developer"), DENY),
    Scenario("developer-DeleteRolePermissionsBoundary-delegated", role_does("engineering-developer", "iam:DeleteRolePermissionsBoundary", DELEGATED_ROLE), EXPLICIT),
    Scenario("developer-CreatePolicyVersion-delegated-boundary", role_does("engineering-developer", "iam:CreatePolicyVersion", DELEGATED_BOUNDARY), EXPLICIT),
    Scenario("developer-PassRole-delegated-to-lambda", role_does("engineering-developer", "iam:PassRole", DELEGATED_ROLE, {"iam:PassedToService": "lambda.amazonaws.com"}), ALLOW),
    Scenario("developer-PassRole-delegated-to-cloudformation", role_does("engineering-developer", "iam:PassRole", DELEGATED_ROLE, {"iam:PassedToService": "cloudformation.amazonaws.com"}), DENY),
    Scenario("developer-PassRole-self-to-lambda", role_does("engineering-developer", "iam:PassRole", f"arn:aws:iam::{ACCT}:role/engineering/engineering-developer", {"iam:PassedToService": "lambda.amazonaws.com"}), DENY),
    Scenario("developer-CreateUser", role_does("engineering-developer", "iam:CreateUser", f"arn:aws:iam::{ACCT}:user/engineering/mallory", {"iam:PermissionsBoundary": DELEGATED_BOUNDARY}), DENY),
    # the role so created: AdministratorAccess capped by the delegated boundary
    Scenario("created-role-UpdateAssumeRolePolicy-org-access-role", created_role_does("iam:UpdateAssumeRolePolicy", f"arn:aws:iam::{ACCT}:role/OrganizationAccountAccessRole"), EXPLICIT),
    Scenario("created-role-AttachRolePolicy-self", created_role_does("iam:AttachRolePolicy", DELEGATED_ROLE, {"iam:PermissionsBoundary": DELEGATED_BOUNDARY, "iam:PolicyARN": ADMINISTRATOR_ACCESS}), EXPLICIT),
    Scenario("created-role-AttachRolePolicy-developer", created_role_does("iam:AttachRolePolicy", f"arn:aws:iam::{ACCT}:role/engineering/engineering-developer", {"iam:PermissionsBoundary": DEPT_BOUNDARY, "iam:PolicyARN": ADMINISTRATOR_ACCESS}), EXPLICIT),
    Scenario("created-role-PutRolePolicy-self", created_role_does("iam:PutRolePolicy", DELEGATED_ROLE, {"iam:PermissionsBoundary": DELEGATED_BOUNDARY}), EXPLICIT),
    Scenario("created-role-PutRolePolicy-developer", created_role_does("iam:PutRolePolicy", f"arn:aws:iam::{ACCT}:role/engineering/engineering-developer", {"iam:PermissionsBoundary": DEPT_BOUNDARY}), EXPLICIT),
    Scenario("created-role-DeleteRolePolicy-self", created_role_does("iam:DeleteRolePolicy", DELEGATED_ROLE, {"iam:PermissionsBoundary": DELEGATED_BOUNDARY}), EXPLICIT),
    Scenario("created-role-CreateRole-delegated-path", created_role_does("iam:CreateRole", f"arn:aws:iam::{ACCT}:role/engineering/delegated/app2", {"iam:PermissionsBoundary": DELEGATED_BOUNDARY}), EXPLICIT),
    Scenario("created-role-CreateRole-org-access-role", created_role_does("iam:CreateRole", f"arn:aws:iam::{ACCT}:role/OrganizationAccountAccessRole"), EXPLICIT),
    Scenario("created-role-CreateRole-developer", created_role_does("iam:CreateRole", f"arn:aws:iam::{ACCT}:role/engineering/engineering-developer", {"iam:PermissionsBoundary": DEPT_BOUNDARY}), EXPLICIT),
    Scenario("created-role-PassRole-delegated", created_role_does("iam:PassRole", f"arn:aws:iam::{ACCT}:role/engineering/delegated/other", {"iam:PassedToService": "lambda.amazonaws.com"}), EXPLICIT),
    Scenario("created-role-PassRole-developer", created_role_does("iam:PassRole", f"arn:aws:iam::{ACCT}:role/engineering/engineering-developer", {"iam:PassedToService": "ec2.amazonaws.com"}), EXPLICIT),
    Scenario("created-role-CreateUser", created_role_does("iam:CreateUser", f"arn:aws:iam::{ACCT}:user/mallory"), EXPLICIT),
    Scenario("created-role-CreateAccessKey-alice", created_role_does("iam:CreateAccessKey", USER.format("alice")), EXPLICIT),
    Scenario("created-role-DeleteRolePermissionsBoundary-self", created_role_does("iam:DeleteRolePermissionsBoundary", DELEGATED_ROLE), EXPLICIT),
    Scenario("created-role-CreatePolicyVersion-delegated-boundary", created_role_does("iam:CreatePolicyVersion", DELEGATED_BOUNDARY), EXPLICIT),
    Scenario("created-role-GetObject-in-boundary", created_role_does("s3:GetObject", "arn:aws:s3:::acme-artifacts/build.zip"), ALLOW),
    Scenario("created-role-PutItem-in-boundary", created_role_does("dynamodb:PutItem", f"arn:aws:dynamodb:{HOME}:{ACCT}:table/acme-items"), ALLOW),
    Scenario("created-role-GetObject-other-region", created_role_does("s3:GetObject", "arn:aws:s3:::acme-artifacts/build.zip", region=OUTSIDE_REGION), EXPLICIT),
    # The escalation PB-009 refuses: a created role's lambda:* on every function would let it run
    # code as any function's role. acme's boundary names its functions; the created role inherits that.
    Scenario("created-role-UpdateFunctionCode-named-function", created_role_does("lambda:UpdateFunctionCode", f"arn:aws:lambda:{HOME}:{ACCT}:function:acme-web"), ALLOW),
    Scenario("created-role-UpdateFunctionCode-other-function", created_role_does("lambda:UpdateFunctionCode", f"arn:aws:lambda:{HOME}:{ACCT}:function:acme-billing"), DENY),
    Scenario("created-role-sqs-outside-boundary", created_role_does("sqs:SendMessage", f"arn:aws:sqs:{HOME}:{ACCT}:jobs"), IMPLICIT),
    Scenario("created-role-assumes-developer", created_role_does("sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/engineering/engineering-developer"), DENY),
]

TLS_OFF = {"aws:SecureTransport": "false"}
# Nobody but CloudTrail writes or deletes under AWSLogs/, whatever its identity policies allow.
CLOUDTRAIL_PUT = {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL, "aws:SourceAccount": ACCT}
TRAIL_POLICIES = [
    Scenario("bucket-cloudtrail-PutObject-AWSLogs", bucket_request(BUCKET, "cloudtrail.amazonaws.com", "s3:PutObject", LOG_OBJECT, context=CLOUDTRAIL_PUT), ALLOW),
    Scenario("bucket-cloudtrail-PutObject-without-acl", bucket_request(BUCKET, "cloudtrail.amazonaws.com", "s3:PutObject", LOG_OBJECT, context={"aws:SourceArn": TRAIL}), DENY),
    Scenario("bucket-cloudtrail-PutObject-other-trail", bucket_request(BUCKET, "cloudtrail.amazonaws.com", "s3:PutObject", LOG_OBJECT, context={**CLOUDTRAIL_PUT, "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:999988887777:trail/t", "aws:SourceAccount": "999988887777"}), DENY),
    Scenario("bucket-cloudtrail-PutObject-other-account-prefix", bucket_request(BUCKET, "cloudtrail.amazonaws.com", "s3:PutObject", f"arn:aws:s3:::{BUCKET}/AWSLogs/999988887777/x.json.gz", context=CLOUDTRAIL_PUT), DENY),
    Scenario("bucket-cloudtrail-PutObject-outside-AWSLogs", bucket_request(BUCKET, "cloudtrail.amazonaws.com", "s3:PutObject", f"arn:aws:s3:::{BUCKET}/other/x", context=CLOUDTRAIL_PUT), DENY),
    Scenario("bucket-cloudtrail-PutObject-no-tls", bucket_request(BUCKET, "cloudtrail.amazonaws.com", "s3:PutObject", LOG_OBJECT, context={**CLOUDTRAIL_PUT, **TLS_OFF}), EXPLICIT),
    Scenario("bucket-cloudtrail-GetBucketAcl", bucket_request(BUCKET, "cloudtrail.amazonaws.com", "s3:GetBucketAcl", f"arn:aws:s3:::{BUCKET}", context={"aws:SourceArn": TRAIL}), ALLOW),
    Scenario("bucket-other-service-PutObject-AWSLogs", bucket_request(BUCKET, "config.amazonaws.com", "s3:PutObject", LOG_OBJECT, context=CLOUDTRAIL_PUT), DENY),
    Scenario("bucket-same-account-role-PutObject-AWSLogs", bucket_request(BUCKET, SAME_ACCOUNT_ROLE, "s3:PutObject", LOG_OBJECT, [allow_doc(["s3:PutObject"])], {"s3:x-amz-acl": "bucket-owner-full-control"}), DENY),
    Scenario("bucket-same-account-admin-PutObject-AWSLogs-other-account-prefix", bucket_request(BUCKET, SAME_ACCOUNT_ROLE, "s3:PutObject", f"arn:aws:s3:::{BUCKET}/AWSLogs/999988887777/x.json.gz", [allow_doc(["s3:*"])]), DENY),
    Scenario("bucket-same-account-role-DeleteObject-AWSLogs", bucket_request(BUCKET, SAME_ACCOUNT_ROLE, "s3:DeleteObject", LOG_OBJECT, [allow_doc(["s3:DeleteObject"])]), DENY),
    Scenario("bucket-same-account-role-DeleteObjectVersion-AWSLogs", bucket_request(BUCKET, SAME_ACCOUNT_ROLE, "s3:DeleteObjectVersion", LOG_OBJECT, [allow_doc(["s3:DeleteObjectVersion"])]), DENY),
    Scenario("bucket-same-account-role-GetObject-no-tls", bucket_request(BUCKET, SAME_ACCOUNT_ROLE, "s3:GetObject", LOG_OBJECT, [allow_doc(["s3:*"])], TLS_OFF), EXPLICIT),
    Scenario("bucket-other-account-role-PutObject-AWSLogs", bucket_request(BUCKET, OTHER_ACCOUNT_ROLE, "s3:PutObject", LOG_OBJECT, [allow_doc(["s3:*"])], {"s3:x-amz-acl": "bucket-owner-full-control"}), DENY),
    Scenario("access-logs-s3-logging-PutObject", bucket_request(ACCESS_LOGS, "logging.s3.amazonaws.com", "s3:PutObject", f"arn:aws:s3:::{ACCESS_LOGS}/{BUCKET}/2026-11-29-12-00-00-ABC", context={"aws:SourceArn": f"arn:aws:s3:::{BUCKET}", "aws:SourceAccount": ACCT}), ALLOW),
    Scenario("access-logs-s3-logging-other-bucket", bucket_request(ACCESS_LOGS, "logging.s3.amazonaws.com", "s3:PutObject", f"arn:aws:s3:::{ACCESS_LOGS}/x", context={"aws:SourceArn": "arn:aws:s3:::someone-else", "aws:SourceAccount": "999988887777"}), DENY),
    Scenario("access-logs-no-tls", bucket_request(ACCESS_LOGS, SAME_ACCOUNT_ROLE, "s3:GetObject", f"arn:aws:s3:::{ACCESS_LOGS}/x", [allow_doc(["s3:*"])], TLS_OFF), EXPLICIT),
    Scenario("key-cloudtrail-GenerateDataKey", key_request("cloudtrail.amazonaws.com", "kms:GenerateDataKey", context={"aws:SourceArn": TRAIL, CLOUDTRAIL_CONTEXT: TRAIL}, gaps=(CLOUDTRAIL_CONTEXT,)), ALLOW),
    Scenario("key-cloudtrail-GenerateDataKey-other-trail-context", key_request("cloudtrail.amazonaws.com", "kms:GenerateDataKey", context={"aws:SourceArn": TRAIL, CLOUDTRAIL_CONTEXT: "arn:aws:cloudtrail:us-east-1:999988887777:trail/t"}, gaps=(CLOUDTRAIL_CONTEXT,)), DENY),
    Scenario("key-cloudtrail-GenerateDataKey-other-source", key_request("cloudtrail.amazonaws.com", "kms:GenerateDataKey", context={"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:999988887777:trail/t", CLOUDTRAIL_CONTEXT: TRAIL}, gaps=(CLOUDTRAIL_CONTEXT,)), DENY),
    Scenario("key-cloudtrail-GenerateDataKey-no-context", key_request("cloudtrail.amazonaws.com", "kms:GenerateDataKey", context={"aws:SourceArn": TRAIL}), DENY),
    Scenario("key-cloudtrail-Decrypt", key_request("cloudtrail.amazonaws.com", "kms:Decrypt", context={"aws:SourceArn": TRAIL, CLOUDTRAIL_CONTEXT: TRAIL}, gaps=(CLOUDTRAIL_CONTEXT,)), DENY),
    Scenario("key-cloudtrail-DescribeKey", key_request("cloudtrail.amazonaws.com", "kms:DescribeKey", context={"aws:SourceArn": TRAIL}), ALLOW),
    # CloudWatch Logs encrypts the trail's log group: only that log group of this account, named in
    # the encryption context (the account pin AWS documents for a log group's key).
    Scenario("key-logs-GenerateDataKey-trail-log-group", key_request(f"logs.{HOME}.amazonaws.com", "kms:GenerateDataKey", context={LOGS_CONTEXT: LOG_GROUP}, gaps=(LOGS_CONTEXT,)), ALLOW),
    Scenario("key-logs-Decrypt-trail-log-group", key_request(f"logs.{HOME}.amazonaws.com", "kms:Decrypt", context={LOGS_CONTEXT: LOG_GROUP}, gaps=(LOGS_CONTEXT,)), ALLOW),
    Scenario("key-logs-GenerateDataKey-other-account-log-group", key_request(f"logs.{HOME}.amazonaws.com", "kms:GenerateDataKey", context={LOGS_CONTEXT: LOG_GROUP.replace(ACCT, "999988887777")}, gaps=(LOGS_CONTEXT,)), DENY),
    Scenario("key-logs-GenerateDataKey-other-log-group", key_request(f"logs.{HOME}.amazonaws.com", "kms:GenerateDataKey", context={LOGS_CONTEXT: f"arn:aws:logs:{HOME}:{ACCT}:log-group:/app/other"}, gaps=(LOGS_CONTEXT,)), DENY),
    Scenario("key-logs-GenerateDataKey-no-context", key_request(f"logs.{HOME}.amazonaws.com", "kms:GenerateDataKey"), DENY),
    Scenario("key-logs-other-region-service", key_request("logs.eu-west-1.amazonaws.com", "kms:GenerateDataKey", context={LOGS_CONTEXT: LOG_GROUP}, gaps=(LOGS_CONTEXT,)), DENY),
    Scenario("key-cloudwatch-GenerateDataKey", key_request("cloudwatch.amazonaws.com", "kms:GenerateDataKey"), ALLOW),
    Scenario("key-s3-service-GenerateDataKey", key_request("s3.amazonaws.com", "kms:GenerateDataKey", context={"aws:SourceArn": TRAIL, CLOUDTRAIL_CONTEXT: TRAIL}, gaps=(CLOUDTRAIL_CONTEXT,)), DENY),
    Scenario("key-same-account-role-with-grant-GenerateDataKey", key_request(SAME_ACCOUNT_ROLE, "kms:GenerateDataKey", [allow_doc(["kms:GenerateDataKey"])]), ALLOW),
    Scenario("key-same-account-role-without-grant", key_request(SAME_ACCOUNT_ROLE, "kms:Decrypt"), DENY),
    Scenario("key-other-account-role-Decrypt", key_request(OTHER_ACCOUNT_ROLE, "kms:Decrypt", [allow_doc(["kms:*"])]), DENY),
    Scenario("topic-cloudwatch-alarm-Publish", topic_request("cloudwatch.amazonaws.com", context={"aws:SourceArn": ALARM, "aws:SourceAccount": ACCT}), ALLOW),
    Scenario("topic-cloudwatch-other-account-alarm", topic_request("cloudwatch.amazonaws.com", context={"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:999988887777:alarm:x", "aws:SourceAccount": "999988887777"}), DENY),
    Scenario("topic-events-service-Publish", topic_request("events.amazonaws.com", context={"aws:SourceAccount": ACCT}), DENY),
    Scenario("topic-other-account-role-Publish", topic_request(OTHER_ACCOUNT_ROLE, [allow_doc(["sns:Publish"])]), DENY),
    Scenario("topic-same-account-role-without-grant", topic_request(SAME_ACCOUNT_ROLE), DENY),
]

ALL = FORCE_MFA + TRUST + ABAC + BOUNDARY + HUMAN_PATH + DELEGATION + TRAIL_POLICIES


@pytest.fixture(scope="module")
def acme(deployments) -> Deployment:
    return deployments(SPEC_PATH)


@pytest.fixture(scope="module")
def outcomes(engine, acme):
    return evaluate(engine, acme, ALL)


def _run(scenario: Scenario, outcomes) -> None:
    check(scenario, outcomes[scenario.id])


@pytest.mark.parametrize("scenario", params(FORCE_MFA))
def test_force_mfa(scenario: Scenario, outcomes) -> None:
    _run(scenario, outcomes)


@pytest.mark.parametrize("scenario", params(TRUST))
def test_trust(scenario: Scenario, outcomes) -> None:
    _run(scenario, outcomes)


@pytest.mark.parametrize("scenario", params(ABAC))
def test_abac(scenario: Scenario, outcomes) -> None:
    _run(scenario, outcomes)


@pytest.mark.parametrize("scenario", params(BOUNDARY))
def test_identity_within_boundary(scenario: Scenario, outcomes) -> None:
    _run(scenario, outcomes)


@pytest.mark.parametrize("scenario", params(HUMAN_PATH))
def test_human_path(scenario: Scenario, outcomes) -> None:
    _run(scenario, outcomes)


@pytest.mark.parametrize("scenario", params(DELEGATION))
def test_delegation(scenario: Scenario, outcomes) -> None:
    _run(scenario, outcomes)


@pytest.mark.parametrize("scenario", params(TRAIL_POLICIES))
def test_trail_policies(scenario: Scenario, outcomes) -> None:
    _run(scenario, outcomes)


def test_scenario_ids_are_unique() -> None:
    params(ALL)


def test_the_model_is_the_deployment(acme: Deployment) -> None:
    check_against_build(acme, SPEC_PATH)
    assert acme.data["oidc_providers"] == [PROVIDER]
