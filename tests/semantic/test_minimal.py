"""examples/minimal.yaml as deployed to moto_server, evaluated by the IAM policy engine.

Only the account is given: the defaults make the trail with its bucket, access-log bucket, KMS
key, log group and alarm topic. What their resource policies promise holds with the default
names too: only CloudTrail writes under AWSLogs/, nobody deletes there, TLS only, the key serves
the trail and its own log group, the topic takes this account's alarms.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.spec import load_spec

from .deployed import Deployment, check_against_build
from .engine import CLOUDTRAIL_CONTEXT
from .scenarios import ALLOW, DENY, EXPLICIT, Builders, Scenario, allow_doc, check, evaluate, params

pytestmark = [pytest.mark.terraform, pytest.mark.moto]

SPEC_PATH = Path(__file__).resolve().parents[2] / "examples" / "minimal.yaml"
SPEC = load_spec(SPEC_PATH)
ACCT = SPEC.account.id
HOME = SPEC.account.home_region
B = Builders(ACCT, HOME, SPEC.mfa.max_age_seconds)
NAME = SPEC.cloudtrail.name
TRAIL = f"arn:aws:cloudtrail:{HOME}:{ACCT}:trail/{NAME}"
BUCKET = SPEC.cloudtrail.bucket_name
LOG_OBJECT = f"arn:aws:s3:::{BUCKET}/AWSLogs/{ACCT}/CloudTrail/{HOME}/2026/12/07/{ACCT}_CloudTrail_{HOME}_x.json.gz"
LOG_GROUP = f"arn:aws:logs:{HOME}:{ACCT}:log-group:/aws/cloudtrail/{NAME}"
LOGS_CONTEXT = "kms:EncryptionContext:aws:logs:arn"
ALARM = f"arn:aws:cloudwatch:{HOME}:{ACCT}:alarm:{NAME}-cis-5-01-unauthorized-api-calls"
SAME_ACCOUNT_ROLE = f"arn:aws:iam::{ACCT}:role/app-writer"
OTHER_ACCOUNT_ROLE = "arn:aws:iam::999988887777:role/intruder"
CLOUDTRAIL_PUT = {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL, "aws:SourceAccount": ACCT}
LOGS = f"logs.{HOME}.amazonaws.com"


def topic_request(principal: str, identity: list | None = None, context: dict | None = None):
    return B.topic_request(f"{NAME}-alarms", principal, identity, context)


TRAIL_POLICIES = [
    Scenario("bucket-cloudtrail-PutObject-AWSLogs", B.bucket_request(BUCKET, "cloudtrail.amazonaws.com", "s3:PutObject", LOG_OBJECT, context=CLOUDTRAIL_PUT), ALLOW),
    Scenario("bucket-cloudtrail-PutObject-other-trail", B.bucket_request(BUCKET, "cloudtrail.amazonaws.com", "s3:PutObject", LOG_OBJECT, context={**CLOUDTRAIL_PUT, "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:999988887777:trail/t", "aws:SourceAccount": "999988887777"}), DENY),
    Scenario("bucket-same-account-role-PutObject-AWSLogs", B.bucket_request(BUCKET, SAME_ACCOUNT_ROLE, "s3:PutObject", LOG_OBJECT, [allow_doc(["s3:PutObject"])], {"s3:x-amz-acl": "bucket-owner-full-control"}), DENY),
    Scenario("bucket-same-account-role-DeleteObject-AWSLogs", B.bucket_request(BUCKET, SAME_ACCOUNT_ROLE, "s3:DeleteObject", LOG_OBJECT, [allow_doc(["s3:*"])]), DENY),
    Scenario("bucket-same-account-role-GetObject-no-tls", B.bucket_request(BUCKET, SAME_ACCOUNT_ROLE, "s3:GetObject", LOG_OBJECT, [allow_doc(["s3:*"])], {"aws:SecureTransport": "false"}), EXPLICIT),
    Scenario("bucket-other-account-role-GetObject", B.bucket_request(BUCKET, OTHER_ACCOUNT_ROLE, "s3:GetObject", LOG_OBJECT, [allow_doc(["s3:*"])]), DENY),
    Scenario("key-cloudtrail-GenerateDataKey", B.key_request("cloudtrail.amazonaws.com", "kms:GenerateDataKey", context={"aws:SourceArn": TRAIL, CLOUDTRAIL_CONTEXT: TRAIL}, gaps=(CLOUDTRAIL_CONTEXT,)), ALLOW),
    Scenario("key-cloudtrail-GenerateDataKey-other-source", B.key_request("cloudtrail.amazonaws.com", "kms:GenerateDataKey", context={"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:999988887777:trail/t", CLOUDTRAIL_CONTEXT: TRAIL}, gaps=(CLOUDTRAIL_CONTEXT,)), DENY),
    Scenario("key-logs-GenerateDataKey-trail-log-group", B.key_request(LOGS, "kms:GenerateDataKey", context={LOGS_CONTEXT: LOG_GROUP}, gaps=(LOGS_CONTEXT,)), ALLOW),
    Scenario("key-logs-GenerateDataKey-other-account-log-group", B.key_request(LOGS, "kms:GenerateDataKey", context={LOGS_CONTEXT: LOG_GROUP.replace(ACCT, "999988887777")}, gaps=(LOGS_CONTEXT,)), DENY),
    Scenario("key-logs-GenerateDataKey-no-context", B.key_request(LOGS, "kms:GenerateDataKey"), DENY),
    Scenario("key-other-account-role-Decrypt", B.key_request(OTHER_ACCOUNT_ROLE, "kms:Decrypt", [allow_doc(["kms:*"])]), DENY),
    Scenario("topic-cloudwatch-alarm-Publish", topic_request("cloudwatch.amazonaws.com", context={"aws:SourceArn": ALARM, "aws:SourceAccount": ACCT}), ALLOW),
    Scenario("topic-cloudwatch-other-account-alarm", topic_request("cloudwatch.amazonaws.com", context={"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:999988887777:alarm:x", "aws:SourceAccount": "999988887777"}), DENY),
    Scenario("topic-other-account-role-Publish", topic_request(OTHER_ACCOUNT_ROLE, [allow_doc(["sns:Publish"])]), DENY),
]


@pytest.fixture(scope="module")
def minimal(deployments) -> Deployment:
    return deployments(SPEC_PATH)


@pytest.fixture(scope="module")
def outcomes(engine, minimal):
    return evaluate(engine, minimal, TRAIL_POLICIES)


@pytest.mark.parametrize("scenario", params(TRAIL_POLICIES))
def test_trail_policies(scenario: Scenario, outcomes) -> None:
    check(scenario, outcomes[scenario.id])


def test_the_model_is_the_deployment(minimal: Deployment) -> None:
    check_against_build(minimal, SPEC_PATH)
