"""CloudTrail's resource policies: log bucket, access-log bucket, KMS key, SNS topic, log delivery.

Every service grant is tied to this account and, where the service sends it, to this
trail (``aws:SourceArn``), so no other account's trail or alarm can use our resources
(the cross-service confused-deputy pattern in AWS's CloudTrail, KMS and SNS guides).

``cloudtrail_layout`` is the single place resource names and ARNs are derived; the
blueprints use the same values so the policies match what is deployed.
"""
from __future__ import annotations

from dataclasses import dataclass

from generator.policies.document import KIND_IDENTITY, KIND_RESOURCE, KIND_TRUST, PolicyDoc, policy, statement
from generator.spec.model import Spec

LOGS_DELIVERY_ROLE_NAME = "iamforge-cloudtrail-to-cloudwatch"
LOGS_DELIVERY_ROLE_PATH = "/iamforge/"
LOGS_DELIVERY_POLICY_NAME = "iamforge-cloudtrail-logs-delivery"


@dataclass(frozen=True)
class CloudTrailLayout:
    """Names, ARNs and which optional parts exist, derived once from ``spec.cloudtrail``."""

    trail_arn: str
    bucket_arn: str
    access_log_bucket_arn: str | None
    log_group_name: str
    log_group_arn: str
    delivery_role_name: str
    topic_name: str
    topic_arn: str
    kms: bool
    cloudwatch_logs: bool
    sns: bool


def cloudtrail_layout(spec: Spec) -> CloudTrailLayout | None:
    """The trail's layout, or None when CloudTrail is disabled in the spec.

    The SNS topic exists when CloudWatch Logs is on and there is something to notify
    (CIS alarms or an alarm e-mail address): alarms need the log group's metrics.
    """
    ct = spec.cloudtrail
    if not ct.enabled:
        return None
    p, acct, home = spec.account.partition, spec.account.id, spec.account.home_region
    log_group = f"/aws/cloudtrail/{ct.name}"
    topic = f"{ct.name}-alarms"
    return CloudTrailLayout(
        trail_arn=f"arn:{p}:cloudtrail:{home}:{acct}:trail/{ct.name}",
        bucket_arn=f"arn:{p}:s3:::{ct.bucket_name}",
        access_log_bucket_arn=f"arn:{p}:s3:::{ct.access_log_bucket_name}" if ct.access_log_bucket_name else None,
        log_group_name=log_group,
        log_group_arn=f"arn:{p}:logs:{home}:{acct}:log-group:{log_group}",
        delivery_role_name=LOGS_DELIVERY_ROLE_NAME,
        topic_name=topic,
        topic_arn=f"arn:{p}:sns:{home}:{acct}:{topic}",
        kms=ct.kms_create,
        cloudwatch_logs=ct.cloudwatch_logs_enabled,
        sns=ct.cloudwatch_logs_enabled and (ct.alarms_cis or bool(ct.alarms_email)),
    )


def deny_insecure_transport(bucket_arn: str) -> dict:
    return statement(
        "DenyInsecureTransport",
        "Deny",
        ["s3:*"],
        [bucket_arn, f"{bucket_arn}/*"],
        principal={"AWS": ["*"]},
        condition={"Bool": {"aws:SecureTransport": "false"}},
    )


def deny_log_changes_except_cloudtrail(bucket_arn: str) -> dict:
    """Nobody but the CloudTrail service writes or deletes under ``AWSLogs/``. A negated operator
    matches when the key is absent: every caller that is not the service (IAM users and roles
    carry no aws:PrincipalServiceName) is denied."""
    return statement("DenyLogChangesExceptCloudTrail", "Deny", ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject"],
                     [f"{bucket_arn}/AWSLogs/*"],
                     principal={"AWS": ["*"]},
                     condition={"StringNotEquals": {"aws:PrincipalServiceName": "cloudtrail.amazonaws.com"}})


def bucket_policy(spec: Spec, lay: CloudTrailLayout) -> dict:
    """TLS only; CloudTrail may read the ACL and write this account's logs, for this trail only;
    nobody else may write or delete under ``AWSLogs/``, whatever their identity policies allow (a
    role with ``s3:PutObject`` or ``s3:DeleteObject`` on ``*`` could otherwise plant forged log
    files or remove real ones; lifecycle expiry is not a request and is not affected)."""
    source = {"aws:SourceArn": lay.trail_arn}
    return policy([
        deny_insecure_transport(lay.bucket_arn),
        deny_log_changes_except_cloudtrail(lay.bucket_arn),
        statement("AWSCloudTrailAclCheck", "Allow", ["s3:GetBucketAcl"], [lay.bucket_arn],
                  principal={"Service": ["cloudtrail.amazonaws.com"]}, condition={"StringEquals": source}),
        statement("AWSCloudTrailWrite", "Allow", ["s3:PutObject"],
                  [f"{lay.bucket_arn}/AWSLogs/{spec.account.id}/*"],
                  principal={"Service": ["cloudtrail.amazonaws.com"]},
                  condition={"StringEquals": {**source, "s3:x-amz-acl": "bucket-owner-full-control"}}),
    ])


def access_log_bucket_policy(spec: Spec, lay: CloudTrailLayout) -> dict:
    """TLS only; S3 server access logging may write, only for the trail bucket of this account."""
    arn = lay.access_log_bucket_arn or ""
    return policy([
        deny_insecure_transport(arn),
        statement("S3ServerAccessLogsPolicy", "Allow", ["s3:PutObject"], [f"{arn}/*"],
                  principal={"Service": ["logging.s3.amazonaws.com"]},
                  condition={"ArnLike": {"aws:SourceArn": lay.bucket_arn},
                             "StringEquals": {"aws:SourceAccount": spec.account.id}}),
    ])


def kms_key_policy(spec: Spec, lay: CloudTrailLayout) -> dict:
    """Key policy: account administration via IAM, CloudTrail for this trail, Logs and alarms."""
    p, acct = spec.account.partition, spec.account.id
    statements = [
        # Delegates key administration and log decryption to IAM policies in this account
        # (AWS's default key policy statement); without it the key is unmanageable.
        statement("EnableIAMUserPermissions", "Allow", ["kms:*"], ["*"],
                  principal={"AWS": [f"arn:{p}:iam::{acct}:root"]}),
        statement("AllowCloudTrailEncrypt", "Allow", ["kms:GenerateDataKey*"], ["*"],
                  principal={"Service": ["cloudtrail.amazonaws.com"]},
                  condition={"StringEquals": {"aws:SourceArn": lay.trail_arn},
                             "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                                            f"arn:{p}:cloudtrail:*:{acct}:trail/*"}}),
        statement("AllowCloudTrailDescribeKey", "Allow", ["kms:DescribeKey"], ["*"],
                  principal={"Service": ["cloudtrail.amazonaws.com"]},
                  condition={"StringEquals": {"aws:SourceArn": lay.trail_arn}}),
    ]
    if lay.cloudwatch_logs:
        statements.append(statement(
            "AllowCloudWatchLogsLogGroup", "Allow",
            ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"], ["*"],
            principal={"Service": [f"logs.{spec.account.home_region}.amazonaws.com"]},
            condition={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": lay.log_group_arn}},
        ))
    if lay.sns:
        # CloudWatch publishes alarm notifications to the KMS-encrypted topic and needs
        # the data key. KMS gets no source context from that call, so the statement
        # cannot be narrowed by condition; the topic policy below pins the account and
        # the alarms, and this key serves only this account's trail resources.
        statements.append(statement(
            "AllowCloudWatchAlarmsEncryptedTopic", "Allow", ["kms:Decrypt", "kms:GenerateDataKey*"], ["*"],
            principal={"Service": ["cloudwatch.amazonaws.com"]},
        ))
    return policy(statements)


def topic_policy(spec: Spec, lay: CloudTrailLayout) -> dict:
    """Only this account's CloudWatch alarms in the home Region may publish."""
    p, acct, home = spec.account.partition, spec.account.id, spec.account.home_region
    return policy([
        statement("AllowCloudWatchAlarmsPublish", "Allow", ["sns:Publish"], [lay.topic_arn],
                  principal={"Service": ["cloudwatch.amazonaws.com"]},
                  condition={"StringEquals": {"aws:SourceAccount": acct},
                             "ArnLike": {"aws:SourceArn": f"arn:{p}:cloudwatch:{home}:{acct}:alarm:*"}}),
    ])


def delivery_trust_policy(lay: CloudTrailLayout) -> dict:
    """CloudTrail may assume the delivery role, for this trail only."""
    return policy([
        statement("AllowCloudTrailAssume", "Allow", ["sts:AssumeRole"],
                  principal={"Service": ["cloudtrail.amazonaws.com"]},
                  condition={"StringEquals": {"aws:SourceArn": lay.trail_arn}}),
    ])


def delivery_policy(lay: CloudTrailLayout) -> dict:
    """The delivery role writes streams of the trail's log group and nothing else."""
    return policy([
        statement("AWSCloudTrailCreateLogStreamAndPutEvents", "Allow",
                  ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{lay.log_group_arn}:log-stream:*"]),
    ])


def build_cloudtrail(spec: Spec) -> list[PolicyDoc]:
    """Every CloudTrail resource document the spec calls for, in a fixed order."""
    lay = cloudtrail_layout(spec)
    if lay is None:
        return []
    ct = spec.cloudtrail
    docs = [PolicyDoc("cloudtrail.bucket", KIND_RESOURCE, ct.bucket_name, "cloudtrail.bucket",
                      bucket_policy(spec, lay), (), False, "CloudTrail log bucket policy (iamforge)")]
    if lay.access_log_bucket_arn:
        docs.append(PolicyDoc("cloudtrail.access_log_bucket", KIND_RESOURCE, ct.access_log_bucket_name,
                              "cloudtrail.bucket", access_log_bucket_policy(spec, lay), (), False,
                              "Access-log bucket policy of the CloudTrail bucket (iamforge)"))
    if lay.kms:
        docs.append(PolicyDoc("cloudtrail.kms", KIND_RESOURCE, f"alias/{ct.name}", "cloudtrail.kms",
                              kms_key_policy(spec, lay), (), False, "CloudTrail KMS key policy (iamforge)"))
    if lay.sns:
        docs.append(PolicyDoc("cloudtrail.sns", KIND_RESOURCE, lay.topic_name, "cloudtrail.alarms",
                              topic_policy(spec, lay), (), False, "CloudTrail alarm topic policy (iamforge)"))
    if lay.cloudwatch_logs:
        role = (("role", lay.delivery_role_name),)
        docs.append(PolicyDoc("cloudtrail.logs_delivery", KIND_IDENTITY, LOGS_DELIVERY_POLICY_NAME,
                              "cloudtrail.cloudwatch_logs", delivery_policy(lay), role, False,
                              "CloudTrail delivery to its CloudWatch Logs group (iamforge)"))
        docs.append(PolicyDoc("cloudtrail.logs_delivery_trust", KIND_TRUST, lay.delivery_role_name,
                              "cloudtrail.cloudwatch_logs", delivery_trust_policy(lay), role, False,
                              "CloudTrail may assume the delivery role (iamforge)"))
    return docs
