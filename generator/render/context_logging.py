"""Template contexts of the logging and analysis modules: Access Analyzer and CloudTrail.

Names and ARNs of the CloudTrail resources come from
:func:`generator.policies.cloudtrail.cloudtrail_layout`, the same place the resource
policies take them from, so the policies always name the resources that are deployed.
"""
from __future__ import annotations

from typing import Any

from generator.policies.cloudtrail import LOGS_DELIVERY_ROLE_PATH, cloudtrail_layout
from generator.render.cis import CIS_ALARMS, NAMESPACE
from generator.render.context_iam import Ledger
from generator.render.environment import tf_name
from generator.render.hcl import Expr, Jsonencode
from generator.render.suppressions import suppressions
from generator.spec.model import Spec

ANALYZER_NAME = "iamforge-external-access"
UNUSED_ANALYZER_NAME = "iamforge-unused-access"
# In the delegated administrator of an organisation: its zone of trust is the whole organisation.
ORGANIZATION_ANALYZER_NAME = "iamforge-organization-external-access"
ABORT_INCOMPLETE_UPLOAD_DAYS = 7
KMS_DELETION_WINDOW_DAYS = 30


def regions(spec: Spec) -> list[dict[str, str]]:
    """Every region of the account with its provider alias (``us-east-1`` -> ``us_east_1``)."""
    return [{"name": r, "alias": tf_name(r)} for r in spec.account.regions]


def _values(values: Any) -> list[str] | None:
    return None if values is None else [str(v) for v in values]


def access_analyzer_context(spec: Spec) -> dict[str, Any] | None:
    """External-access analyzers per region, the unused-access analyzer, archive rules."""
    aa = spec.access_analyzer
    if not (aa.external_access or aa.unused_access_enabled):
        return None
    rules = {}
    for rule in aa.archive_rules:
        filters = []
        for criterion in sorted(rule.filters):
            ops = rule.filters[criterion]
            exists = ops.get("exists")
            filters.append(
                {
                    "criteria": criterion,
                    "contains": _values(ops.get("contains")),
                    "eq": _values(ops.get("eq")),
                    # the API takes the words "true" / "false"
                    "exists": None if exists is None else ("true" if exists else "false"),
                    "neq": _values(ops.get("neq")),
                }
            )
        rules[rule.name] = {"rule_name": rule.name, "filters": filters}
    return {
        "regions": regions(spec),
        "home_alias": tf_name(spec.account.home_region),
        "external_access": aa.external_access,
        "analyzer_name": ANALYZER_NAME,
        "unused_access": {"name": UNUSED_ANALYZER_NAME, "age_days": aa.unused_access_age_days}
        if aa.unused_access_enabled
        else None,
        "archive_rules": rules,
        "tags": dict(spec.tags.common),
        "organization_analyzer": None,  # named in an organisation's security account (generator.org.render)
    }


def _metric_alarms(spec: Spec) -> dict[str, Any]:
    if not spec.cloudtrail.alarms_cis:
        return {}
    out = {}
    for alarm in CIS_ALARMS:
        out[alarm.key] = {
            "name": f"{spec.cloudtrail.name}-{alarm.key.replace('_', '-')}",
            "metric_name": alarm.key,
            "pattern": alarm.pattern,
            "description": alarm.description,
        }
    return out


def cloudtrail_context(spec: Spec, ledger: Ledger) -> dict[str, Any] | None:
    """The trail with its key, buckets, log group, delivery role, alarm topic and CIS alarms."""
    lay = cloudtrail_layout(spec)
    if lay is None:
        return None
    ct = spec.cloudtrail
    kms = ledger.maybe("cloudtrail.kms")
    access_logs = ledger.maybe("cloudtrail.access_log_bucket")
    sns = ledger.maybe("cloudtrail.sns")
    delivery = ledger.maybe("cloudtrail.logs_delivery")
    delivery_trust = ledger.maybe("cloudtrail.logs_delivery_trust")
    kms_key_arn: Any = Expr("aws_kms_key.this.arn") if kms else ct.kms_key_arn
    return {
        "locals": {"kms_key_arn": kms_key_arn, "tags": dict(spec.tags.common)},
        "trail": {
            "name": ct.name,
            "multi_region": ct.multi_region,
            "include_global_service_events": ct.include_global_service_events,
            "log_file_validation": ct.log_file_validation,
            "insights": ct.insights,
            "skips": suppressions("cloudtrail.trail"),
        },
        "kms": {
            "alias": kms.name,
            "description": f"Encrypts CloudTrail {ct.name} logs, its log group and alarm topic (iamforge)",
            "deletion_window_in_days": KMS_DELETION_WINDOW_DAYS,
            "policy": Jsonencode(kms.document),
        }
        if kms
        else None,
        "kms_key_arn": ct.kms_key_arn,
        "bucket": {
            "name": ct.bucket_name,
            "retention_days": ct.bucket_retention_days,
            "policy": Jsonencode(ledger.take("cloudtrail.bucket").document),
            "skips": suppressions("cloudtrail.bucket"),
        },
        "access_log_bucket": {
            "name": ct.access_log_bucket_name,
            "retention_days": ct.bucket_retention_days,
            "policy": Jsonencode(access_logs.document),
            "skips": suppressions("cloudtrail.access_log_bucket"),
        }
        if access_logs
        else None,
        "abort_incomplete_upload_days": ABORT_INCOMPLETE_UPLOAD_DAYS,
        "logs": {
            "group_name": lay.log_group_name,
            "retention_days": ct.cloudwatch_logs_retention_days,
            "role_name": lay.delivery_role_name,
            "role_path": LOGS_DELIVERY_ROLE_PATH,
            "role_policy_name": delivery.name,
            "assume_role_policy": Jsonencode(delivery_trust.document),
            "policy": Jsonencode(delivery.document),
        }
        if delivery and delivery_trust
        else None,
        "sns": {
            "name": lay.topic_name,
            "policy": Jsonencode(sns.document),
            "email": ct.alarms_email,
        }
        if sns
        else None,
        "alarms": _metric_alarms(spec) if lay.cloudwatch_logs and sns else {},
        "namespace": NAMESPACE,
    }
