"""The spec v1 schema: cerberus, the single source of truth.

Types, ranges, defaults, IAM name syntax and field documentation (``meta.description``)
live here once. ``iamforge schema`` exports it as JSON Schema (draft 2020-12) and
``docs/spec.md`` is generated from it (a test keeps both in step).
"""
from __future__ import annotations

from typing import Any

# IAM name charset: [\w+=,.@-]; our keys also appear inside resource names, so keep them tame.
IAM_NAME = r"[A-Za-z0-9+=,.@_-]+"
KEY_NAME = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
ACCOUNT_ID = r"\d{12}"
REGION = r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d"
ARN = r"arn:(aws|aws-cn|aws-us-gov):[a-z0-9-]*:[a-z0-9-]*:(\d{12}|aws)?:.+"
ACTION = r"(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)"
TAG_KEY_RE = r"[\w .:/=+\-@]{1,128}"
TAG_VALUE_RE = r"[\w .:/=+\-@]{0,256}"
IDC_GROUP = r"[^\x00-\x1f]{1,1024}"  # identity store DisplayName: 1-1,024 printable characters
SID = r"[A-Za-z0-9]*"
EMAIL = r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+"  # linear: no two parts can take the same characters
BUCKET = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
ALIAS = r"[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]"
GITHUB_SUBJECT = r"repo:[^:\s/]+/[^:\s]+:.+"  # linear: the owner holds no slash
SERVICE_PRINCIPAL = r"[a-z0-9.-]+\.amazonaws\.com(\.cn)?"
# privileged: one exact GitHub subject (no wildcard), and for apply a GitHub environment's.
GITHUB_EXACT_SUBJECT = r"repo:[^:\s/*?]+/[^:\s*?]+:[^\s*?]+"
GITHUB_ENVIRONMENT_SUBJECT = r"repo:[^:\s/*?]+/[^:\s*?]+:environment:[^:\s*?]+"
STATE_KEY = r"[A-Za-z0-9!_.*'()/-]{1,1024}"
DYNAMODB_TABLE = r"[A-Za-z0-9_.-]{3,255}"


def _d(text: str) -> dict[str, Any]:
    return {"description": text}


def _example(text: str) -> dict[str, Any]:
    return {"description": f"For example `{text}`.", "example": text}


def _str(desc: str, example: str | None = None, **kw: Any) -> dict[str, Any]:
    meta = _d(desc) if example is None else {**_d(desc), "example": example}
    return {"type": "string", "meta": meta, **kw}


def _bool(desc: str, default: bool) -> dict[str, Any]:
    return {"type": "boolean", "default": default, "meta": _d(desc)}


def _int(desc: str, default: int | None = None, **kw: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {"type": "integer", "meta": _d(desc), **kw}
    if default is not None:
        rule["default"] = default
    return rule


def _list(desc: str, item: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {"type": "list", "schema": item, "meta": _d(desc), **kw}


def _section(desc: str, fields: dict[str, Any], **kw: Any) -> dict[str, Any]:
    """An optional mapping whose own defaults apply when it is left out."""
    return {"type": "dict", "default": {}, "schema": fields, "meta": _d(desc), **kw}


CONDITIONS = {
    "type": "dict",
    "keysrules": {"type": "string", "regex": r"(ForAllValues:|ForAnyValue:)?[A-Za-z]+"},
    "valuesrules": {
        "type": "dict",
        "keysrules": {"type": "string", "regex": r"[A-Za-z0-9:/._${}*-]+"},
        "valuesrules": {"type": ["string", "list", "boolean", "integer"]},
    },
    "meta": _d("IAM condition block: operator -> condition key -> value or list of values."),
}

GRANT = {
    "type": "dict",
    "schema": {
        "sid": _str("Statement id (letters and digits). Generated when left out.", regex=SID),
        "effect": _str("Allow (default) or Deny.", allowed=["Allow", "Deny"], default="Allow"),
        "actions": _list(
            "IAM actions, `service:Action`; wildcards allowed and reported by the rules.",
            {"type": "string", "regex": ACTION, "meta": _example("s3:GetObject")},
            required=True,
            minlength=1,
        ),
        "resources": _list(
            "Resource ARNs (or `*`). Scope them: `*` on resource-scopable actions is reported.",
            {"type": "string", "regex": r"(\*|arn:.+)", "meta": _example("arn:aws:s3:::acme-artifacts/*")},
            required=True,
            minlength=1,
        ),
        "conditions": CONDITIONS,
    },
    "meta": _d("One policy statement."),
}

TAGS_MAP = {
    "type": "dict",
    "keysrules": {"type": "string", "regex": TAG_KEY_RE},
    "valuesrules": {"type": "string", "regex": TAG_VALUE_RE},
}

TRUST = {
    "type": "dict",
    "required": True,
    "schema": {
        "aws_principals": _list(
            "IAM principal ARNs allowed to assume the role (account root, roles, users).",
            {"type": "string", "regex": ARN, "meta": _example("arn:aws:iam::111122223333:root")},
        ),
        "require_mfa": _bool(
            "Require `aws:MultiFactorAuthPresent` and a recent `aws:MultiFactorAuthAge` to assume the role.", False
        ),
        "external_account": {
            "type": "dict",
            "schema": {
                "account_id": _str("The third party's 12-digit account id (quoted).", regex=ACCOUNT_ID, required=True),
                "external_id": _str(
                    "`sts:ExternalId` the third party must send (2-1,224 chars).",
                    regex=r"[\w+=,.@:/-]{2,1224}",
                ),
            },
            "meta": _d("A third-party AWS account (confused-deputy protection through `sts:ExternalId`)."),
        },
        "github_oidc": {
            "type": "dict",
            "schema": {
                "subjects": _list(
                    "Allowed `sub` claims, e.g. `repo:org/repo:ref:refs/heads/main`. Never empty.",
                    {"type": "string", "regex": GITHUB_SUBJECT, "meta": _example("repo:acme/web:ref:refs/heads/main")},
                    required=True,
                    minlength=1,
                ),
                "audience": _str("Expected `aud` claim.", default="sts.amazonaws.com"),
            },
            "meta": _d("GitHub Actions OIDC federation (one provider per account, created by iamforge)."),
        },
        "services": _list(
            "AWS service principals, e.g. `lambda.amazonaws.com` (conditioned on `aws:SourceAccount`).",
            {"type": "string", "regex": SERVICE_PRINCIPAL},
        ),
    },
    "meta": _d("Who may assume the role: at least one of the principal kinds."),
}

ROLE = {
    "type": "dict",
    "schema": {
        "description": _str("Role description (up to 1,000 characters).", maxlength=1000),
        "max_session_hours": _int("Maximum session duration in hours (1-12).", 1),
        "trust": TRUST,
        "abac": {
            "type": "dict",
            "schema": {
                "actions": _list(
                    "Actions allowed only on resources whose ABAC tag equals the caller's.",
                    {"type": "string", "regex": ACTION},
                    required=True,
                    minlength=1,
                ),
                "resources": _list(
                    "Resources the ABAC statements cover (default `*`: the tag condition does the scoping).",
                    {"type": "string", "regex": r"(\*|arn:.+)"},
                ),
            },
            "meta": _d(
                "Attribute-based access: the resource's `<abac_key>` tag (`aws:ResourceTag`, or S3 object tags) "
                "must equal `${aws:PrincipalTag/<abac_key>}`; actions that cannot be tag-scoped are reported (TAG-010). S3 uploads (`s3:PutObject`, with their tags) go only under the department's own key prefix, `<bucket>/<tag value>/...`: an upload cannot see the tags of an object it would overwrite."
            ),
        },
        "permissions": _list("Inline identity policy statements of the role.", GRANT),
        "managed_policies": _list(
            "Managed policy ARNs attached exclusively (AWS managed or customer managed).",
            {"type": "string", "regex": ARN},
        ),
        "can_create_roles": _bool(
            "Delegated role creation: only roles carrying the department's boundary, under `/<department>/delegated/`.",
            False,
        ),
        "tags": {**TAGS_MAP, "meta": _d("Extra tags for this role.")},
        "permission_set": _bool(
            "Also deliver the role to people as an IAM Identity Center permission set (same permissions, ABAC, "
            "managed policies, boundary and session length) when an organisation spec with `identity_center` "
            "applies this spec; the department then names its Identity Center group.",
            False,
        ),
        "iam_role": _bool(
            "Also generate the role as an IAM role in this account (default). `false` with `permission_set: true`: "
            "people get it only as a permission set, once they no longer sign in as IAM users.",
            True,
        ),
    },
}

DEPARTMENT = {
    "type": "dict",
    "schema": {
        "tag_value": _str("Value of `tags.abac_key` for this department's users and roles.", required=True, regex=TAG_VALUE_RE),
        "boundary": _str("Key of the entry in `boundaries` attached to every role and user of the department."),
        "owner": _str("Owner contact; becomes the `Owner` tag.", required=True),
        "users": _list("IAM users (console users; MFA enforced; no access keys).", {"type": "string", "regex": IAM_NAME, "maxlength": 64}),
        "permissions": _list("Identity policy statements of the department group (reach every user).", GRANT),
        "tags": {**TAGS_MAP, "meta": _d("Extra tags for every user and role of the department.")},
        "identity_center": {
            "type": "dict",
            "schema": {
                "group": _str("Display name of the department's group in the Identity Center identity store "
                              "(synchronised from an external IdP, or created there).", required=True,
                              regex=IDC_GROUP, example="Engineering"),
            },
            "meta": _d("The department's people in IAM Identity Center: its `permission_set` roles are assigned "
                       "to this group."),
        },
        "roles": {
            "type": "dict",
            "keysrules": {"type": "string", "regex": KEY_NAME},
            "valuesrules": ROLE,
            "meta": _d("Roles of the department, by key; the IAM name is `<department>-<role>`."),
        },
    },
}

BOUNDARY = {
    "type": "dict",
    "schema": {
        "description": _str("What the boundary is for.", maxlength=1000),
        "allow": _list("The ceiling: statements a bounded principal can ever be allowed.", GRANT, required=True, minlength=1),
        "regions": _list("Regions allowed; everything else is denied (global services excepted).", {"type": "string", "regex": REGION}),
    },
}



def _pipeline(what: str, subject_desc: str, subject_re: str, example: str, lock: bool,
              several: bool = False) -> dict[str, Any]:
    state = {
        "bucket": _str("S3 bucket holding the Terraform state.", required=True, regex=BUCKET),
        "key": _str("Object key of the state in that bucket.", required=True, regex=STATE_KEY),
    }
    if lock:
        state["lock_table"] = _str("DynamoDB lock table of the S3 backend (optional).", regex=DYNAMODB_TABLE)
    return {
        "type": "dict",
        "schema": {
            "github_oidc": {
                "type": "dict",
                "required": True,
                "schema": {
                    ("subjects" if several else "subject"): (
                        _list(subject_desc, {"type": "string", "regex": subject_re}, required=True, minlength=1,
                              maxlength=4)
                        if several else _str(subject_desc, required=True, regex=subject_re, example=example)),
                    "audience": _str("Expected `aud` claim.", default="sts.amazonaws.com"),
                },
                "meta": _d("The GitHub Actions OIDC subjects trusted, each exact (no wildcard)." if several
                           else "The one GitHub Actions OIDC subject trusted (no wildcard)."),
            },
            "state": {
                "type": "dict",
                "schema": state,
                "meta": _d("The S3 backend of the generated Terraform: the role may use that state."),
            },
        },
        "meta": _d(what),
    }


# iamforge's rule ids (PRV-005) and checkov's (CKV_AWS_355, CKV2_AWS_40)
RULE_ID = r"[A-Z]+-\d{3}|CKV2?_[A-Z0-9]+_\d+"


def _who_assumes(what: str) -> dict[str, Any]:
    return _list(f"Department users (by name) who may assume {what}.",
                 {"type": "string", "regex": IAM_NAME, "maxlength": 64}, required=True, minlength=1)


PRIVILEGED = {
    "type": "dict",
    "default": {},
    "schema": {
        "break_glass": {
            "type": "dict",
            "schema": {
                "users": _who_assumes("`iamforge-break-glass` with fresh MFA"),
                "mfa_max_age_seconds": _int("How fresh the MFA sign-in must be (seconds, 60-3600).", 900, min=60, max=3600),
                "max_session_hours": _int("Maximum session duration in hours (1).", 1, min=1, max=1),
            },
            "meta": _d(
                "Emergency administrator role (AdministratorAccess), trusted by the listed users' ARNs only, "
                "with fresh MFA; every use alarms on the trail's topic (needs `cloudtrail.cloudwatch_logs` and `cloudtrail.alarms`)."
            ),
        },
        "apply": _pipeline(
            "Role `iamforge-apply` that applies iamforge's output from one GitHub environment, capped by "
            "`iamforge-apply-boundary`.",
            "The GitHub environment subject, `repo:<org>/<repo>:environment:<name>`.",
            GITHUB_ENVIRONMENT_SUBJECT,
            "repo:acme/iam:environment:production",
            lock=True,
        ),
        "plan": _pipeline(
            "Read-only role `iamforge-plan` for `iamforge plan --no-lock` (terraform -lock=false): on pull "
            "requests, and on main before a reviewed apply.",
            "The exact GitHub subjects (1-4), e.g. `repo:<org>/<repo>:pull_request` and "
            "`repo:<org>/<repo>:ref:refs/heads/main`.",
            GITHUB_EXACT_SUBJECT,
            "repo:acme/iam:pull_request",
            lock=False,
            several=True,
        ),
        "onboarding": {
            "type": "dict",
            "schema": {
                "users": _who_assumes("`iamforge-onboarding` with MFA"),
            },
            "meta": _d("Role `iamforge-onboarding`: create and reset console passwords of department users only."),
        },
    },
    "meta": _d("Privileged access: the roles a team runs iamforge with (every part optional)."),
}

SCHEMA: dict[str, Any] = {
    "version": {"type": "integer", "allowed": [1], "required": True, "meta": _d("Spec format version: 1.")},
    "account": {
        "type": "dict",
        "required": True,
        "schema": {
            "id": _str("12-digit AWS account id, always quoted.", required=True, regex=ACCOUNT_ID, example='"111122223333"'),
            "alias": _str("Account alias (3-63 lower-case letters, digits, hyphens).", regex=ALIAS),
            "partition": _str("AWS partition.", allowed=["aws", "aws-cn", "aws-us-gov"], default="aws"),
            "regions": _list(
                "Regions in use; the first is the home region. An Access Analyzer goes into each.",
                {"type": "string", "regex": REGION, "meta": _example("eu-west-1")},
                required=True,
                minlength=1,
            ),
        },
        "meta": _d("The AWS account this baseline is for."),
    },
    "tags": _section(
        "Tagging and ABAC.",
        {
            "abac_key": _str("Principal tag that ABAC policies compare with resource tags.", default="Department", regex=TAG_KEY_RE),
            "required": _list(
                "Tag keys every generated user and role carries.",
                {"type": "string", "regex": TAG_KEY_RE},
                default=["Department", "Owner"],
            ),
            "common": {**TAGS_MAP, "default": {"ManagedBy": "iamforge"}, "meta": _d("Tags on every generated resource.")},
        },
    ),
    "password_policy": _section(
        "Account password policy; keys left out take CIS defaults.",
        {
            "minimum_length": _int("Minimum password length (CIS: 14).", 14),
            "require_uppercase": _bool("Require an upper-case letter.", True),
            "require_lowercase": _bool("Require a lower-case letter.", True),
            "require_numbers": _bool("Require a digit.", True),
            "require_symbols": _bool("Require a symbol.", True),
            "max_age_days": _int("Days before a password expires (legacy CIS: 90).", 90),
            "reuse_prevention": _int("Previous passwords that cannot be reused (CIS: 24).", 24),
            "allow_users_to_change": _bool("Users may change their own password.", True),
            "hard_expiry": _bool("Expired passwords need an administrator reset.", False),
        },
    ),
    "mfa": _section(
        "MFA enforcement.",
        {
            "enforce": _bool("Attach the force-MFA policy to every department group.", True),
            "max_age_seconds": _int(
                "How recent MFA must be for sensitive actions and role assumption (seconds).", 3600, min=60, max=129600
            ),
        },
    ),
    "boundaries": {
        "type": "dict",
        "default": {},
        "keysrules": {"type": "string", "regex": KEY_NAME},
        "valuesrules": BOUNDARY,
        "meta": _d("Permission boundaries, by key; departments refer to them."),
    },
    "departments": {
        "type": "dict",
        "default": {},
        "keysrules": {"type": "string", "regex": KEY_NAME},
        "valuesrules": DEPARTMENT,
        "meta": _d("Departments, by key: an IAM group, its users and its roles."),
    },
    "access_analyzer": _section(
        "IAM Access Analyzer.",
        {
            "external_access": _bool("An external-access analyzer in every region of `account.regions`.", True),
            "unused_access": _section(
                "Unused-access analyzer (billed per analysed role and user: opt in).",
                {
                    "enabled": _bool("Create the unused-access analyzer.", False),
                    "unused_access_age_days": _int("Days without use before access counts as unused (1-365).", 90),
                },
            ),
            "archive_rules": _list(
                "Archive rules of the external-access analyzer.",
                {
                    "type": "dict",
                    "schema": {
                        "name": _str("Rule name.", required=True, regex=r"[A-Za-z][A-Za-z0-9_.-]{0,254}"),
                        "filter": {
                            "type": "dict",
                            "required": True,
                            "minlength": 1,
                            "keysrules": {"type": "string"},
                            "valuesrules": {
                                "type": "dict",
                                "schema": {
                                    "eq": _list("Values the criterion equals.", {"type": "string"}),
                                    "neq": _list("Values the criterion does not equal.", {"type": "string"}),
                                    "contains": _list("Values the criterion contains.", {"type": "string"}),
                                    "exists": {"type": "boolean", "meta": _d("The criterion is present.")},
                                },
                            },
                            "meta": _d("Finding criterion (e.g. `resourceType`) -> {eq|neq|contains: [..], exists: bool}."),
                        },
                    },
                },
            ),
        },
    ),
    "cloudtrail": _section(
        "CloudTrail with its bucket, KMS key, log group and CIS alarms.",
        {
            "enabled": _bool("Create the trail and everything around it.", True),
            "name": _str("Trail name (default `iamforge-trail`).", regex=r"[A-Za-z0-9][A-Za-z0-9._-]{2,127}", default="iamforge-trail"),
            "multi_region": _bool("Log every region.", True),
            "include_global_service_events": _bool("Log IAM, STS and other global services.", True),
            "log_file_validation": _bool("Digest files that prove logs were not altered.", True),
            "kms": _section(
                "Encryption of the logs.",
                {
                    "create": _bool("Create a customer managed key with rotation.", True),
                    "key_arn": _str("Existing key ARN, when `create` is false.", regex=ARN),
                },
            ),
            "bucket": _section(
                "The log bucket.",
                {
                    "name": _str("Bucket name (default `<alias or iamforge>-cloudtrail-<account id>`).", regex=BUCKET),
                    # S3's lifecycle Days is a 32-bit integer: a larger number passed the schema and failed
                    # only at plan or apply.
                    "retention_days": _int("Days before log objects expire.", 365, min=1, max=2_147_483_647),
                    "access_log_bucket": _str("Access-log bucket name (default `<bucket>-access-logs`).", regex=BUCKET),
                },
            ),
            "cloudwatch_logs": _section(
                "Delivery to CloudWatch Logs (needed for the alarms).",
                {
                    "enabled": _bool("Send the trail to a log group.", True),
                    "retention_days": _int(
                        "Log group retention in days.",
                        365,
                        allowed=[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653],
                    ),
                },
            ),
            "alarms": _section(
                "CIS metric filters and alarms.",
                {
                    "email": _str("Address subscribed to the alarm topic.", regex=EMAIL),
                    "cis": _bool("Create the CIS AWS Foundations v7.0 5.1-5.15 metric filters and alarms.", True),
                },
            ),
            "insights": _bool("CloudTrail Insights (billed per event analysed: opt in).", False),
        },
    ),
    "privileged": PRIVILEGED,
    "exceptions": _list(
        "Suppressions: a rule at a spec path (and below), with a reason and an expiry date.",
        {
            "type": "dict",
            "schema": {
                "rule": _str("Rule id: iamforge's (PRV-005) or checkov's (CKV_AWS_355), which the generated "
                             "Terraform then carries as `checkov:skip`. Give `rule` or `rules`.", regex=RULE_ID),
                "rules": _list("Several rule ids for the same path, reason and expiry (instead of `rule`).",
                               {"type": "string", "regex": RULE_ID}, minlength=1),
                "path": _str("Dotted spec path, e.g. `departments.engineering.roles.deployer`.", required=True),
                "reason": _str("Why this is accepted.", required=True, minlength=10),
                "expires": {"type": "date", "required": True, "meta": _d("Date (YYYY-MM-DD) after which the exception is an error.")},
            },
        },
        default=[],
    ),
}


def allowed_keys(path: list[str | int], root: dict[str, Any] | None = None) -> list[str] | None:
    """Known keys of the mapping at a document path (of ``root``, the account spec's schema by
    default), or None where any key is allowed."""
    rule = rule_at(path, root)
    if rule.get("type") == "list":
        rule = rule.get("schema", {})
    schema = rule.get("schema")
    return sorted(schema) if isinstance(schema, dict) and rule.get("type") == "dict" else None


def rule_at(path: list[str | int], root: dict[str, Any] | None = None) -> dict[str, Any]:
    """The cerberus rule that applies at a document path of ``root`` (the account spec's schema
    by default); {} when unknown."""
    rule: dict[str, Any] = {"type": "dict", "schema": SCHEMA if root is None else root}
    for part in path:
        if rule.get("type") == "list":
            rule = rule.get("schema", {})
        elif "schema" in rule and isinstance(part, str):
            rule = rule["schema"].get(part, {})
        elif "valuesrules" in rule:
            rule = rule["valuesrules"]
        else:
            return {}
    return rule
