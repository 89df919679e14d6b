"""The organisation trail's resource policies: its log bucket and KMS key in the log-archive account.

The trail lives in the management account and logs every account of the organisation
(``is_organization_trail``); CloudTrail writes ``AWSLogs/<management id>/`` and
``AWSLogs/<organisation id>/<account id>/``. Every CloudTrail grant is tied to this trail
(``aws:SourceArn``) and to this organisation (``aws:SourceOrgID``, as AWS Control Tower's log
bucket does), so no other trail or organisation can use the bucket or the key.

``org_trail_layout`` is the single place names and ARNs are derived; the management stack
and the log-archive stack use the same values, so the policies name what is deployed.
"""
from __future__ import annotations

from dataclasses import dataclass

from generator.org.model import Organization
from generator.policies.cloudtrail import deny_insecure_transport, deny_log_changes_except_cloudtrail
from generator.policies.document import policy, statement


@dataclass(frozen=True)
class OrgTrailLayout:
    """Names and ARNs of the organisation trail and its log archive."""

    name: str
    trail_arn: str
    bucket: str
    bucket_arn: str
    access_log_bucket: str
    access_log_bucket_arn: str
    retention_days: int
    archive_id: str
    archive_region: str
    kms_alias: str
    kms_alias_arn: str
    partition: str


def org_trail_layout(org: Organization) -> OrgTrailLayout | None:
    """The trail's layout, or None when the organisation spec has no ``trail``.

    The bucket and the key sit in the log-archive account's home region (a trail's KMS key must be
    in its bucket's region); the trail names the key by its alias ARN, which is known before the
    key exists, so the management stack needs no output of the log-archive stack.
    """
    t = org.trail
    if t is None:
        return None
    archive = org.accounts[t.archive]
    assert archive.spec is not None  # the loader refuses a trail whose archive has no spec
    p, region = archive.spec.account.partition, archive.spec.account.home_region
    alias = f"alias/{t.name}"
    return OrgTrailLayout(
        name=t.name,
        trail_arn=f"arn:{p}:cloudtrail:{org.region}:{org.management_id}:trail/{t.name}",
        bucket=t.bucket,
        bucket_arn=f"arn:{p}:s3:::{t.bucket}",
        access_log_bucket=f"{t.bucket}-access-logs",
        access_log_bucket_arn=f"arn:{p}:s3:::{t.bucket}-access-logs",
        retention_days=t.retention_days,
        archive_id=archive.id,
        archive_region=region,
        kms_alias=alias,
        kms_alias_arn=f"arn:{p}:kms:{region}:{archive.id}:{alias}",
        partition=p,
    )


def _source(org: Organization, lay: OrgTrailLayout) -> dict[str, str]:
    return {"aws:SourceArn": lay.trail_arn, "aws:SourceOrgID": org.id}


def bucket_policy(org: Organization, lay: OrgTrailLayout) -> dict:
    """TLS only; CloudTrail may read the ACL and write the management account's and the
    organisation's logs, for this trail of this organisation only; nobody else may write or
    delete under ``AWSLogs/`` (see :func:`generator.policies.cloudtrail.bucket_policy`)."""
    source = _source(org, lay)
    write = {**source, "s3:x-amz-acl": "bucket-owner-full-control"}
    cloudtrail = {"Service": ["cloudtrail.amazonaws.com"]}
    return policy([
        deny_insecure_transport(lay.bucket_arn),
        deny_log_changes_except_cloudtrail(lay.bucket_arn),
        statement("AWSCloudTrailAclCheck", "Allow", ["s3:GetBucketAcl"], [lay.bucket_arn],
                  principal=cloudtrail, condition={"StringEquals": source}),
        statement("AWSCloudTrailWrite", "Allow", ["s3:PutObject"], [f"{lay.bucket_arn}/AWSLogs/{org.management_id}/*"],
                  principal=cloudtrail, condition={"StringEquals": write}),
        statement("AWSCloudTrailOrganizationWrite", "Allow", ["s3:PutObject"], [f"{lay.bucket_arn}/AWSLogs/{org.id}/*"],
                  principal=cloudtrail, condition={"StringEquals": write}),
    ])


def access_log_bucket_policy(lay: OrgTrailLayout) -> dict:
    """TLS only; S3 server access logging may write, only for the trail bucket of the log-archive account."""
    arn = lay.access_log_bucket_arn
    return policy([
        deny_insecure_transport(arn),
        statement("S3ServerAccessLogsPolicy", "Allow", ["s3:PutObject"], [f"{arn}/*"],
                  principal={"Service": ["logging.s3.amazonaws.com"]},
                  condition={"ArnLike": {"aws:SourceArn": lay.bucket_arn},
                             "StringEquals": {"aws:SourceAccount": lay.archive_id}}),
    ])


def kms_key_policy(org: Organization, lay: OrgTrailLayout) -> dict:
    """Key policy: administration and log decryption through IAM in the log-archive account;
    CloudTrail encrypts for this trail of this organisation only."""
    source = _source(org, lay)
    return policy([
        # AWS's default key policy statement: without it the key is unmanageable.
        statement("EnableIAMUserPermissions", "Allow", ["kms:*"], ["*"],
                  principal={"AWS": [f"arn:{lay.partition}:iam::{lay.archive_id}:root"]}),
        statement("AllowCloudTrailEncrypt", "Allow", ["kms:GenerateDataKey*"], ["*"],
                  principal={"Service": ["cloudtrail.amazonaws.com"]},
                  condition={"StringEquals": source,
                             "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                                            f"arn:{lay.partition}:cloudtrail:*:{org.management_id}:trail/*"}}),
        statement("AllowCloudTrailDescribeKey", "Allow", ["kms:DescribeKey"], ["*"],
                  principal={"Service": ["cloudtrail.amazonaws.com"]},
                  condition={"StringEquals": source}),
    ])
