"""CIS AWS Foundations Benchmark v3.0 section 4: CloudWatch Logs metric filters for alarms.

One entry per control 4.1-4.15 (4.16, Security Hub, has no metric filter). The filter
patterns follow the benchmark's text, with parentheses made explicit where the
benchmark's own patterns rely on ``&&``/``||`` precedence (4.1 and 4.13), so each
pattern means what its title says.
"""
from __future__ import annotations

from dataclasses import dataclass

NAMESPACE = "CISBenchmark"


@dataclass(frozen=True)
class CisAlarm:
    """One CIS monitoring control: a metric filter on the trail's log group and its alarm."""

    control: str  # "4.1"
    slug: str  # stable map key and metric name suffix
    title: str
    pattern: str

    @property
    def key(self) -> str:
        major, minor = self.control.split(".")
        return f"cis_{major}_{int(minor):02d}_{self.slug}"


def _events(*names: str) -> str:
    return " || ".join(f"($.eventName = {n})" for n in names)


CIS_ALARMS: tuple[CisAlarm, ...] = (
    CisAlarm(
        "4.1",
        "unauthorized_api_calls",
        "Unauthorized API calls",
        '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && '
        '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
    ),
    CisAlarm(
        "4.2",
        "console_signin_without_mfa",
        "Management console sign-in without MFA",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    ),
    CisAlarm(
        "4.3",
        "root_usage",
        "Usage of the root user",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    ),
    CisAlarm(
        "4.4",
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
        "4.5",
        "cloudtrail_changes",
        "CloudTrail configuration changes",
        "{ " + _events("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging") + " }",
    ),
    CisAlarm(
        "4.6",
        "console_auth_failures",
        "Management console authentication failures",
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    ),
    CisAlarm(
        "4.7",
        "cmk_disable_or_deletion",
        "Disabling or scheduled deletion of customer-managed KMS keys",
        "{ ($.eventSource = kms.amazonaws.com) && (" + _events("DisableKey", "ScheduleKeyDeletion") + ") }",
    ),
    CisAlarm(
        "4.8",
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
        "4.9",
        "config_changes",
        "AWS Config configuration changes",
        "{ ($.eventSource = config.amazonaws.com) && ("
        + _events("StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder")
        + ") }",
    ),
    CisAlarm(
        "4.10",
        "security_group_changes",
        "Security group changes",
        "{ "
        + _events(
            "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup",
        )
        + " }",
    ),
    CisAlarm(
        "4.11",
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
        "4.12",
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
        "4.13",
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
        "4.14",
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
        "4.15",
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
