"""examples/privileged.yaml (acme plus ``privileged:``) as deployed to moto_server, evaluated by the
IAM policy engine: the apply role stays inside its boundary, break-glass needs fresh MFA, onboarding
reaches department users only, plan only reads.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.spec import load_spec

from .deployed import ADMINISTRATOR_ACCESS, Deployment, check_against_build
from .engine import Request
from .scenarios import ALLOW, DENY, EXPLICIT, IMPLICIT, Builders, Scenario, as_principal, check, evaluate, params

pytestmark = [pytest.mark.terraform, pytest.mark.moto]

SPEC_PATH = Path(__file__).resolve().parents[2] / "examples" / "privileged.yaml"
SPEC = load_spec(SPEC_PATH)
ACCT = SPEC.account.id
HOME = SPEC.account.home_region
B = Builders(ACCT, HOME, SPEC.mfa.max_age_seconds)
APPLY, PLAN, BREAK_GLASS, ONBOARDING = "iamforge-apply", "iamforge-plan", "iamforge-break-glass", "iamforge-onboarding"
APPLY_ARN = f"arn:aws:iam::{ACCT}:role/iamforge/privileged/{APPLY}"
APPLY_BOUNDARY = f"arn:aws:iam::{ACCT}:policy/iamforge/iamforge-apply-boundary"
DEPT_BOUNDARY = SPEC.boundary_arn("engineering")
NEW_ROLE = f"arn:aws:iam::{ACCT}:role/engineering/engineering-new"
STATE = "arn:aws:s3:::acme-tfstate/iamforge/terraform.tfstate"
BG_LIMIT = SPEC.privileged.break_glass.mfa_max_age_seconds  # 900


def assumes_with_mfa_age(user: str, role: str, age: int):
    """``user`` calls sts:AssumeRole on ``role`` with an MFA sign-in ``age`` seconds old."""
    def build(d: Deployment) -> Request:
        r = d.role(role)
        return as_principal(d.user(user), "sts:AssumeRole", r.arn, d.account, region=HOME, resource_policy=r.trust,
                            context={"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": str(age)})
    return build


def user_arn(d: Deployment, name: str) -> str:
    return d.user(name).arn


def onboarding_on(user: str | None, action: str = "iam:CreateLoginProfile", arn: str | None = None):
    def build(d: Deployment) -> Request:
        target = arn or user_arn(d, user)  # type: ignore[arg-type]
        return B.role_does(ONBOARDING, action, target)(d)
    return build


APPLY_BOUND = [
    Scenario("apply-trust-production-environment", B.github_assumes(APPLY, "repo:acme/iam:environment:production"), ALLOW),
    Scenario("apply-trust-pull-request", B.github_assumes(APPLY, "repo:acme/iam:pull_request"), DENY),
    Scenario("apply-trust-other-environment", B.github_assumes(APPLY, "repo:acme/iam:environment:staging"), DENY),
    Scenario("apply-trust-account-user", B.probe_assumes(APPLY, "fresh"), DENY),
    Scenario("apply-attach-AdministratorAccess-to-itself",
             B.role_does(APPLY, "iam:AttachRolePolicy", APPLY_ARN, {"iam:PolicyARN": ADMINISTRATOR_ACCESS}), EXPLICIT),
    Scenario("apply-put-inline-policy-on-itself", B.role_does(APPLY, "iam:PutRolePolicy", APPLY_ARN), EXPLICIT),
    Scenario("apply-change-own-boundary",
             B.role_does(APPLY, "iam:PutRolePermissionsBoundary", APPLY_ARN, {"iam:PermissionsBoundary": DEPT_BOUNDARY}),
             EXPLICIT),
    Scenario("apply-remove-own-boundary", B.role_does(APPLY, "iam:DeleteRolePermissionsBoundary", APPLY_ARN), EXPLICIT),
    Scenario("apply-rewrite-its-boundary-policy", B.role_does(APPLY, "iam:CreatePolicyVersion", APPLY_BOUNDARY), EXPLICIT),
    Scenario("apply-create-role-without-boundary", B.role_does(APPLY, "iam:CreateRole", NEW_ROLE), EXPLICIT),
    Scenario("apply-create-role-with-own-boundary",
             B.role_does(APPLY, "iam:CreateRole", NEW_ROLE, {"iam:PermissionsBoundary": APPLY_BOUNDARY}), EXPLICIT),
    Scenario("apply-create-role-with-department-boundary",
             B.role_does(APPLY, "iam:CreateRole", NEW_ROLE, {"iam:PermissionsBoundary": DEPT_BOUNDARY}), ALLOW),
    Scenario("apply-update-department-role-policy",
             B.role_does(APPLY, "iam:PutRolePolicy", f"arn:aws:iam::{ACCT}:role/engineering/engineering-developer"), ALLOW),
    Scenario("apply-change-break-glass-trust",
             B.role_does(APPLY, "iam:UpdateAssumeRolePolicy", f"arn:aws:iam::{ACCT}:role/iamforge/privileged/{BREAK_GLASS}"),
             EXPLICIT),
    Scenario("apply-assume-break-glass",
             B.role_does(APPLY, "sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/iamforge/privileged/{BREAK_GLASS}"), DENY),
    Scenario("apply-create-access-key", B.role_does(APPLY, "iam:CreateAccessKey", f"arn:aws:iam::{ACCT}:user/engineering/bob"),
             DENY),
    Scenario("apply-write-state", B.role_does(APPLY, "s3:PutObject", STATE), ALLOW),
    Scenario("apply-lock-table",
             B.role_does(APPLY, "dynamodb:PutItem", f"arn:aws:dynamodb:{HOME}:{ACCT}:table/acme-tflock"), ALLOW),
    Scenario("apply-other-bucket", B.role_does(APPLY, "s3:GetObject", "arn:aws:s3:::acme-finance-reports/x"), DENY),
]

PLAN_READ_ONLY = [
    Scenario("plan-trust-pull-request", B.github_assumes(PLAN, "repo:acme/iam:pull_request"), ALLOW),
    Scenario("plan-trust-main", B.github_assumes(PLAN, "repo:acme/iam:ref:refs/heads/main"), ALLOW),
    Scenario("plan-trust-other-branch", B.github_assumes(PLAN, "repo:acme/iam:ref:refs/heads/feature"), DENY),
    Scenario("plan-trust-other-repo", B.github_assumes(PLAN, "repo:acme/other:pull_request"), DENY),
    Scenario("plan-read-state", B.role_does(PLAN, "s3:GetObject", STATE), ALLOW),
    Scenario("plan-write-state", B.role_does(PLAN, "s3:PutObject", STATE), DENY),
    Scenario("plan-read-role", B.role_does(PLAN, "iam:GetRole", NEW_ROLE), ALLOW),
    Scenario("plan-create-role",
             B.role_does(PLAN, "iam:CreateRole", NEW_ROLE, {"iam:PermissionsBoundary": DEPT_BOUNDARY}), DENY),
]

BREAK_GLASS_MFA = [
    Scenario("break-glass-alice-mfa-60s", assumes_with_mfa_age("alice", BREAK_GLASS, 60), ALLOW),
    Scenario("break-glass-alice-mfa-at-limit", assumes_with_mfa_age("alice", BREAK_GLASS, BG_LIMIT), DENY),
    Scenario("break-glass-alice-mfa-3600s", assumes_with_mfa_age("alice", BREAK_GLASS, 3600), DENY),
    Scenario("break-glass-alice-no-mfa", B.user_assumes("alice", BREAK_GLASS, "absent"), DENY),
    Scenario("break-glass-bob-fresh-mfa", assumes_with_mfa_age("bob", BREAK_GLASS, 60), DENY),
    Scenario("break-glass-probe-fresh-mfa", B.probe_assumes(BREAK_GLASS, "fresh"), DENY),
    Scenario("break-glass-lambda-service", B.service_assumes(BREAK_GLASS, "lambda.amazonaws.com", {"aws:SourceAccount": ACCT}),
             DENY),
    Scenario("break-glass-session-is-admin", B.role_does(BREAK_GLASS, "iam:CreateUser", f"arn:aws:iam::{ACCT}:user/x"), ALLOW),
]

ONBOARDING_SCOPE = [
    Scenario("onboarding-carol-assumes-with-mfa", B.user_assumes("carol", ONBOARDING, "fresh"), ALLOW),
    Scenario("onboarding-carol-assumes-without-mfa", B.user_assumes("carol", ONBOARDING, "absent"), DENY),
    Scenario("onboarding-bob-assumes", B.user_assumes("bob", ONBOARDING, "fresh"), DENY),
    Scenario("onboarding-create-login-profile-department-user", onboarding_on("bob"), ALLOW),
    Scenario("onboarding-reset-password-department-user", onboarding_on("bob", "iam:UpdateLoginProfile"), ALLOW),
    Scenario("onboarding-create-login-profile-privileged-user", onboarding_on("alice"), EXPLICIT),
    Scenario("onboarding-create-login-profile-itself", onboarding_on("carol"), EXPLICIT),
    Scenario("onboarding-create-login-profile-outside-user",
             onboarding_on(None, arn=f"arn:aws:iam::{ACCT}:user/contractors/mallory"), IMPLICIT),
    Scenario("onboarding-create-access-key", onboarding_on("bob", "iam:CreateAccessKey"), DENY),
]

ALL = APPLY_BOUND + PLAN_READ_ONLY + BREAK_GLASS_MFA + ONBOARDING_SCOPE


@pytest.fixture(scope="module")
def privileged(deployments) -> Deployment:
    return deployments(SPEC_PATH)


@pytest.fixture(scope="module")
def outcomes(engine, privileged):
    return evaluate(engine, privileged, ALL)


def test_privileged_deployed_documents_are_the_built_ones(privileged: Deployment) -> None:
    from generator.policies import build

    check_against_build(privileged, SPEC_PATH)
    policies = build(SPEC)
    for role in SPEC.privileged_roles:
        r = privileged.data["roles"][role.name]
        assert r["trust"] == policies.trust_of(role.name).document, f"{role.name}: trust"
        assert r["inline"] == {d.name: d.document for d in policies.for_principal("role", role.name)}, role.name
        assert r.get("boundary") == (APPLY_BOUNDARY if role.name == APPLY else None), f"{role.name}: boundary"
    assert ADMINISTRATOR_ACCESS in privileged.data["roles"][BREAK_GLASS]["attached"]


@pytest.mark.parametrize("scenario", params(APPLY_BOUND))
def test_privileged_apply_stays_within_its_boundary(scenario: Scenario, outcomes) -> None:
    check(scenario, outcomes[scenario.id])


@pytest.mark.parametrize("scenario", params(PLAN_READ_ONLY))
def test_privileged_plan_is_read_only(scenario: Scenario, outcomes) -> None:
    check(scenario, outcomes[scenario.id])


@pytest.mark.parametrize("scenario", params(BREAK_GLASS_MFA))
def test_privileged_break_glass_needs_fresh_mfa(scenario: Scenario, outcomes) -> None:
    check(scenario, outcomes[scenario.id])


@pytest.mark.parametrize("scenario", params(ONBOARDING_SCOPE))
def test_privileged_onboarding_reaches_department_users_only(scenario: Scenario, outcomes) -> None:
    check(scenario, outcomes[scenario.id])
