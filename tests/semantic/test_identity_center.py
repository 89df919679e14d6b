"""The organisation example's permission sets, evaluated by the IAM policy engine as Identity
Center sessions in the accounts they are assigned to.

A person signs in through IAM Identity Center and gets a session of the role Identity Center
provisioned for the permission set (``AWSReservedSSO_<name>_<id>`` under
``/aws-reserved/sso.amazonaws.com/``): its identity policies are the permission set's inline and
managed policies, its boundary is the target account's own ``iamforge-boundary-<key>`` (the
account's stack creates it), and its ``aws:PrincipalTag/Department`` comes from the person's
identity-store attribute through the instance's attributes for access control. The inline
policy and the boundaries here are the documents iamforge builds and emits;
tests/integration/test_organization.py shows that the Identity Center stack deploys exactly
that inline policy and that boundary reference.

Shown: a department member's session reaches its own department's resources and not another's;
a member of the group whose attribute names another department gets nothing (the department
pin); the boundary of each target account holds (the same permission set reaches less in the
sandbox, whose boundary is narrower); and the organisation's SCPs still apply.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.org import load_organization
from generator.policies import build
from generator.policies.identity_center import permission_set_policies

from .engine import Request
from .scenarios import ALLOW, DENY, EXPLICIT, IMPLICIT, Scenario, check, params
from .test_organization import FULL_AWS_ACCESS, levels

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "organization" / "organization.yaml"
ORG = load_organization(EXAMPLE)
SETS = ORG.identity_center.permission_sets
ACME = ORG.accounts["acme"].id
SANDBOX = ORG.accounts["sandbox"].id
HOME = "us-east-1"


def session(permission_set: str, account_key: str, department: str | None, action: str, resource: str,
            context: dict[str, str | list[str]] | None = None, region: str = HOME) -> Request:
    """A request by a person's Identity Center session of ``permission_set`` in ``account_key``,
    whose identity-store department attribute is ``department`` (None: no such attribute)."""
    ps = SETS[permission_set]
    declaring = ORG.accounts[ps.account].spec
    target = ORG.accounts[account_key]
    policies = permission_set_policies(declaring, ps.role, build(declaring))
    assert policies.boundary is not None and target.spec is not None
    key = ps.role.boundary
    boundary = build(target.spec).docs[f"boundary.{key}"].document
    role = f"AWSReservedSSO_{permission_set}_0123456789abcdef"
    ctx: dict[str, str | list[str]] = {
        "aws:PrincipalArn": f"arn:aws:iam::{target.id}:role/aws-reserved/sso.amazonaws.com/{role}",
        "aws:PrincipalAccount": target.id, "aws:PrincipalType": "AssumedRole", "aws:PrincipalOrgID": ORG.id,
        "aws:userid": f"AROAEXAMPLEIDCSESSION:{'person'}", "aws:SecureTransport": "true",
        "aws:RequestedRegion": region, "aws:CurrentTime": "2026-11-29T12:00:00Z", "aws:EpochTime": "1795953600",
    }
    if department is not None:
        ctx[f"aws:PrincipalTag/{declaring.tags.abac_key}"] = department
    ctx.update(context or {})
    assert not policies.aws_managed and not policies.customer_managed  # the example's sets attach none
    return Request(principal=f"arn:aws:sts::{target.id}:assumed-role/{role}/person", action=action,
                   resource=resource, resource_account=target.id,
                   identity_policies=[("AwsSSOInlinePolicy", policies.inline)],
                   boundaries=[(f"iamforge-boundary-{key}", boundary)], context=ctx,
                   scp_levels=levels(account_key, "scp"), rcp_levels=levels(account_key, "rcp"))


ENG = "engineering-developer"
FIN = "finance-analyst"
OBJECT = "arn:aws:s3:::acme-data/report.csv"
REPORT = "arn:aws:s3:::acme-finance-reports/q3.csv"
TAG = "s3:ExistingObjectTag/Department"


def instance(account: str, region: str = HOME) -> str:
    return f"arn:aws:ec2:{region}:{account}:instance/i-0123456789abcdef0"


SCENARIOS = [
    # ABAC: the session's department attribute, compared with the resource's tag
    Scenario("engineer-GetObject-engineering-object", lambda: session(ENG, "acme", "Engineering", "s3:GetObject", OBJECT, {TAG: "Engineering"}), ALLOW),
    Scenario("engineer-GetObject-finance-object", lambda: session(ENG, "acme", "Engineering", "s3:GetObject", OBJECT, {TAG: "Finance"}), DENY),
    Scenario("engineer-GetObject-untagged-object", lambda: session(ENG, "acme", "Engineering", "s3:GetObject", OBJECT), DENY),
    Scenario("analyst-GetObject-finance-object", lambda: session(FIN, "acme", "Finance", "s3:GetObject", REPORT, {TAG: "Finance"}), ALLOW),
    Scenario("analyst-GetObject-engineering-object", lambda: session(FIN, "acme", "Finance", "s3:GetObject", REPORT, {TAG: "Engineering"}), DENY),
    # the finance boundary allows the acme-finance-* buckets only: a Finance-tagged object elsewhere stays out
    Scenario("analyst-GetObject-finance-object-outside-boundary", lambda: session(FIN, "acme", "Finance", "s3:GetObject", OBJECT, {TAG: "Finance"}), IMPLICIT),
    Scenario("engineer-StartInstances-engineering-instance", lambda: session(ENG, "acme", "Engineering", "ec2:StartInstances", instance(ACME), {"aws:ResourceTag/Department": "Engineering"}), ALLOW),
    Scenario("engineer-StartInstances-finance-instance", lambda: session(ENG, "acme", "Engineering", "ec2:StartInstances", instance(ACME), {"aws:ResourceTag/Department": "Finance"}), DENY),
    # the department pin: in the Engineering group, but the attribute names Finance (or nothing)
    Scenario("finance-attribute-in-engineering-set-GetObject-finance-object", lambda: session(ENG, "acme", "Finance", "s3:GetObject", OBJECT, {TAG: "Finance"}), EXPLICIT),
    Scenario("finance-attribute-in-engineering-set-ListBucket-artifacts", lambda: session(ENG, "acme", "Finance", "s3:ListBucket", "arn:aws:s3:::acme-artifacts"), EXPLICIT),
    Scenario("no-attribute-in-engineering-set-GetObject", lambda: session(ENG, "acme", None, "s3:GetObject", OBJECT, {TAG: "Engineering"}), EXPLICIT),
    # non-ABAC grants of the permission set
    Scenario("engineer-ListBucket-artifacts", lambda: session(ENG, "acme", "Engineering", "s3:ListBucket", "arn:aws:s3:::acme-artifacts"), ALLOW),
    Scenario("engineer-ListBucket-other-bucket", lambda: session(ENG, "acme", "Engineering", "s3:ListBucket", "arn:aws:s3:::acme-finance-reports"), IMPLICIT),
    # the boundary of each target account: the sandbox's engineering boundary allows eu-west-1 only
    Scenario("engineer-StartInstances-acme-us-east-1", lambda: session(ENG, "acme", "Engineering", "ec2:StartInstances", instance(ACME), {"aws:ResourceTag/Department": "Engineering"}), ALLOW),
    Scenario("engineer-StartInstances-sandbox-us-east-1", lambda: session(ENG, "sandbox", "Engineering", "ec2:StartInstances", instance(SANDBOX), {"aws:ResourceTag/Department": "Engineering"}), EXPLICIT),
    Scenario("engineer-StartInstances-sandbox-eu-west-1", lambda: session(ENG, "sandbox", "Engineering", "ec2:StartInstances", instance(SANDBOX, "eu-west-1"), {"aws:ResourceTag/Department": "Engineering"}, region="eu-west-1"), ALLOW),
    Scenario("engineer-GetObject-sandbox-engineering-object", lambda: session(ENG, "sandbox", "Engineering", "s3:GetObject", "arn:aws:s3:::sandbox-data/a.csv", {TAG: "Engineering"}, region="eu-west-1"), ALLOW),
    Scenario("engineer-GetObject-sandbox-us-east-1", lambda: session(ENG, "sandbox", "Engineering", "s3:GetObject", "arn:aws:s3:::sandbox-data/a.csv", {TAG: "Engineering"}), EXPLICIT),
    # the boundary holds where the permission set would grant more: acme's boundary names two
    # functions for UpdateFunctionCode; the delegation lets the developer create roles only with it
    Scenario("engineer-CreateRole-without-boundary", lambda: session(ENG, "acme", "Engineering", "iam:CreateRole", f"arn:aws:iam::{ACME}:role/engineering/delegated/x"), DENY),
    # the organisation's SCPs still apply (region-allow-list on OU workloads)
    Scenario("engineer-StartInstances-outside-allowed-regions", lambda: session(ENG, "acme", "Engineering", "ec2:StartInstances", instance(ACME, "ap-southeast-2"), {"aws:ResourceTag/Department": "Engineering"}, region="ap-southeast-2"), EXPLICIT),
]


@pytest.fixture(scope="module")
def outcomes(engine) -> dict:
    requests = {s.id: s.build() for s in SCENARIOS}
    return dict(zip(requests, engine(list(requests.values()))))


@pytest.mark.parametrize("scenario", params(SCENARIOS))
def test_identity_center_session(scenario: Scenario, outcomes: dict) -> None:
    check(scenario, outcomes[scenario.id])


def test_the_scp_levels_hold_full_access_and_the_example_guardrails() -> None:
    scps = levels("acme", "scp")
    assert scps[0][1][0][1] == FULL_AWS_ACCESS and {n for _, docs in scps for n, _ in docs} >= {"region-allow-list"}
