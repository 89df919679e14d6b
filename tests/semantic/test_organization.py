"""The organisation example's guardrails (SCPs) and data perimeter (RCPs), evaluated by the IAM
policy engine together with the acme member account's deployed principals and resource policies.

examples/organization/organization.yaml puts acme (111122223333, the examples/acme.yaml spec) in
OU workloads: the root's deny-leave-organization, protect-security-services, deny-root-user and
protect-iamforge, the OU's region-allow-list and deny-iam-users, with AWS's FullAWSAccess at every
level (deny-list strategy); and the root's three RCPs. The SCP and RCP documents are the ones
iamforge builds and emits for the example (``Organization.policies``; the moto test in
tests/integration/test_organization.py shows that what the management stack deploys is exactly
these). The acme principals and resource policies are those test_acme.py reads back from moto.

Two promises are shown. The guardrails deny what they claim (each guardrail's scenarios, with the
deploy role they exempt allowed). And they do not deny the generated roles' own work: every acme
scenario is evaluated again inside the organisation and must keep its decision, except the one
listed in ``CHANGED_BY_GUARDRAILS``, which a guardrail denies on purpose.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from generator.org import load_organization
from generator.org.model import FULL_ACCESS

from . import test_acme
from .deployed import ADMINISTRATOR_ACCESS, Deployment
from .engine import Request
from .scenarios import ALLOW, EXPLICIT, Scenario, allow_doc, as_principal, check, evaluate, outside_principal, params

pytestmark = [pytest.mark.terraform, pytest.mark.moto]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "organization" / "organization.yaml"
ORG = load_organization(EXAMPLE)
ACME = ORG.accounts["acme"].id
SANDBOX = ORG.accounts["sandbox"].id
ORG_ACCOUNTS = {ORG.management_id, *(m.id for m in ORG.accounts.values())}
OUTSIDER = "777788889999"  # in no account list of the example
HOME = "us-east-1"
FULL_AWS_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
DEPLOY_ROLE = f"arn:aws:iam::{ACME}:role/{ORG.deploy_role}"


def levels(account_key: str, kind: str) -> list[tuple[str, list[tuple[str, dict]]]]:
    """The ``kind`` policies from the root down to the account, one engine level each; an SCP level
    also holds FullAWSAccess (the engine adds RCPFullAWSAccess itself and refuses it given)."""
    member = ORG.accounts[account_key]
    chain = [("r-root", ORG.attached("root", "", kind))]
    chain += [(f"ou-{ou}", ORG.attached("unit", ou, kind)) for ou in reversed(ORG.ou_chain(member.ou))]
    chain.append((member.id, ORG.attached("account", account_key, kind)))
    out = []
    for ident, attached in chain:
        docs = [(a.policy, ORG.policies[a.policy].document) for a in attached]
        out.append((ident, ([(FULL_ACCESS["scp"], FULL_AWS_ACCESS)] if kind == "scp" else []) + docs))
    return out


MEMBERS = {m.id: key for key, m in ORG.accounts.items()}


def in_organization(build):
    """``build``'s request as made inside the organisation: the SCPs of the principal's member
    account, the RCPs of the resource's, and the context keys AWS adds for an organisation's
    principals and services (aws:PrincipalOrgID, aws:SourceOrgID)."""
    def wrapped(d: Deployment) -> Request:
        req = build(d)
        ctx = dict(req.context)
        service = ctx.get("aws:PrincipalIsAWSService") == "true"
        if not service and ctx.get("aws:PrincipalAccount") in ORG_ACCOUNTS:
            ctx["aws:PrincipalOrgID"] = ORG.id
        if ctx.get("aws:SourceAccount") in ORG_ACCOUNTS:
            ctx["aws:SourceOrgID"] = ORG.id
        account = ctx.get("aws:PrincipalAccount")
        scps = levels(MEMBERS[account], "scp") if not service and account in MEMBERS else []
        rcps = levels(MEMBERS[req.resource_account], "rcp") if req.resource_account in MEMBERS else []
        return replace(req, context=ctx, scp_levels=scps, rcp_levels=rcps)
    return wrapped


def admin_does(arn: str, action: str, resource: str, region: str = HOME, context: dict | None = None,
               resource_account: str = ACME):
    """A principal of ``arn``'s account with AdministratorAccess (and nothing else) does ``action``."""
    def build(d: Deployment) -> Request:
        p = outside_principal(arn, [("AdministratorAccess", d.document(ADMINISTRATOR_ACCESS))])
        return as_principal(p, action, resource, resource_account, region=region, context=context)
    return in_organization(build)


def foreign_reads(account: str, bucket_key: str):
    """A role of ``account`` reads an acme object that the bucket's own (synthetic) policy grants it."""
    arn = f"arn:aws:iam::{account}:role/reader"
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": arn},
                                                      "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-data/*"}]}

    def build(d: Deployment) -> Request:
        p = outside_principal(arn, [("reader", allow_doc(["s3:GetObject"]))])
        return as_principal(p, "s3:GetObject", f"arn:aws:s3:::acme-data/{bucket_key}", ACME, region=HOME,
                            resource_policy=policy)
    return in_organization(build)


def service_sends(source_account: str, source_org: str | None):
    """An AWS service delivers to an acme queue whose (synthetic) policy allows that service from anywhere."""
    queue = f"arn:aws:sqs:{HOME}:{ACME}:events"
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                                                      "Action": "sqs:SendMessage", "Resource": queue}]}

    def build(d: Deployment) -> Request:
        from .scenarios import service_request

        ctx = {"aws:SourceAccount": source_account, "aws:SourceArn": f"arn:aws:sns:{HOME}:{source_account}:t"}
        if source_org:
            ctx["aws:SourceOrgID"] = source_org
        return service_request("sns.amazonaws.com", "sqs:SendMessage", queue, ACME, policy, context=ctx)
    return in_organization(build)


ROLE = f"arn:aws:iam::{ACME}:role/engineering/app-admin"
TRAIL = test_acme.TRAIL
OUTSIDE = "ap-southeast-2"

GUARDRAILS = [
    # deny-leave-organization: nobody, the deploy role included
    Scenario("admin-LeaveOrganization", admin_does(ROLE, "organizations:LeaveOrganization", "*"), EXPLICIT),
    Scenario("deploy-role-LeaveOrganization", admin_does(DEPLOY_ROLE, "organizations:LeaveOrganization", "*"), EXPLICIT),
    # protect-security-services: the deploy role, which applies the baseline, is exempt
    Scenario("admin-StopLogging", admin_does(ROLE, "cloudtrail:StopLogging", TRAIL), EXPLICIT),
    Scenario("deploy-role-StopLogging", admin_does(DEPLOY_ROLE, "cloudtrail:StopLogging", TRAIL), ALLOW),
    Scenario("admin-DeleteDetector", admin_does(ROLE, "guardduty:DeleteDetector", f"arn:aws:guardduty:{HOME}:{ACME}:detector/d1"), EXPLICIT),
    Scenario("admin-DeleteAnalyzer", admin_does(ROLE, "access-analyzer:DeleteAnalyzer", f"arn:aws:access-analyzer:{HOME}:{ACME}:analyzer/a"), EXPLICIT),
    Scenario("admin-DisableSecurityHub", admin_does(ROLE, "securityhub:DisableSecurityHub", f"arn:aws:securityhub:{HOME}:{ACME}:hub/default"), EXPLICIT),
    Scenario("admin-StopConfigurationRecorder", admin_does(ROLE, "config:StopConfigurationRecorder", "*"), EXPLICIT),
    Scenario("admin-DescribeTrails", admin_does(ROLE, "cloudtrail:DescribeTrails", "*"), ALLOW),
    # deny-root-user: the root user is denied, a root-task session (sts:AssumeRoot) is not
    Scenario("root-user-ListAllMyBuckets", admin_does(f"arn:aws:iam::{ACME}:root", "s3:ListAllMyBuckets", "*"), EXPLICIT),
    Scenario("root-task-session-ListAllMyBuckets", admin_does(f"arn:aws:iam::{ACME}:root", "s3:ListAllMyBuckets", "*", context={"aws:AssumedRoot": "true"}), ALLOW),
    # region-allow-list (OU workloads): outside the list denied, global services and the deploy role exempt
    Scenario("admin-RunInstances-outside-regions", admin_does(ROLE, "ec2:RunInstances", f"arn:aws:ec2:{OUTSIDE}:{ACME}:instance/*", region=OUTSIDE), EXPLICIT),
    Scenario("admin-RunInstances-allowed-region", admin_does(ROLE, "ec2:RunInstances", f"arn:aws:ec2:eu-west-1:{ACME}:instance/*", region="eu-west-1"), ALLOW),
    Scenario("admin-AssumeRole-outside-regions", admin_does(ROLE, "sts:AssumeRole", f"arn:aws:iam::{ACME}:role/x", region=OUTSIDE), ALLOW),
    Scenario("admin-GetRole-outside-regions", admin_does(ROLE, "iam:GetRole", f"arn:aws:iam::{ACME}:role/x", region=OUTSIDE), ALLOW),
    Scenario("deploy-role-RunInstances-outside-regions", admin_does(DEPLOY_ROLE, "ec2:RunInstances", f"arn:aws:ec2:{OUTSIDE}:{ACME}:instance/*", region=OUTSIDE), ALLOW),
    # deny-iam-users (OU workloads): people come through federation; the deploy role creates the spec's users
    Scenario("admin-CreateUser", admin_does(ROLE, "iam:CreateUser", f"arn:aws:iam::{ACME}:user/x"), EXPLICIT),
    Scenario("admin-CreateAccessKey", admin_does(ROLE, "iam:CreateAccessKey", f"arn:aws:iam::{ACME}:user/x"), EXPLICIT),
    Scenario("deploy-role-CreateUser", admin_does(DEPLOY_ROLE, "iam:CreateUser", f"arn:aws:iam::{ACME}:user/x"), ALLOW),
    # protect-iamforge: the deploy role, iamforge's roles and boundaries change only through the deploy role
    Scenario("admin-UpdateAssumeRolePolicy-deploy-role", admin_does(ROLE, "iam:UpdateAssumeRolePolicy", DEPLOY_ROLE), EXPLICIT),
    Scenario("admin-CreatePolicyVersion-boundary", admin_does(ROLE, "iam:CreatePolicyVersion", test_acme.DEPT_BOUNDARY), EXPLICIT),
    Scenario("deploy-role-CreatePolicyVersion-boundary", admin_does(DEPLOY_ROLE, "iam:CreatePolicyVersion", test_acme.DEPT_BOUNDARY), ALLOW),
    Scenario("admin-PutRolePolicy-other-role", admin_does(ROLE, "iam:PutRolePolicy", f"arn:aws:iam::{ACME}:role/engineering/app"), ALLOW),
    # deny-large-instances (OU sandbox, custom), beside what the sandbox inherits from workloads
    Scenario("sandbox-RunInstances-large", admin_does(f"arn:aws:iam::{SANDBOX}:role/dev", "ec2:RunInstances", f"arn:aws:ec2:eu-west-1:{SANDBOX}:instance/*", region="eu-west-1", context={"ec2:InstanceType": "m5.24xlarge"}, resource_account=SANDBOX), EXPLICIT),
    Scenario("sandbox-RunInstances-small", admin_does(f"arn:aws:iam::{SANDBOX}:role/dev", "ec2:RunInstances", f"arn:aws:ec2:eu-west-1:{SANDBOX}:instance/*", region="eu-west-1", context={"ec2:InstanceType": "t3.micro"}, resource_account=SANDBOX), ALLOW),
    Scenario("sandbox-CreateUser", admin_does(f"arn:aws:iam::{SANDBOX}:role/dev", "iam:CreateUser", f"arn:aws:iam::{SANDBOX}:user/x", resource_account=SANDBOX), EXPLICIT),
]

PERIMETER = [
    # rcp-identity-perimeter: a bucket policy cannot open acme's data beyond the organisation
    Scenario("outsider-GetObject-granted-by-bucket-policy", foreign_reads(OUTSIDER, "report.csv"), EXPLICIT),
    Scenario("member-GetObject-granted-by-bucket-policy", foreign_reads(SANDBOX, "report.csv"), ALLOW),
    # rcp-confused-deputy: a service acts on acme's resources only for the organisation's accounts
    Scenario("service-for-outside-account-SendMessage", service_sends(OUTSIDER, "o-zzzzzzzzzz"), EXPLICIT),
    Scenario("service-for-member-SendMessage", service_sends(ACME, None), ALLOW),
    # rcp-enforce-tls: even the account's own administrator needs TLS
    Scenario("admin-GetObject-without-tls", admin_does(ROLE, "s3:GetObject", "arn:aws:s3:::acme-data/a", context={"aws:SecureTransport": "false"}), EXPLICIT),
    Scenario("admin-GetObject-with-tls", admin_does(ROLE, "s3:GetObject", "arn:aws:s3:::acme-data/a"), ALLOW),
]

# acme scenarios whose decision the organisation changes, on purpose, with the guardrail that does it.
CHANGED_BY_GUARDRAILS = {
    "alice-as-admin-fresh-mfa-CreateAccessKey": (EXPLICIT, "deny-iam-users: access keys only through the deploy role"),
}

ACME_INSIDE = [Scenario(f"acme:{s.id}", in_organization(s.build), CHANGED_BY_GUARDRAILS.get(s.id, (s.expect,))[0],
                        s.xfail) for s in test_acme.ALL]


@pytest.fixture(scope="module")
def outcomes(engine, deployments):
    return evaluate(engine, deployments(test_acme.SPEC_PATH), GUARDRAILS + PERIMETER + ACME_INSIDE)


@pytest.mark.parametrize("scenario", params(GUARDRAILS))
def test_guardrails_deny_what_they_claim(scenario: Scenario, outcomes) -> None:
    check(scenario, outcomes[scenario.id])


@pytest.mark.parametrize("scenario", params(PERIMETER))
def test_data_perimeter(scenario: Scenario, outcomes) -> None:
    check(scenario, outcomes[scenario.id])


@pytest.mark.parametrize("scenario", params(ACME_INSIDE))
def test_acme_inside_the_organisation_keeps_its_decisions(scenario: Scenario, outcomes) -> None:
    """The generated roles' own work is not denied by the guardrails: each acme scenario decides as
    on its own, except where ``CHANGED_BY_GUARDRAILS`` says a guardrail denies it on purpose."""
    check(scenario, outcomes[scenario.id])


def test_every_listed_change_is_an_acme_scenario() -> None:
    ids = {s.id for s in test_acme.ALL}
    assert set(CHANGED_BY_GUARDRAILS) <= ids


def test_the_member_is_where_the_scenarios_say() -> None:
    """acme sits in OU workloads under the root; the SCP levels hold the guardrails named above."""
    scps = levels("acme", "scp")
    assert [ident for ident, _ in scps] == ["r-root", "ou-workloads", ACME]
    assert {n for n, _ in scps[1][1]} == {"FullAWSAccess", "region-allow-list", "deny-iam-users"}
    assert {n for _, docs in levels("acme", "rcp") for n, _ in docs} == {
        "rcp-identity-perimeter", "rcp-confused-deputy", "rcp-enforce-tls"}
