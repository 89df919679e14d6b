"""tests/semantic/semantic.yaml as deployed to moto_server: every trust kind, delegation, ABAC and a
region-fenced boundary in one account (123456789012, regions eu-west-1 and eu-central-1, MFA max
age 900 s, ABAC key ``Team``).

* platform (boundary ``platform``, regions fenced): users dana and erik; roles operator (account
  root + MFA, ABAC, can_create_roles, one grant outside its boundary), ci (GitHub OIDC),
  worker (lambda.amazonaws.com);
* partners (boundary ``partner``): role vendor (account 210987654321 with an ExternalId).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.spec import load_spec

from .deployed import ADMINISTRATOR_ACCESS, Deployment, check_against_build
from .scenarios import ALLOW, DENY, EXPLICIT, IMPLICIT, Builders, Scenario, check, evaluate, params

pytestmark = [pytest.mark.terraform, pytest.mark.moto]

SPEC_PATH = Path(__file__).resolve().with_name("semantic.yaml")
SPEC = load_spec(SPEC_PATH)
ACCT = SPEC.account.id
HOME = SPEC.account.home_region  # eu-west-1
OTHER_FENCED_REGION = "eu-central-1"
OUTSIDE_REGION = "us-east-1"
MAX_AGE = SPEC.mfa.max_age_seconds  # 900
VENDOR_ACCOUNT = "210987654321"
VENDOR_ID = "semantic-lab-vendor-42"
B = Builders(ACCT, HOME, MAX_AGE)
OPERATOR = "platform-operator"
INSTANCE = f"arn:aws:ec2:{HOME}:{ACCT}:instance/i-0123456789abcdef0"
DELEGATED_ROLE = f"arn:aws:iam::{ACCT}:role/platform/delegated/job"
PLATFORM_BOUNDARY = SPEC.boundary_arn("platform")
_named = getattr(SPEC, "delegated_boundary_arn", None)
DELEGATED_BOUNDARY = _named("platform") if _named else f"arn:aws:iam::{ACCT}:policy/iamforge/iamforge-boundary-platform-delegated"
USER = f"arn:aws:iam::{ACCT}:user/platform/" + "{}"


def created(action: str, resource: str, context: dict | None = None, region: str = HOME):
    return B.created_role_does(DELEGATED_BOUNDARY, "/platform/delegated/", {"Team": "Platform"}, action, resource,
                               context, region)


TRUST = [
    # aws_principals (account root) + require_mfa, with the spec's 900 s age
    Scenario("operator-trust-root-fresh-mfa", B.probe_assumes(OPERATOR, "fresh"), ALLOW),
    Scenario("operator-trust-root-mfa-older-than-900s", B.probe_assumes(OPERATOR, "old"), DENY),
    Scenario("operator-trust-root-no-mfa", B.probe_assumes(OPERATOR, "absent"), DENY),
    Scenario("operator-trust-other-account-fresh-mfa", B.probe_assumes(OPERATOR, "fresh", principal=f"arn:aws:iam::{VENDOR_ACCOUNT}:user/probe"), DENY),
    # external_account + external_id
    Scenario("vendor-trust-right-external-id", B.probe_assumes("partners-vendor", principal=f"arn:aws:iam::{VENDOR_ACCOUNT}:role/Support", context={"sts:ExternalId": VENDOR_ID}), ALLOW),
    Scenario("vendor-trust-wrong-external-id", B.probe_assumes("partners-vendor", principal=f"arn:aws:iam::{VENDOR_ACCOUNT}:role/Support", context={"sts:ExternalId": "semantic-lab-vendor-43"}), DENY),
    Scenario("vendor-trust-missing-external-id", B.probe_assumes("partners-vendor", principal=f"arn:aws:iam::{VENDOR_ACCOUNT}:role/Support"), DENY),
    Scenario("vendor-trust-other-account-right-id", B.probe_assumes("partners-vendor", principal="arn:aws:iam::444455556666:role/Support", context={"sts:ExternalId": VENDOR_ID}), DENY),
    Scenario("vendor-trust-own-account-right-id", B.probe_assumes("partners-vendor", "fresh", context={"sts:ExternalId": VENDOR_ID}), DENY),
    # github_oidc
    Scenario("ci-trust-github-main", B.github_assumes("platform-ci", "repo:semantic-lab/app:ref:refs/heads/main"), ALLOW),
    Scenario("ci-trust-github-other-repo", B.github_assumes("platform-ci", "repo:semantic-lab/other:ref:refs/heads/main"), DENY),
    Scenario("ci-trust-github-other-branch", B.github_assumes("platform-ci", "repo:semantic-lab/app:ref:refs/heads/release"), DENY),
    Scenario("ci-trust-root-principal", B.probe_assumes("platform-ci", "fresh"), DENY),
    # services
    Scenario("worker-trust-lambda-own-account", B.service_assumes("platform-worker", "lambda.amazonaws.com", {"aws:SourceAccount": ACCT}), ALLOW),
    Scenario("worker-trust-lambda-other-account", B.service_assumes("platform-worker", "lambda.amazonaws.com", {"aws:SourceAccount": VENDOR_ACCOUNT}), DENY),
    Scenario("worker-trust-lambda-no-source-account", B.service_assumes("platform-worker", "lambda.amazonaws.com"), DENY),
    Scenario("worker-trust-ec2-service", B.service_assumes("platform-worker", "ec2.amazonaws.com", {"aws:SourceAccount": ACCT}), DENY),
    Scenario("worker-trust-root-principal", B.probe_assumes("platform-worker", "fresh"), DENY),
    Scenario("operator-trust-lambda-service", B.service_assumes(OPERATOR, "lambda.amazonaws.com", {"aws:SourceAccount": ACCT}), DENY),
]

HUMANS = [
    Scenario("dana-no-mfa-ListAllMyBuckets", B.user_does("dana", "s3:ListAllMyBuckets", "*", "absent"), EXPLICIT),
    Scenario("dana-no-mfa-CreateVirtualMFADevice-own", B.user_does("dana", "iam:CreateVirtualMFADevice", f"arn:aws:iam::{ACCT}:mfa/dana", "absent"), ALLOW),
    Scenario("dana-no-mfa-EnableMFADevice-own", B.user_does("dana", "iam:EnableMFADevice", USER.format("dana"), "absent"), ALLOW),
    Scenario("dana-no-mfa-EnableMFADevice-erik", B.user_does("dana", "iam:EnableMFADevice", USER.format("erik"), "absent"), DENY),
    Scenario("dana-as-admin-mfa-older-than-900s-CreateAccessKey", B.user_does("dana", "iam:CreateAccessKey", USER.format("dana"), "old", admin=True), EXPLICIT),
    Scenario("dana-fresh-mfa-assumes-operator", B.user_assumes("dana", OPERATOR, "fresh"), ALLOW),
    Scenario("erik-fresh-mfa-assumes-operator", B.user_assumes("erik", OPERATOR, "fresh"), ALLOW),
    Scenario("dana-mfa-older-than-900s-assumes-operator", B.user_assumes("dana", OPERATOR, "old"), DENY),
    Scenario("dana-no-mfa-assumes-operator", B.user_assumes("dana", OPERATOR, "absent"), DENY),
    Scenario("dana-fresh-mfa-assumes-ci", B.user_assumes("dana", "platform-ci", "fresh"), DENY),
    Scenario("dana-fresh-mfa-assumes-worker", B.user_assumes("dana", "platform-worker", "fresh"), DENY),
    Scenario("dana-fresh-mfa-assumes-vendor", B.user_assumes("dana", "partners-vendor", "fresh"), DENY),
]

ABAC = [
    Scenario("operator-StartInstances-team-match", B.role_does(OPERATOR, "ec2:StartInstances", INSTANCE, {"aws:ResourceTag/Team": "Platform"}), ALLOW),
    Scenario("operator-StartInstances-team-mismatch", B.role_does(OPERATOR, "ec2:StartInstances", INSTANCE, {"aws:ResourceTag/Team": "Partners"}), DENY),
    Scenario("operator-StartInstances-untagged", B.role_does(OPERATOR, "ec2:StartInstances", INSTANCE), DENY),
    Scenario("operator-GetObject-object-team-match", B.role_does(OPERATOR, "s3:GetObject", "arn:aws:s3:::semantic-lab-data/a", {"s3:ExistingObjectTag/Team": "Platform"}), ALLOW),
    Scenario("operator-GetObject-object-team-mismatch", B.role_does(OPERATOR, "s3:GetObject", "arn:aws:s3:::semantic-lab-data/a", {"s3:ExistingObjectTag/Team": "Partners"}), DENY),
    Scenario("operator-TagRole-self-team", B.role_does(OPERATOR, "iam:TagRole", f"arn:aws:iam::{ACCT}:role/platform/platform-operator", {"aws:RequestTag/Team": "Partners", "aws:TagKeys": ["Team"]}), EXPLICIT),
    Scenario("operator-TagUser-dana-team", B.role_does(OPERATOR, "iam:TagUser", USER.format("dana"), {"aws:RequestTag/Team": "Partners", "aws:TagKeys": ["Team"]}), EXPLICIT),
    Scenario("operator-TagRole-delegated-team", B.role_does(OPERATOR, "iam:TagRole", DELEGATED_ROLE, {"aws:RequestTag/Team": "Partners", "aws:TagKeys": ["Team"]}), EXPLICIT),
    Scenario("operator-CreateTags-retag-instance", B.role_does(OPERATOR, "ec2:CreateTags", INSTANCE, {"aws:ResourceTag/Team": "Platform", "aws:RequestTag/Team": "Partners", "aws:TagKeys": ["Team"]}), EXPLICIT),
]

BOUNDARY = [
    Scenario("operator-GetObject-config", B.role_does(OPERATOR, "s3:GetObject", "arn:aws:s3:::semantic-lab-config/app.json"), ALLOW),
    Scenario("operator-GetObject-config-eu-central-1", B.role_does(OPERATOR, "s3:GetObject", "arn:aws:s3:::semantic-lab-config/app.json", region=OTHER_FENCED_REGION), ALLOW),
    Scenario("operator-GetObject-config-us-east-1", B.role_does(OPERATOR, "s3:GetObject", "arn:aws:s3:::semantic-lab-config/app.json", region=OUTSIDE_REGION), EXPLICIT),
    Scenario("operator-SendMessage-granted-outside-boundary", B.role_does(OPERATOR, "sqs:SendMessage", f"arn:aws:sqs:{HOME}:{ACCT}:semantic-lab-jobs"), IMPLICIT),
    Scenario("operator-GetRole-delegated-us-east-1-global", B.role_does(OPERATOR, "iam:GetRole", DELEGATED_ROLE, region=OUTSIDE_REGION), ALLOW),
    Scenario("dana-assumes-operator-from-us-east-1-global", B.user_assumes("dana", OPERATOR, "fresh", region=OUTSIDE_REGION), ALLOW),
    Scenario("worker-PutItem-table", B.role_does("platform-worker", "dynamodb:PutItem", f"arn:aws:dynamodb:{HOME}:{ACCT}:table/semantic-lab-items"), ALLOW),
    Scenario("worker-PutItem-table-us-east-1", B.role_does("platform-worker", "dynamodb:PutItem", f"arn:aws:dynamodb:{OUTSIDE_REGION}:{ACCT}:table/semantic-lab-items", region=OUTSIDE_REGION), DENY),
    Scenario("worker-DeleteItem-not-granted", B.role_does("platform-worker", "dynamodb:DeleteItem", f"arn:aws:dynamodb:{HOME}:{ACCT}:table/semantic-lab-items"), DENY),
    Scenario("vendor-GetObject-shared", B.role_does("partners-vendor", "s3:GetObject", "arn:aws:s3:::semantic-lab-shared/catalogue.csv"), ALLOW),
    Scenario("vendor-PutObject-shared", B.role_does("partners-vendor", "s3:PutObject", "arn:aws:s3:::semantic-lab-shared/catalogue.csv"), DENY),
    Scenario("ci-PutObject-builds", B.role_does("platform-ci", "s3:PutObject", "arn:aws:s3:::semantic-lab-builds/app-1.zip"), ALLOW),
    Scenario("ci-PutObject-builds-us-east-1", B.role_does("platform-ci", "s3:PutObject", "arn:aws:s3:::semantic-lab-builds/app-1.zip", region=OUTSIDE_REGION), EXPLICIT),
]

DELEGATION = [
    Scenario("operator-CreateRole-delegated-boundary", B.role_does(OPERATOR, "iam:CreateRole", DELEGATED_ROLE, {"iam:PermissionsBoundary": DELEGATED_BOUNDARY}), ALLOW),
    Scenario("operator-CreateRole-no-boundary", B.role_does(OPERATOR, "iam:CreateRole", DELEGATED_ROLE), DENY),
    Scenario("operator-CreateRole-platform-boundary", B.role_does(OPERATOR, "iam:CreateRole", DELEGATED_ROLE, {"iam:PermissionsBoundary": PLATFORM_BOUNDARY}), DENY),
    Scenario("operator-CreateRole-other-path", B.role_does(OPERATOR, "iam:CreateRole", f"arn:aws:iam::{ACCT}:role/platform/job", {"iam:PermissionsBoundary": DELEGATED_BOUNDARY}), DENY),
    Scenario("operator-CreateRole-partners-delegated-path", B.role_does(OPERATOR, "iam:CreateRole", f"arn:aws:iam::{ACCT}:role/partners/delegated/job", {"iam:PermissionsBoundary": DELEGATED_BOUNDARY}), DENY),
    Scenario("operator-PutRolePolicy-self", B.role_does(OPERATOR, "iam:PutRolePolicy", f"arn:aws:iam::{ACCT}:role/platform/platform-operator", {"iam:PermissionsBoundary": PLATFORM_BOUNDARY}), DENY),
    Scenario("operator-PassRole-delegated-to-lambda", B.role_does(OPERATOR, "iam:PassRole", DELEGATED_ROLE, {"iam:PassedToService": "lambda.amazonaws.com"}), ALLOW),
    Scenario("operator-PassRole-worker", B.role_does(OPERATOR, "iam:PassRole", f"arn:aws:iam::{ACCT}:role/platform/platform-worker", {"iam:PassedToService": "lambda.amazonaws.com"}), DENY),
    Scenario("created-role-UpdateAssumeRolePolicy-operator", created("iam:UpdateAssumeRolePolicy", f"arn:aws:iam::{ACCT}:role/platform/platform-operator"), EXPLICIT),
    Scenario("created-role-AttachRolePolicy-self", created("iam:AttachRolePolicy", DELEGATED_ROLE, {"iam:PermissionsBoundary": DELEGATED_BOUNDARY, "iam:PolicyARN": ADMINISTRATOR_ACCESS}), EXPLICIT),
    Scenario("created-role-PutRolePolicy-self", created("iam:PutRolePolicy", DELEGATED_ROLE, {"iam:PermissionsBoundary": DELEGATED_BOUNDARY}), EXPLICIT),
    Scenario("created-role-DeleteRolePolicy-self", created("iam:DeleteRolePolicy", DELEGATED_ROLE, {"iam:PermissionsBoundary": DELEGATED_BOUNDARY}), EXPLICIT),
    Scenario("created-role-CreateRole-delegated", created("iam:CreateRole", f"arn:aws:iam::{ACCT}:role/platform/delegated/job2", {"iam:PermissionsBoundary": DELEGATED_BOUNDARY}), EXPLICIT),
    Scenario("created-role-CreateRole-org-access-role", created("iam:CreateRole", f"arn:aws:iam::{ACCT}:role/OrganizationAccountAccessRole"), EXPLICIT),
    Scenario("created-role-PassRole-worker", created("iam:PassRole", f"arn:aws:iam::{ACCT}:role/platform/platform-worker", {"iam:PassedToService": "lambda.amazonaws.com"}), EXPLICIT),
    Scenario("created-role-GetObject", created("s3:GetObject", "arn:aws:s3:::semantic-lab-data/a"), ALLOW),
    Scenario("created-role-GetObject-us-east-1", created("s3:GetObject", "arn:aws:s3:::semantic-lab-data/a", region=OUTSIDE_REGION), EXPLICIT),
    Scenario("created-role-SendMessage-outside-boundary", created("sqs:SendMessage", f"arn:aws:sqs:{HOME}:{ACCT}:semantic-lab-jobs"), IMPLICIT),
    Scenario("created-role-assumes-vendor", created("sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/partners/partners-vendor"), DENY),
]

ALL = TRUST + HUMANS + ABAC + BOUNDARY + DELEGATION


@pytest.fixture(scope="module")
def lab(deployments) -> Deployment:
    return deployments(SPEC_PATH)


@pytest.fixture(scope="module")
def outcomes(engine, lab):
    return evaluate(engine, lab, ALL)


def test_the_spec_validates_without_errors() -> None:
    from generator.api import validate
    from generator.findings import Severity, at_or_above

    report = validate([SPEC_PATH])
    assert not at_or_above(report.findings, Severity.ERROR), [str(f) for f in report.findings]


def test_the_spec_uses_every_trust_kind_delegation_abac_and_a_region_fence() -> None:
    trusts = {r.name: r.trust for r in SPEC.roles}
    assert any(t.aws_principals and t.require_mfa for t in trusts.values())
    assert any(t.external_account and t.external_account.external_id for t in trusts.values())
    assert any(t.github_oidc for t in trusts.values())
    assert any(t.services for t in trusts.values())
    assert any(r.can_create_roles for r in SPEC.roles) and any(r.abac for r in SPEC.roles)
    assert SPEC.boundaries["platform"].regions


@pytest.mark.parametrize("scenario", params(TRUST))
def test_trust(scenario: Scenario, outcomes) -> None:
    check(scenario, outcomes[scenario.id])


@pytest.mark.parametrize("scenario", params(HUMANS))
def test_humans(scenario: Scenario, outcomes) -> None:
    check(scenario, outcomes[scenario.id])


@pytest.mark.parametrize("scenario", params(ABAC))
def test_abac(scenario: Scenario, outcomes) -> None:
    check(scenario, outcomes[scenario.id])


@pytest.mark.parametrize("scenario", params(BOUNDARY))
def test_identity_within_boundary(scenario: Scenario, outcomes) -> None:
    check(scenario, outcomes[scenario.id])


@pytest.mark.parametrize("scenario", params(DELEGATION))
def test_delegation(scenario: Scenario, outcomes) -> None:
    check(scenario, outcomes[scenario.id])


def test_the_model_is_the_deployment(lab: Deployment) -> None:
    check_against_build(lab, SPEC_PATH)
