"""The force-MFA policy: AWS's documented self-service pattern, adapted to user paths.

Source: IAM User Guide, "AWS: Allows MFA-authenticated IAM users to manage their own
credentials on the Security credentials page" (``DenyAllExceptListedIfNoMFA``), with
``mfa/*`` for virtual devices since users may register several, user-named devices.
"""
from __future__ import annotations

from generator.policies.document import KIND_IDENTITY, PolicyDoc, policy, sorted_unique, statement
from generator.spec.model import Spec

MFA_POLICY_KEY = "mfa.force_mfa"
MFA_POLICY_NAME = "iamforge-force-mfa"
IAMFORGE_POLICY_PATH = "/iamforge/"

# Exactly AWS's NotAction list: what a user without MFA may still do (enrol a device,
# look itself up, and get an MFA session for the CLI).
NO_MFA_ALLOWED = (
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:GetUser",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "sts:GetSessionToken",
)
# Added only when users may change their own password, so a first sign-in or an
# expired password can be reset before MFA exists (AWS notes the trade-off).
NO_MFA_PASSWORD = ("iam:ChangePassword", "iam:GetAccountPasswordPolicy")

# Actions that need a *recent* MFA sign-in (aws:MultiFactorAuthAge). The set is the
# credential, permission and guardrail changes an attacker with a stolen, long-lived
# console session would go for: the IAM writes behind the privilege-escalation methods
# (the force-MFA pattern of AWS's IAM examples), role assumption (the role trust policies require the same
# age), and disabling audit logging or its encryption key. MFA self-service is not in
# it, so a user with an old session can still add a device.
SENSITIVE_ACTIONS = (
    "cloudtrail:DeleteTrail",
    "cloudtrail:PutEventSelectors",
    "cloudtrail:StopLogging",
    "cloudtrail:UpdateTrail",
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:CreateRole",
    "iam:CreateUser",
    "iam:DeactivateMFADevice",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DetachGroupPolicy",
    "iam:DetachRolePolicy",
    "iam:DetachUserPolicy",
    "iam:PassRole",
    "iam:PutGroupPolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:PutUserPermissionsBoundary",
    "iam:PutUserPolicy",
    "iam:SetDefaultPolicyVersion",
    "iam:TagRole",
    "iam:TagUser",
    "iam:UntagRole",
    "iam:UntagUser",
    "iam:UpdateAccessKey",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateLoginProfile",
    "kms:DisableKey",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "sts:AssumeRole",
)


def mfa_policy_arn(spec: Spec) -> str:
    """ARN of the force-MFA managed policy (path ``/iamforge/``)."""
    return spec.arn("iam", f"policy{IAMFORGE_POLICY_PATH}{MFA_POLICY_NAME}")


def own_user_arns(spec: Spec) -> list[str]:
    """ARNs that match exactly the calling user, whatever the user's path.

    An IAM user ARN contains the user's path: ``arn:aws:iam::111122223333:user/engineering/alice``.
    So ``user/${aws:username}`` alone matches only users at path ``/`` and would silently deny
    self-service to every department user. ``user/*${aws:username}`` is wrong the other way:
    it is a suffix match, so for ``alice`` it also matches ``user/x/malice``. The pair
    ``user/${aws:username}`` and ``user/*/${aws:username}`` matches the caller and nobody else:
    the ``/`` before the name anchors it, and user names are unique in an account whatever
    their path. Two ARNs whatever the number of departments, so the policy stays far below
    the 6,144-character quota for managed policies.
    """
    return [spec.arn("iam", "user/${aws:username}"), spec.arn("iam", "user/*/${aws:username}")]


def self_service_statements(spec: Spec) -> list[dict]:
    """What a user needs to enrol MFA and manage its own password: the allow half of the pattern.

    Also placed in every boundary that users carry: a boundary is a ceiling, and one
    without these would make MFA enrolment impossible for the very users it bounds.
    """
    allow_change = spec.password_policy.allow_users_to_change
    own_user = own_user_arns(spec)
    own_user_actions = ["iam:GetUser", *(["iam:ChangePassword"] if allow_change else [])]
    return [
        statement(
            "AllowViewAccountInfo",
            "Allow",
            ["iam:GetAccountPasswordPolicy", "iam:GetAccountSummary", "iam:ListVirtualMFADevices"],
            ["*"],
        ),
        statement("AllowManageOwnUser", "Allow", own_user_actions, own_user),
        # Virtual devices are named by the user (several per user since 2022), so the
        # device ARN cannot carry ${aws:username}; creation is harmless on its own: a
        # device does nothing until EnableMFADevice binds it to the caller's own user.
        statement(
            "AllowCreateVirtualMFADevice",
            "Allow",
            ["iam:CreateVirtualMFADevice"],
            [spec.arn("iam", "mfa/*")],
        ),
        statement(
            "AllowManageOwnUserMFA",
            "Allow",
            [
                "iam:DeactivateMFADevice",
                "iam:EnableMFADevice",
                "iam:GetMFADevice",
                "iam:ListMFADevices",
                "iam:ResyncMFADevice",
            ],
            own_user,
        ),
    ]


def build_mfa(spec: Spec) -> PolicyDoc | None:
    """The force-MFA managed policy, attached to every department group; None when not enforced."""
    if not spec.mfa.enforce:
        return None
    allow_change = spec.password_policy.allow_users_to_change
    not_actions = [*NO_MFA_ALLOWED, *(NO_MFA_PASSWORD if allow_change else ())]
    statements = [
        *self_service_statements(spec),
        # BoolIfExists, not Bool: long-term access keys carry no MFA key at all, and a
        # plain Bool would let them through.
        statement(
            "DenyAllExceptListedIfNoMFA",
            "Deny",
            not_actions=not_actions,
            resources=["*"],
            condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        ),
        statement(
            "DenySensitiveIfMFAOld",
            "Deny",
            SENSITIVE_ACTIONS,
            ["*"],
            condition={"NumericGreaterThan": {"aws:MultiFactorAuthAge": str(spec.mfa.max_age_seconds)}},
        ),
    ]
    groups = sorted_unique(d.group_name for d in spec.departments.values())
    return PolicyDoc(
        key=MFA_POLICY_KEY,
        kind=KIND_IDENTITY,
        name=MFA_POLICY_NAME,
        spec_path="mfa",
        document=policy(statements),
        attachments=tuple(("group", g) for g in groups),
        managed=True,
        description="Denies everything but MFA self-service until the user signs in with MFA (iamforge)",
    )
