"""CIS AWS Foundations Benchmark v7.0 section 5 (Monitoring): CloudWatch Logs metric filters for alarms.

One entry per control 5.1-5.15 (5.16, Security Hub enabled, has no metric filter). v7.0 moved
these from v3.0's section 4 (4.1-4.15, same order and subjects) to section 5. The filter
patterns follow v7.0's text: 5.1 joins its exclusions with ``&&`` (v3.0 wrote ``||``, which
matched nearly every event), 5.10 adds ``ModifySecurityGroupRules``. Parentheses are made
explicit where the benchmark's own patterns rely on ``&&``/``||`` precedence (5.1 and 5.13),
so each pattern means what its title says. AWS Security Hub's CloudWatch.1-14 controls look for
the filters of 5.1-5.14; 5.15 has no Security Hub control.
"""
from __future__ import annotations

from dataclasses import dataclass

NAMESPACE = "CISBenchmark"
BENCHMARK = "CIS AWS Foundations v7.0"


@dataclass(frozen=True)
class CisAlarm:
    """One CIS monitoring control: a metric filter on the trail's log group and its alarm."""

    control: str  # "5.1": the v7.0 recommendation
    slug: str  # stable map key and metric name suffix
    title: str
    pattern: str

    @property
    def key(self) -> str:
        major, minor = self.control.split(".")
        return f"cis_{major}_{int(minor):02d}_{self.slug}"

    @property
    def description(self) -> str:
        return f"{BENCHMARK} {self.control}: {self.title}"


def _events(*names: str) -> str:
    return " || ".join(f"($.eventName = {n})" for n in names)


CIS_ALARMS: tuple[CisAlarm, ...] = (
    CisAlarm(
        "5.1",
        "unauthorized_api_calls",
        "Unauthorized API calls",
        '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && '
        '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
    ),
    CisAlarm(
        "5.2",
        "console_signin_without_mfa",
        "Management console sign-in without MFA",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    ),
    CisAlarm(
        "5.3",
        "root_usage",
        "Usage of the root user",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    ),
    CisAlarm(
        "5.4",
        "iam_policy_changes",
        "IAM policy changes",
        "{ "
        + _events(
            "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
            "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
            "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy",
            "AttachGroupPolicy", "DetachGroupPolicy",
        )
        + " }",
    ),
    CisAlarm(
        "5.5",
        "cloudtrail_changes",
        "CloudTrail configuration changes",
        "{ " + _events("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging") + " }",
    ),
    CisAlarm(
        "5.6",
        "console_auth_failures",
        "Management console authentication failures",
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    ),
    CisAlarm(
        "5.7",
        "cmk_disable_or_deletion",
        "Disabling or scheduled deletion of customer-managed KMS keys",
        "{ ($.eventSource = kms.amazonaws.com) && (" + _events("DisableKey", "ScheduleKeyDeletion") + ") }",
    ),
    CisAlarm(
        "5.8",
        "s3_bucket_policy_changes",
        "S3 bucket policy changes",
        "{ ($.eventSource = s3.amazonaws.com) && ("
        + _events(
            "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
            "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication",
        )
        + ") }",
    ),
    CisAlarm(
        "5.9",
        "config_changes",
        "AWS Config configuration changes",
        "{ ($.eventSource = config.amazonaws.com) && ("
        + _events("StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder")
        + ") }",
    ),
    CisAlarm(
        "5.10",
        "security_group_changes",
        "Security group changes",
        "{ "
        + _events(
            "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup", "ModifySecurityGroupRules",
        )
        + " }",
    ),
    CisAlarm(
        "5.11",
        "nacl_changes",
        "Network ACL changes",
        "{ "
        + _events(
            "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation",
        )
        + " }",
    ),
    CisAlarm(
        "5.12",
        "network_gateway_changes",
        "Network gateway changes",
        "{ "
        + _events(
            "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
            "DeleteInternetGateway", "DetachInternetGateway",
        )
        + " }",
    ),
    CisAlarm(
        "5.13",
        "route_table_changes",
        "Route table changes",
        "{ ($.eventSource = ec2.amazonaws.com) && ("
        + _events(
            "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
            "DeleteRoute", "DisassociateRouteTable",
        )
        + ") }",
    ),
    CisAlarm(
        "5.14",
        "vpc_changes",
        "VPC changes",
        "{ "
        + _events(
            "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
            "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
            "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink",
        )
        + " }",
    ),
    CisAlarm(
        "5.15",
        "organizations_changes",
        "AWS Organizations changes",
        "{ ($.eventSource = organizations.amazonaws.com) && ("
        + _events(
            *(
                f'"{n}"'
                for n in (
                    "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy",
                    "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy",
                    "DetachPolicy", "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization",
                    "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy",
                    "UpdateOrganizationalUnit",
                )
            )
        )
        + ") }",
    ),
)
