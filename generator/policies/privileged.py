"""Privileged access (``privileged:``): break-glass, apply, plan and onboarding roles, as data.

Each kind carries one stated risk and the controls that compensate for it (rule PRV-030 checks
them; the other rules accept that risk on that role and nothing else, see
``generator.rules.helpers.accepted_by_kind``):

* **break-glass** (``iamforge-break-glass``): AdministratorAccess. Trusted by the listed
  department users' ARNs directly, with MFA present and younger than
  ``mfa_max_age_seconds``; sessions of at most one hour; never a service or an OIDC subject.
  A trust policy naming a user's ARN in the same account is enough on its own: the user's
  permissions boundary does not limit what a resource-based policy grants to that ARN (IAM
  User Guide, policy evaluation logic). Every ``AssumeRole`` of it alarms (render side).
* **apply** (``iamforge-apply``): administers what the generated Terraform manages, from
  exactly one GitHub environment. Capped by ``iamforge-apply-boundary``: the same services
  and ARNs, no change to the privileged roles or to that boundary, no role or user created or
  changed without a department (or delegated) boundary, no boundary removed, no role assumed.
* **plan** (``iamforge-plan``): read-only on the same resources and the state object (plan
  runs with ``-lock=false``), from one GitHub subject.
* **onboarding** (``iamforge-onboarding``): console passwords (login profiles) of department
  users only, never of the privileged users; assumed by the listed users with MFA.
"""
from __future__ import annotations

from generator.policies.boundary import BOUNDARY_REMOVAL_ACTIONS, CREATE_WITH_BOUNDARY_ACTIONS
from generator.policies.cloudtrail import LOGS_DELIVERY_ROLE_NAME, LOGS_DELIVERY_ROLE_PATH, cloudtrail_layout
from generator.policies.delegation import IAM_CHANGE_ACTIONS
from generator.policies.document import KIND_BOUNDARY, KIND_IDENTITY, KIND_TRUST, PolicyDoc, policy, statement
from generator.policies.mfa import IAMFORGE_POLICY_PATH
from generator.policies.trust import GITHUB_OIDC_HOST, github_oidc_provider_arn, mfa_condition
from generator.spec.model import PipelineAccess, Role, Spec

APPLY_BOUNDARY_NAME = "iamforge-apply-boundary"
BREAK_GLASS_ALARM_NAME = "iamforge-break-glass-assumed"
PERMISSIONS_NAME = "iamforge-privileged"
ADMINISTRATOR_ACCESS = "AdministratorAccess"

ROLE_WRITE = (
    "iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:TagRole", "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:UpdateRoleDescription",
)
USER_WRITE = (
    "iam:CreateUser", "iam:DeleteUser", "iam:PutUserPermissionsBoundary", "iam:TagUser", "iam:UntagUser",
    "iam:UpdateUser",
)
GROUP_WRITE = (
    "iam:AddUserToGroup", "iam:AttachGroupPolicy", "iam:CreateGroup", "iam:DeleteGroup", "iam:DeleteGroupPolicy",
    "iam:DetachGroupPolicy", "iam:PutGroupPolicy", "iam:RemoveUserFromGroup", "iam:UpdateGroup",
)
POLICY_WRITE = (
    "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy",
)
OIDC_WRITE = (
    "iam:AddClientIDToOpenIDConnectProvider", "iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider",
    "iam:RemoveClientIDFromOpenIDConnectProvider", "iam:TagOpenIDConnectProvider",
    "iam:UntagOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint",
)
ACCOUNT_WRITE = (
    "iam:CreateAccountAlias", "iam:DeleteAccountAlias", "iam:DeleteAccountPasswordPolicy",
    "iam:UpdateAccountPasswordPolicy",
)
LOGIN_PROFILE_ACTIONS = (
    "iam:CreateLoginProfile", "iam:DeleteLoginProfile", "iam:GetLoginProfile", "iam:UpdateLoginProfile",
)
ASSUME_ACTIONS = (
    "sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:GetFederationToken",
)


def privileged_role_arn(spec: Spec, role: Role) -> str:
    return spec.arn("iam", f"role{role.iam_path}{role.name}")


def privileged_roles_arn(spec: Spec) -> str:
    """Every privileged role: they share one IAM path no department can reach."""
    roles = spec.privileged_roles
    path = roles[0].iam_path if roles else "/iamforge/privileged/"
    return spec.arn("iam", f"role{path}*")


def apply_boundary_arn(spec: Spec) -> str:
    return spec.arn("iam", f"policy{IAMFORGE_POLICY_PATH}{APPLY_BOUNDARY_NAME}")


def privileged_user_arns(spec: Spec) -> list[str]:
    """The users who may assume a privileged role (their trust names them)."""
    return sorted({p for r in spec.privileged_roles for p in r.trust.aws_principals})


def department_boundary_arns(spec: Spec) -> list[str]:
    """The boundaries a role or user the apply role creates or changes must carry."""
    arns = [spec.boundary_arn(k) for k in spec.boundaries]
    arns += [spec.delegated_boundary_arn(k) for k in spec.delegates]
    return sorted(arns)


def unbounded_managed_arns(spec: Spec) -> list[str]:
    """Roles and users the generated Terraform manages without a boundary: the CloudTrail delivery
    role, and the principals of departments without one. The boundary guard names them, and only
    them, as exceptions (the spec says what they hold)."""
    arns = []
    if cloudtrail_layout(spec) is not None and spec.cloudtrail.cloudwatch_logs_enabled:
        arns.append(spec.arn("iam", f"role{LOGS_DELIVERY_ROLE_PATH}{LOGS_DELIVERY_ROLE_NAME}"))
    arns += [spec.arn("iam", f"role{r.iam_path}{r.name}") for r in spec.roles if not r.boundary]
    arns += [spec.arn("iam", f"user{u.iam_path}{u.name}") for u in spec.users if not u.boundary]
    return sorted(arns)


def _github_trust(spec: Spec, access: PipelineAccess, sid: str) -> dict:
    return statement(
        sid,
        "Allow",
        ["sts:AssumeRoleWithWebIdentity"],
        principal={"Federated": [github_oidc_provider_arn(spec)]},
        condition={"StringEquals": {f"{GITHUB_OIDC_HOST}:aud": access.audience,
                                    f"{GITHUB_OIDC_HOST}:sub": list(access.subjects)}},
    )


def _state(spec: Spec, access: PipelineAccess, write: bool) -> list[dict]:
    st = access.state
    if st is None:
        return []
    p = spec.account.partition
    bucket = f"arn:{p}:s3:::{st.bucket}"
    # S3-native locking (use_lockfile) writes <key>.tflock beside the state.
    objects = [f"{bucket}/{st.key}"] + ([f"{bucket}/{st.key}.tflock"] if write else [])
    actions = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"] if write else ["s3:GetObject"]
    out = [
        statement("StateBucketList", "Allow", ["s3:ListBucket"], [bucket]),
        statement("StateObject", "Allow", actions, objects),
    ]
    if write and st.lock_table:
        table = spec.arn("dynamodb", f"table/{st.lock_table}", spec.account.home_region)
        out.append(statement("StateLock", "Allow", ["dynamodb:DeleteItem", "dynamodb:DescribeTable",
                                                     "dynamodb:GetItem", "dynamodb:PutItem"], [table]))
    return out


def _managed_iam_resources(spec: Spec) -> dict[str, list[str]]:
    """The IAM ARNs the generated Terraform manages, by entity kind."""
    depts = list(spec.departments.values())
    roles = [spec.arn("iam", f"role/{d.key}/*") for d in depts]
    if cloudtrail_layout(spec) is not None and spec.cloudtrail.cloudwatch_logs_enabled:
        roles.append(spec.arn("iam", f"role{LOGS_DELIVERY_ROLE_PATH}{LOGS_DELIVERY_ROLE_NAME}"))
    return {
        "role": roles,
        "user": [spec.arn("iam", f"user/{d.key}/*") for d in depts],
        "group": [spec.arn("iam", f"group/{d.group_name}") for d in depts],
        "policy": [spec.arn("iam", f"policy{IAMFORGE_POLICY_PATH}*")],
        "oidc": [github_oidc_provider_arn(spec)],
    }


def _service_resources(spec: Spec) -> dict[str, list[str]]:
    """The CloudTrail, KMS, Logs, SNS, CloudWatch and Access Analyzer ARNs the Terraform manages."""
    p, acct, home = spec.account.partition, spec.account.id, spec.account.home_region
    out: dict[str, list[str]] = {"access-analyzer": [
        f"arn:{p}:access-analyzer:*:{acct}:analyzer/iamforge-*",
        f"arn:{p}:access-analyzer:*:{acct}:analyzer/iamforge-*/archive-rule/*",
    ]}
    lay = cloudtrail_layout(spec)
    if lay is None:
        return out
    out["cloudtrail"] = [lay.trail_arn]
    out["s3"] = [lay.bucket_arn, f"{lay.bucket_arn}/*"]
    if lay.access_log_bucket_arn:
        out["s3"] += [lay.access_log_bucket_arn, f"{lay.access_log_bucket_arn}/*"]
    if lay.kms:
        out["kms"] = [f"arn:{p}:kms:{home}:{acct}:key/*", f"arn:{p}:kms:{home}:{acct}:alias/{spec.cloudtrail.name}"]
    if lay.cloudwatch_logs:
        out["logs"] = [lay.log_group_arn, f"{lay.log_group_arn}:*"]
    if lay.sns:
        out["sns"] = [lay.topic_arn, f"{lay.topic_arn}:*"]
        out["cloudwatch"] = [f"arn:{p}:cloudwatch:{home}:{acct}:alarm:{spec.cloudtrail.name}-*"]
    return out


_SERVICE_WRITE = {
    "access-analyzer": ("access-analyzer:CreateAnalyzer", "access-analyzer:CreateArchiveRule",
                        "access-analyzer:DeleteAnalyzer", "access-analyzer:DeleteArchiveRule",
                        "access-analyzer:GetAnalyzer", "access-analyzer:GetArchiveRule",
                        "access-analyzer:ListArchiveRules", "access-analyzer:ListTagsForResource",
                        "access-analyzer:TagResource", "access-analyzer:UntagResource",
                        "access-analyzer:UpdateAnalyzer", "access-analyzer:UpdateArchiveRule"),
    "cloudtrail": ("cloudtrail:AddTags", "cloudtrail:CreateTrail", "cloudtrail:DeleteTrail",
                   "cloudtrail:GetEventSelectors", "cloudtrail:GetInsightSelectors", "cloudtrail:GetTrail",
                   "cloudtrail:GetTrailStatus", "cloudtrail:ListTags", "cloudtrail:PutEventSelectors",
                   "cloudtrail:PutInsightSelectors", "cloudtrail:RemoveTags", "cloudtrail:StartLogging",
                   "cloudtrail:StopLogging", "cloudtrail:UpdateTrail"),
    "s3": ("s3:CreateBucket", "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:GetAccelerateConfiguration",
           "s3:GetBucket*", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration",
           "s3:GetReplicationConfiguration", "s3:ListBucket", "s3:PutBucket*", "s3:PutEncryptionConfiguration",
           "s3:PutLifecycleConfiguration"),
    "kms": ("kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey",
            "kms:DisableKeyRotation", "kms:EnableKeyRotation", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus",
            "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:TagResource",
            "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription"),
    "logs": ("logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DeleteMetricFilter",
             "logs:DeleteRetentionPolicy", "logs:DisassociateKmsKey", "logs:ListTagsForResource",
             "logs:ListTagsLogGroup", "logs:PutMetricFilter", "logs:PutRetentionPolicy", "logs:TagLogGroup",
             "logs:TagResource", "logs:UntagLogGroup", "logs:UntagResource"),
    "sns": ("sns:CreateTopic", "sns:DeleteTopic", "sns:GetSubscriptionAttributes", "sns:GetTopicAttributes",
            "sns:ListSubscriptionsByTopic", "sns:ListTagsForResource", "sns:SetSubscriptionAttributes",
            "sns:SetTopicAttributes", "sns:Subscribe", "sns:TagResource", "sns:Unsubscribe", "sns:UntagResource"),
    "cloudwatch": ("cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource",
                   "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"),
}
# Calls that name no resource (List*, Describe*, creating a key).
_UNSCOPED_READ = (
    "access-analyzer:ListAnalyzers", "cloudtrail:DescribeTrails", "cloudtrail:ListTrails",
    "cloudwatch:DescribeAlarms", "iam:Get*", "iam:List*", "kms:ListAliases", "kms:ListKeys",
    "logs:DescribeLogGroups", "logs:DescribeMetricFilters", "s3:ListAllMyBuckets", "sns:ListTopics",
)


def apply_statements(spec: Spec) -> list[dict]:
    """What the apply role may do: exactly what the generated Terraform manages, and the state."""
    iam = _managed_iam_resources(spec)
    services = _service_resources(spec)
    out = [
        statement("ReadAccount", "Allow", _UNSCOPED_READ, ["*"]),
        statement("ManageRoles", "Allow", ROLE_WRITE, iam["role"]),
        statement("ManageUsers", "Allow", USER_WRITE, iam["user"]),
        statement("ManageGroups", "Allow", GROUP_WRITE, iam["group"] + iam["user"]),
        statement("ManagePolicies", "Allow", POLICY_WRITE, iam["policy"]),
        statement("ManageGithubOidcProvider", "Allow", OIDC_WRITE, iam["oidc"]),
        statement("ManageAccountSettings", "Allow", ACCOUNT_WRITE, ["*"]),
        statement("AccessAnalyzerServiceLinkedRole", "Allow", ["iam:CreateServiceLinkedRole"],
                  [spec.arn("iam", "role/aws-service-role/access-analyzer.amazonaws.com/*")],
                  condition={"StringEquals": {"iam:AWSServiceName": "access-analyzer.amazonaws.com"}}),
    ]
    if "kms" in services:
        out.append(statement("CreateTrailKey", "Allow", ["kms:CreateKey"], ["*"]))
    for service in ("access-analyzer", "cloudtrail", "s3", "kms", "logs", "sns", "cloudwatch"):
        if service in services:
            sid = "Manage" + "".join(w.capitalize() for w in service.split("-"))
            out.append(statement(sid, "Allow", _SERVICE_WRITE[service], services[service]))
    if cloudtrail_layout(spec) is not None and spec.cloudtrail.cloudwatch_logs_enabled:
        out.append(statement(
            "PassTrailDeliveryRole", "Allow", ["iam:PassRole"],
            [spec.arn("iam", f"role{LOGS_DELIVERY_ROLE_PATH}{LOGS_DELIVERY_ROLE_NAME}")],
            condition={"StringEquals": {"iam:PassedToService": "cloudtrail.amazonaws.com"}}))
    return out + _state(spec, spec.privileged.apply, write=True)


def apply_boundary_statements(spec: Spec) -> list[dict]:
    """The apply role's ceiling: its own grants, and the denies that keep it from granting itself more."""
    # A ceiling, coarser than the grants it caps (whole services on the same ARNs), so it stays far
    # below the 6,144-character quota of a managed policy.
    iam = _managed_iam_resources(spec)
    iam_arns = [arn for arns in iam.values() for arn in arns]
    iam_arns.append(spec.arn("iam", "role/aws-service-role/access-analyzer.amazonaws.com/*"))
    ceiling = [
        statement("CeilingReadAccount", "Allow", [*_UNSCOPED_READ, *ACCOUNT_WRITE, "kms:CreateKey"], ["*"]),
        statement("CeilingIam", "Allow", ["iam:*"], iam_arns),
        *(statement(f"Ceiling{''.join(w.capitalize() for w in svc.split('-'))}", "Allow", [f"{svc}:*"], arns)
          for svc, arns in _service_resources(spec).items()),
        *(dict(s, Sid=f"Ceiling{s['Sid']}") for s in _state(spec, spec.privileged.apply, write=True)),
    ]
    guard = statement(
        "DenyCreateOrChangeWithoutDepartmentBoundary", "Deny", CREATE_WITH_BOUNDARY_ACTIONS,
        None if unbounded_managed_arns(spec) else ["*"],
        not_resources=unbounded_managed_arns(spec) or None,
        # StringNotEquals also matches when the key is absent: no boundary at all is denied too.
        condition={"StringNotEquals": {"iam:PermissionsBoundary": department_boundary_arns(spec) or ["none"]}},
    )
    return [
        *ceiling,
        statement("DenyPrivilegedRoleChanges", "Deny", IAM_CHANGE_ACTIONS, [privileged_roles_arn(spec)]),
        statement("DenyApplyBoundaryChanges", "Deny", IAM_CHANGE_ACTIONS, [apply_boundary_arn(spec)]),
        statement("DenyBoundaryRemoval", "Deny", BOUNDARY_REMOVAL_ACTIONS, ["*"]),
        guard,
        statement("DenyAssumingRoles", "Deny", ASSUME_ACTIONS, ["*"]),
        statement("DenyBreakGlassAlarmChanges", "Deny",
                  ["cloudwatch:DeleteAlarms", "cloudwatch:DisableAlarmActions", "cloudwatch:PutMetricAlarm",
                   "cloudwatch:SetAlarmState"],
                  [spec.arn("cloudwatch", f"alarm:{BREAK_GLASS_ALARM_NAME}", spec.account.home_region)]),
    ]


def plan_statements(spec: Spec) -> list[dict]:
    """Read-only on what the Terraform manages, and the state object (no lock: ``-lock=false``)."""
    services = _service_resources(spec)
    reads = {
        "cloudtrail": ("cloudtrail:GetEventSelectors", "cloudtrail:GetInsightSelectors", "cloudtrail:GetTrail",
                       "cloudtrail:GetTrailStatus", "cloudtrail:ListTags"),
        "s3": ("s3:GetAccelerateConfiguration", "s3:GetBucket*", "s3:GetEncryptionConfiguration",
               "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration"),
        "kms": ("kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"),
        "logs": ("logs:ListTagsForResource", "logs:ListTagsLogGroup"),
        "sns": ("sns:GetSubscriptionAttributes", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic",
                "sns:ListTagsForResource"),
        "cloudwatch": ("cloudwatch:ListTagsForResource",),
        "access-analyzer": ("access-analyzer:GetAnalyzer", "access-analyzer:GetArchiveRule",
                            "access-analyzer:ListArchiveRules", "access-analyzer:ListTagsForResource"),
    }
    out = [statement("ReadAccount", "Allow", _UNSCOPED_READ, ["*"])]
    for service, actions in reads.items():
        if service in services:
            sid = "Read" + "".join(w.capitalize() for w in service.split("-"))
            out.append(statement(sid, "Allow", actions, services[service]))
    return out + _state(spec, spec.privileged.plan, write=False)


def onboarding_statements(spec: Spec) -> list[dict]:
    users = [spec.arn("iam", f"user/{d.key}/*") for d in spec.departments.values()]
    out = [statement("ListUsers", "Allow", ["iam:GetAccountPasswordPolicy", "iam:ListUsers"], ["*"])]
    if users:
        out.append(statement("ManageDepartmentLoginProfiles", "Allow", [*LOGIN_PROFILE_ACTIONS, "iam:GetUser"], users))
    privileged = privileged_user_arns(spec)
    if privileged:
        # A privileged user's password would open that user's privileged role to whoever sets it.
        out.append(statement("DenyPrivilegedUsersLoginProfiles", "Deny", LOGIN_PROFILE_ACTIONS, privileged))
    return out


def _doc(key: str, kind: str, name: str, role: Role, path: str, statements: list[dict], description: str,
         managed: bool = False) -> PolicyDoc:
    return PolicyDoc(key=key, kind=kind, name=name, spec_path=path, document=policy(statements),
                     attachments=(("role", role.name),), managed=managed, description=description)


def build_privileged(spec: Spec) -> list[PolicyDoc]:
    """Every document of ``privileged:``, in a fixed order (break-glass, apply, plan, onboarding)."""
    docs: list[PolicyDoc] = []
    roles = spec.privileged.roles
    bg = spec.privileged.break_glass
    if bg is not None and "break_glass" in roles:
        role = roles["break_glass"]
        trust = statement(
            "AllowBreakGlassUsersWithFreshMfa", "Allow", ["sts:AssumeRole"],
            principal={"AWS": role.trust.aws_principals},
            condition={"Bool": {"aws:MultiFactorAuthPresent": "true"},
                       "NumericLessThan": {"aws:MultiFactorAuthAge": str(bg.mfa_max_age_seconds)}},
        )
        docs.append(_doc("privileged.break_glass.trust", KIND_TRUST, role.name, role, bg.path, [trust],
                         f"Who may assume {role.name} (iamforge)"))
    for kind, access in (("apply", spec.privileged.apply), ("plan", spec.privileged.plan)):
        if access is None or kind not in roles:
            continue
        role = roles[kind]
        docs.append(_doc(f"privileged.{kind}.trust", KIND_TRUST, role.name, role, f"{access.path}.github_oidc",
                         [_github_trust(spec, access, "AllowGithubSubject")], f"Who may assume {role.name} (iamforge)"))
        statements = apply_statements(spec) if kind == "apply" else plan_statements(spec)
        docs.append(_doc(f"privileged.{kind}.permissions", KIND_IDENTITY, PERMISSIONS_NAME, role, access.path,
                         statements, f"What {role.name} may do (iamforge)"))
        if kind == "apply":
            docs.append(_doc("privileged.apply.boundary", KIND_BOUNDARY, APPLY_BOUNDARY_NAME, role, access.path,
                             apply_boundary_statements(spec),
                             "Permissions boundary of iamforge-apply: what the generated Terraform manages, "
                             "and never the privileged roles or this policy (iamforge)", managed=True))
    ob = spec.privileged.onboarding
    if ob is not None and "onboarding" in roles:
        role = roles["onboarding"]
        trust = statement("AllowOnboardingUsersWithMfa", "Allow", ["sts:AssumeRole"],
                          principal={"AWS": role.trust.aws_principals}, condition=mfa_condition(spec))
        docs.append(_doc("privileged.onboarding.trust", KIND_TRUST, role.name, role, ob.path, [trust],
                         f"Who may assume {role.name} (iamforge)"))
        docs.append(_doc("privileged.onboarding.permissions", KIND_IDENTITY, PERMISSIONS_NAME, role, ob.path,
                         onboarding_statements(spec), f"What {role.name} may do (iamforge)"))
    return docs
