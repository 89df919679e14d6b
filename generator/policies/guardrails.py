"""The SCP and RCP catalogue iamforge ships: each guardrail's id, title, rationale, AWS sources
and its policy document, built as data (the object the ORG rules check is the one emitted).

SCPs follow AWS's deny-list strategy: the default ``FullAWSAccess`` stays attached and each
guardrail denies. Every SCP exempts the deploy role (``organization.deploy_role``) where the
member stacks would otherwise be refused what they apply (trails, analyzers, IAM users).
RCPs are the data perimeter of the five services that support RCPs.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SCP_EXAMPLES = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples.html"
SCP_GENERAL = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html"
RCP_EXAMPLES = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html"
ROOT_ACCESS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user-access-management"
DATA_PERIMETERS = "https://docs.aws.amazon.com/whitepapers/latest/building-a-data-perimeter-on-aws/perimeter-implementation.html"

# The services RCPs apply to (AWS Organizations, "Resource control policies": supported services).
RCP_SERVICES = ("s3", "sts", "kms", "sqs", "secretsmanager")

# Global services and actions AWS's Region-deny example SCP exempts (their endpoints are in
# us-east-1, so a Region allow-list must not deny them): SCP_GENERAL, "Deny access to AWS based
# on the requested AWS Region". a4b and mobileanalytics, retired services, are left out.
REGION_EXEMPT_ACTIONS = (
    "acm:*", "aws-marketplace-management:*", "aws-marketplace:*", "aws-portal:*", "budgets:*", "ce:*",
    "chime:*", "cloudfront:*", "config:*", "cur:*", "directconnect:*", "ec2:DescribeRegions",
    "ec2:DescribeTransitGateways", "ec2:DescribeVpnGateways", "fms:*", "globalaccelerator:*", "health:*",
    "iam:*", "importexport:*", "kms:*", "networkmanager:*", "organizations:*", "pricing:*",
    "route53-recovery-cluster:*", "route53-recovery-control-config:*", "route53-recovery-readiness:*",
    "route53:*", "route53domains:*", "s3:GetAccountPublic*", "s3:ListAllMyBuckets",
    "s3:ListMultiRegionAccessPoints", "s3:PutAccountPublic*", "shield:*", "sts:*", "support:*",
    "trustedadvisor:*", "waf-regional:*", "waf:*", "wafv2:*", "wellarchitected:*",
)


@dataclass(frozen=True)
class Params:
    """What the catalogue documents depend on: the organisation's own values."""

    org_id: str
    deploy_role: str
    allowed_regions: tuple[str, ...] = ()
    partition: str = "aws"

    @property
    def deploy_role_arn(self) -> str:
        return f"arn:{self.partition}:iam::*:role/{self.deploy_role}"


@dataclass(frozen=True)
class Guardrail:
    """One catalogue entry: ``kind`` is scp or rcp."""

    id: str
    kind: str
    title: str
    rationale: str
    references: tuple[str, ...]
    build: Callable[[Params], dict[str, Any]]
    needs_regions: bool = False

    def document(self, params: Params) -> dict[str, Any]:
        return self.build(params)


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _not_deploy_role(p: Params) -> dict[str, Any]:
    return {"ArnNotLike": {"aws:PrincipalArn": p.deploy_role_arn}}


def _deny_leave(p: Params) -> dict[str, Any]:
    return _doc({"Sid": "DenyLeaveOrganization", "Effect": "Deny", "Action": "organizations:LeaveOrganization",
                 "Resource": "*"})


SECURITY_SERVICE_ACTIONS = (
    "access-analyzer:DeleteAnalyzer",
    "cloudtrail:DeleteTrail", "cloudtrail:PutEventSelectors", "cloudtrail:StopLogging", "cloudtrail:UpdateTrail",
    "config:DeleteConfigRule", "config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel",
    "config:StopConfigurationRecorder",
    "guardduty:DeleteDetector", "guardduty:DeleteMembers", "guardduty:DisassociateFromAdministratorAccount",
    "guardduty:DisassociateFromMasterAccount", "guardduty:DisassociateMembers", "guardduty:StopMonitoringMembers",
    "guardduty:UpdateDetector",
    "securityhub:BatchDisableStandards", "securityhub:DeleteMembers", "securityhub:DisableSecurityHub",
    "securityhub:DisassociateFromAdministratorAccount", "securityhub:DisassociateFromMasterAccount",
    "securityhub:DisassociateMembers",
)


def _protect_security(p: Params) -> dict[str, Any]:
    return _doc({"Sid": "DenySecurityServiceChanges", "Effect": "Deny", "Action": list(SECURITY_SERVICE_ACTIONS),
                 "Resource": "*", "Condition": _not_deploy_role(p)})


def _deny_root(p: Params) -> dict[str, Any]:
    # A root-task session (sts:AssumeRoot from the management account, centralized root access)
    # carries aws:AssumedRoot = true and is let through; any other root sign-in is denied.
    return _doc({"Sid": "DenyRootUser", "Effect": "Deny", "Action": "*", "Resource": "*",
                 "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:{p.partition}:iam::*:root"},
                               "BoolIfExists": {"aws:AssumedRoot": "false"}}})


def _region_allow_list(p: Params) -> dict[str, Any]:
    return _doc({"Sid": "DenyOutsideAllowedRegions", "Effect": "Deny", "NotAction": list(REGION_EXEMPT_ACTIONS),
                 "Resource": "*",
                 "Condition": {"StringNotEquals": {"aws:RequestedRegion": list(p.allowed_regions)},
                               **_not_deploy_role(p)}})


def _deny_iam_users(p: Params) -> dict[str, Any]:
    return _doc({"Sid": "DenyIamUsersAndAccessKeys", "Effect": "Deny",
                 "Action": ["iam:CreateAccessKey", "iam:CreateUser"], "Resource": "*", "Condition": _not_deploy_role(p)})


def _protect_iamforge(p: Params) -> dict[str, Any]:
    roles = [f"arn:{p.partition}:iam::*:role/{p.deploy_role}", f"arn:{p.partition}:iam::*:role/iamforge/*"]
    return _doc(
        {"Sid": "ProtectDeployRoles", "Effect": "Deny", "Resource": roles, "Condition": _not_deploy_role(p),
         "Action": ["iam:AttachRolePolicy", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary",
                    "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary",
                    "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:UpdateRoleDescription"]},
        {"Sid": "ProtectBoundaries", "Effect": "Deny", "Resource": f"arn:{p.partition}:iam::*:policy/iamforge/*",
         "Condition": _not_deploy_role(p),
         "Action": ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
                    "iam:SetDefaultPolicyVersion"]},
    )


def _rcp_identity_perimeter(p: Params) -> dict[str, Any]:
    return _doc({"Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*",
                 "Action": ["kms:*", "s3:*", "secretsmanager:*", "sqs:*", "sts:AssumeRole",
                            "sts:DecodeAuthorizationMessage", "sts:GetAccessKeyInfo", "sts:GetFederationToken",
                            "sts:GetServiceBearerToken", "sts:GetSessionToken", "sts:SetContext"],
                 "Resource": "*",
                 "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": p.org_id},
                               "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}})


def _rcp_confused_deputy(p: Params) -> dict[str, Any]:
    return _doc({"Sid": "EnforceConfusedDeputyProtection", "Effect": "Deny", "Principal": "*",
                 "Action": ["kms:*", "s3:*", "secretsmanager:*", "sqs:*", "sts:*"], "Resource": "*",
                 "Condition": {"StringNotEqualsIfExists": {"aws:SourceOrgID": p.org_id},
                               "Null": {"aws:SourceAccount": "false"},
                               "Bool": {"aws:PrincipalIsAWSService": "true"}}})


def _rcp_tls(p: Params) -> dict[str, Any]:
    return _doc({"Sid": "EnforceSecureTransport", "Effect": "Deny", "Principal": "*",
                 "Action": ["kms:*", "s3:*", "secretsmanager:*", "sqs:*", "sts:*"], "Resource": "*",
                 "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}})


CATALOGUE: dict[str, Guardrail] = {g.id: g for g in (
    Guardrail("deny-leave-organization", "scp", "Deny leaving the organisation",
              "A member account that leaves takes itself out of every guardrail and of the organisation trail.",
              (SCP_GENERAL,), _deny_leave),
    Guardrail("protect-security-services", "scp", "Deny disabling CloudTrail, Config, GuardDuty, Security Hub, "
              "Access Analyzer",
              "Stopping the trail or deleting a detector or analyzer blinds the security account; only the deploy "
              "role, which applies the baseline that configures them, may change them.",
              (SCP_EXAMPLES, SCP_GENERAL), _protect_security),
    Guardrail("deny-root-user", "scp", "Deny the root user, except root-task sessions",
              "With centralized root access, member accounts need no root credentials; privileged root tasks run as "
              "short sts:AssumeRoot sessions from the management account (aws:AssumedRoot), which stay allowed.",
              (SCP_GENERAL, ROOT_ACCESS), _deny_root),
    Guardrail("region-allow-list", "scp", "Deny Regions outside the allow-list",
              "Resources in Regions nobody watches escape the trail's alarms and cost reviews. The global services "
              "AWS's example exempts (IAM, STS, Organizations, Route 53, CloudFront, Support, ...) stay allowed.",
              (SCP_GENERAL,), _region_allow_list, needs_regions=True),
    Guardrail("deny-iam-users", "scp", "Deny creating IAM users and access keys",
              "People sign in through federation; long-lived user keys are the most leaked credential. The deploy "
              "role still creates the users an account spec declares.",
              (SCP_EXAMPLES,), _deny_iam_users),
    Guardrail("protect-iamforge", "scp", "Protect the deploy role and iamforge's roles and boundaries",
              "A principal that can rewrite the deploy role's trust or an iamforge boundary undoes every other "
              "control; only the deploy role may change them.",
              (SCP_GENERAL,), _protect_iamforge),
    Guardrail("rcp-identity-perimeter", "rcp", "Only the organisation's principals reach its data",
              "Denies S3, STS, KMS, SQS and Secrets Manager to any principal outside the organisation "
              "(aws:PrincipalOrgID), AWS services excepted (the next RCP covers them).",
              (RCP_EXAMPLES, DATA_PERIMETERS), _rcp_identity_perimeter),
    Guardrail("rcp-confused-deputy", "rcp", "AWS services act only for the organisation",
              "A service principal calling on behalf of another organisation's account (aws:SourceOrgID) is denied: "
              "the confused-deputy half of the data perimeter.",
              (RCP_EXAMPLES, DATA_PERIMETERS), _rcp_confused_deputy),
    Guardrail("rcp-enforce-tls", "rcp", "TLS only",
              "Requests without TLS (aws:SecureTransport false) to S3, STS, KMS, SQS and Secrets Manager are denied.",
              (RCP_EXAMPLES,), _rcp_tls),
)}


def compact_json(document: Any) -> str:
    """The document as Terraform's ``jsonencode`` writes it: no whitespace, ``<``, ``>``, ``&``
    escaped, keys sorted. Organizations counts the characters of the policy as stored, so this is what
    the 5,120-character SCP quota is measured on."""
    import json

    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                          ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text
