"""examples/github-oidc.yaml as deployed to moto_server, evaluated by the IAM policy engine.

One CI role, platform-deploy, trusted by GitHub Actions for repo:acme/web on main only, capped by
the ``ci`` boundary (named functions and the artifacts bucket, region eu-west-1 only).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.spec import load_spec

from .deployed import Deployment, check_against_build
from .scenarios import ALLOW, DENY, EXPLICIT, IMPLICIT, Builders, Scenario, allow_doc, check, evaluate, params

pytestmark = [pytest.mark.terraform, pytest.mark.moto]

SPEC_PATH = Path(__file__).resolve().parents[2] / "examples" / "github-oidc.yaml"
SPEC = load_spec(SPEC_PATH)
ACCT = SPEC.account.id
HOME = SPEC.account.home_region  # eu-west-1
ROLE = "platform-deploy"
FUNCTION = f"arn:aws:lambda:{HOME}:{ACCT}:function:web-frontend"
B = Builders(ACCT, HOME, SPEC.mfa.max_age_seconds)
TRAIL = f"arn:aws:cloudtrail:{HOME}:{ACCT}:trail/{SPEC.cloudtrail.name}"
BUCKET = SPEC.cloudtrail.bucket_name

TRUST = [
    Scenario("deploy-trust-github-web-main", B.github_assumes(ROLE, "repo:acme/web:ref:refs/heads/main"), ALLOW),
    Scenario("deploy-trust-github-web-other-branch", B.github_assumes(ROLE, "repo:acme/web:ref:refs/heads/dev"), DENY),
    Scenario("deploy-trust-github-web-tag", B.github_assumes(ROLE, "repo:acme/web:ref:refs/tags/v1.0.0"), DENY),
    Scenario("deploy-trust-github-web-pull-request", B.github_assumes(ROLE, "repo:acme/web:pull_request"), DENY),
    Scenario("deploy-trust-github-fork", B.github_assumes(ROLE, "repo:someone/web:ref:refs/heads/main"), DENY),
    Scenario("deploy-trust-github-sub-prefix-trick", B.github_assumes(ROLE, "repo:acme/web:ref:refs/heads/main-evil"), DENY),
    Scenario("deploy-trust-github-wrong-audience", B.github_assumes(ROLE, "repo:acme/web:ref:refs/heads/main", aud="sts.example.com"), DENY),
    Scenario("deploy-trust-github-as-AssumeRole", B.github_assumes(ROLE, "repo:acme/web:ref:refs/heads/main", action="sts:AssumeRole"), DENY),
    Scenario("deploy-trust-account-root", B.probe_assumes(ROLE, "fresh"), DENY),
    Scenario("deploy-trust-lambda-service", B.service_assumes(ROLE, "lambda.amazonaws.com", {"aws:SourceAccount": ACCT}), DENY),
]

BOUNDARY = [
    Scenario("deploy-PutObject-artifacts", B.role_does(ROLE, "s3:PutObject", "arn:aws:s3:::acme-web-artifacts/build-42.zip"), ALLOW),
    Scenario("deploy-PutObject-artifacts-other-region", B.role_does(ROLE, "s3:PutObject", "arn:aws:s3:::acme-web-artifacts/build-42.zip", region="us-east-1"), EXPLICIT),
    Scenario("deploy-PutObject-other-bucket", B.role_does(ROLE, "s3:PutObject", "arn:aws:s3:::acme-prod-data/x"), DENY),
    Scenario("deploy-DeleteObject-artifacts", B.role_does(ROLE, "s3:DeleteObject", "arn:aws:s3:::acme-web-artifacts/build-42.zip"), DENY),
    Scenario("deploy-UpdateFunctionCode-web-frontend", B.role_does(ROLE, "lambda:UpdateFunctionCode", FUNCTION), ALLOW),
    # the boundary allows web-*; the identity policy names web-frontend only
    Scenario("deploy-UpdateFunctionCode-web-other", B.role_does(ROLE, "lambda:UpdateFunctionCode", f"arn:aws:lambda:{HOME}:{ACCT}:function:web-admin"), IMPLICIT),
    Scenario("deploy-UpdateFunctionCode-web-frontend-us-east-1", B.role_does(ROLE, "lambda:UpdateFunctionCode", f"arn:aws:lambda:us-east-1:{ACCT}:function:web-frontend", region="us-east-1"), DENY),
    Scenario("deploy-UpdateFunctionConfiguration", B.role_does(ROLE, "lambda:UpdateFunctionConfiguration", FUNCTION), DENY),
    Scenario("deploy-PassRole", B.role_does(ROLE, "iam:PassRole", f"arn:aws:iam::{ACCT}:role/platform/platform-deploy", {"iam:PassedToService": "lambda.amazonaws.com"}), DENY),
    Scenario("deploy-CreateRole", B.role_does(ROLE, "iam:CreateRole", f"arn:aws:iam::{ACCT}:role/x", {"iam:PermissionsBoundary": SPEC.boundary_arn("ci")}), DENY),
]

TRAIL_POLICIES = [
    Scenario("bucket-cloudtrail-PutObject-AWSLogs", B.bucket_request(BUCKET, "cloudtrail.amazonaws.com", "s3:PutObject", f"arn:aws:s3:::{BUCKET}/AWSLogs/{ACCT}/CloudTrail/{HOME}/x.json.gz", context={"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL}), ALLOW),
    Scenario("bucket-no-tls", B.bucket_request(BUCKET, f"arn:aws:iam::{ACCT}:role/reader", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/AWSLogs/{ACCT}/x", [allow_doc(["s3:GetObject"])], {"aws:SecureTransport": "false"}), EXPLICIT),
]

ALL = TRUST + BOUNDARY + TRAIL_POLICIES


@pytest.fixture(scope="module")
def github_oidc(deployments) -> Deployment:
    return deployments(SPEC_PATH)


@pytest.fixture(scope="module")
def outcomes(engine, github_oidc):
    return evaluate(engine, github_oidc, ALL)


@pytest.mark.parametrize("scenario", params(TRUST))
def test_trust(scenario: Scenario, outcomes) -> None:
    check(scenario, outcomes[scenario.id])


@pytest.mark.parametrize("scenario", params(BOUNDARY))
def test_identity_within_boundary(scenario: Scenario, outcomes) -> None:
    check(scenario, outcomes[scenario.id])


@pytest.mark.parametrize("scenario", params(TRAIL_POLICIES))
def test_trail_policies(scenario: Scenario, outcomes) -> None:
    check(scenario, outcomes[scenario.id])


def test_the_role_trusts_only_the_spec_subjects(github_oidc: Deployment) -> None:
    """The trust evaluated above is the deployed one, with exactly the spec's subjects."""
    trust = github_oidc.role(ROLE).trust
    subs = [v for s in trust["Statement"] for op in s.get("Condition", {}).values()
            for k, v in op.items() if k.endswith(":sub")]
    assert sorted(x for v in subs for x in ([v] if isinstance(v, str) else v)) == ["repo:acme/web:ref:refs/heads/main"]


def test_the_model_is_the_deployment(github_oidc: Deployment) -> None:
    check_against_build(github_oidc, SPEC_PATH)
