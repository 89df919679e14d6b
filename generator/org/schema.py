"""The organisation spec schema (cerberus): ``version: 1`` and a top-level ``organization:``.

Strict like the account schema: anchored patterns, unknown keys refused, ids quoted text.
An organisation spec is a file whose top level has ``organization:`` and no ``account:``;
each member account may apply a v1 account spec (``accounts.<key>.spec``).
"""
from __future__ import annotations

from typing import Any

from generator.spec import schema
from generator.spec.schema import ACCOUNT_ID, BUCKET, EMAIL, IAM_NAME, REGION

ORG_ID = r"o-[a-z0-9]{10,32}"
# OU, account and policy keys: they become Terraform names and stack folders.
KEY = r"[a-z][a-z0-9-]{0,39}"
GUARDRAIL_ID = r"[a-z][a-z0-9-]{0,63}"
POLICY_FILE = r"[^\x00-\x1f]{1,255}\.json"
SPEC_FILE = r"[^\x00-\x1f]{1,255}\.ya?ml"
OU_NAME = r"[\w .+=,@-]{1,128}"  # 1-128 characters (Organizations' OU name)
PURPOSES = ("log-archive", "security", "workload")
IDC_SOURCE = r"\$\{path:[^}\x00-\x1f]{1,256}\}"  # an identity-store attribute path
ACCOUNT_REF = rf"(?:{KEY}|{ACCOUNT_ID})"
TRAIL_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{2,127}"  # CloudTrail: 3-128, letters, digits, . _ -


def _meta(description: str, example: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"description": description}
    if example:
        meta["example"] = example
    return {"meta": meta}


def _ids(description: str) -> dict[str, Any]:
    return {"type": "list", "schema": {"type": "string", "regex": GUARDRAIL_ID}, "maxlength": 20, **_meta(description)}


def _attachments(what: str) -> dict[str, Any]:
    """Where ``what`` (SCPs or RCPs) are attached: the root, OUs by key, accounts by key."""
    return {
        "type": "dict",
        "default": {},
        "schema": {
            "root": _ids(f"{what} attached to the organisation root (every account but the management account)."),
            "units": {"type": "dict", "keysrules": {"type": "string", "regex": KEY},
                      "valuesrules": _ids(f"{what} attached to this OU."), **_meta(f"{what} by OU key.")},
            "accounts": {"type": "dict", "keysrules": {"type": "string", "regex": KEY},
                         "valuesrules": _ids(f"{what} attached to this account."), **_meta(f"{what} by account key.")},
        },
        **_meta(f"{what}: catalogue ids or keys of `policies`, by target."),
    }


ORG_SCHEMA: dict[str, Any] = {
    "version": {"type": "integer", "allowed": [1], "required": True, **_meta("Always 1.")},
    "organization": {
        "type": "dict",
        "required": True,
        **_meta("The AWS Organizations estate."),
        "schema": {
            "id": {"type": "string", "regex": ORG_ID, "required": True,
                   **_meta("The organisation id (the RCPs' aws:PrincipalOrgID).", "o-a1b2c3d4e5")},
            "management_account": {
                "type": "dict", "required": True, **_meta("The management account, where the organisation stack runs."),
                "schema": {
                    "id": {"type": "string", "regex": ACCOUNT_ID, "required": True, **_meta("12 digits, quoted.", '"111111111111"')},
                    "region": {"type": "string", "regex": REGION, "default": "us-east-1",
                               **_meta("Region of the organisation stack's provider.", "us-east-1")},
                },
            },
            "deploy_role": {"type": "string", "regex": IAM_NAME, "maxlength": 64, "default": "OrganizationAccountAccessRole",
                            **_meta("The role each member stack assumes in its account; the guardrails exempt it.")},
            "root_access": {"type": "string", "allowed": ["centralized", "none"], "default": "centralized",
                            **_meta("centralized: manage member root credentials and root sessions from the management "
                                    "account (aws_iam_organizations_features).")},
            "allowed_regions": {"type": "list", "schema": {"type": "string", "regex": REGION}, "default": [],
                                **_meta("Regions the region-allow-list guardrail allows.")},
            "units": {
                "type": "dict", "default": {}, "keysrules": {"type": "string", "regex": KEY},
                **_meta("Organizational units by key; `parent` nests one under another (root when left out)."),
                "valuesrules": {"type": "dict", "schema": {
                    "name": {"type": "string", "regex": OU_NAME, "required": True, **_meta("The OU's name.")},
                    "parent": {"type": "string", "regex": KEY, **_meta("Key of the parent OU.")},
                }},
            },
            "accounts": {
                "type": "dict", "required": True, "keysrules": {"type": "string", "regex": KEY},
                **_meta("Member accounts by key (each gets a stack when it gives `spec`)."),
                "valuesrules": {"type": "dict", "schema": {
                    "id": {"type": "string", "regex": ACCOUNT_ID, "required": True, **_meta("12 digits, quoted.")},
                    "name": {"type": "string", "regex": r"[\x20-\x7e]{1,50}", **_meta("Account name (default: the key).")},
                    "email": {"type": "string", "regex": EMAIL, "required": True,
                              **_meta("The account's root email (aws_organizations_account needs it to adopt the account).")},
                    "ou": {"type": "string", "regex": KEY, "required": True, **_meta("Key of the OU the account sits in.")},
                    "purpose": {"type": "string", "allowed": list(PURPOSES), "required": True,
                                **_meta("log-archive, security or workload.")},
                    "spec": {"type": "string", "regex": SPEC_FILE,
                             **_meta("The v1 account spec this account applies, relative to this file.", "acme.yaml")},
                }},
            },
            "policies": {
                "type": "dict", "default": {}, "keysrules": {"type": "string", "regex": GUARDRAIL_ID},
                **_meta("Custom SCPs and RCPs by key: a JSON policy document each."),
                "valuesrules": {"type": "dict", "schema": {
                    "type": {"type": "string", "allowed": ["scp", "rcp"], "required": True, **_meta("scp or rcp.")},
                    "file": {"type": "string", "regex": POLICY_FILE, "required": True,
                             **_meta("The JSON document, relative to this file.")},
                    "description": {"type": "string", "regex": r"[^\x00-\x1f]{0,512}", **_meta("What it is for.")},
                }},
            },
            "trail": {
                "type": "dict",
                **_meta("The organisation trail: a CloudTrail trail of every account, created in the management "
                        "stack, delivering to a bucket and KMS key the log-archive account's stack creates."),
                "schema": {
                    "name": {"type": "string", "regex": TRAIL_NAME, "default": "iamforge-org-trail",
                             **_meta("Trail name (default `iamforge-org-trail`).")},
                    "bucket": {"type": "string", "regex": BUCKET,
                               **_meta("Log bucket name in the log-archive account "
                                       "(default `iamforge-org-trail-<log-archive account id>`).")},
                    # S3's lifecycle Days is a 32-bit integer.
                    "retention_days": {"type": "integer", "min": 1, "max": 2_147_483_647, "default": 365,
                                       **_meta("Days before log objects (and noncurrent versions) expire.")},
                },
            },
            "identity_center": {
                "type": "dict",
                **_meta("IAM Identity Center: every member spec's `permission_set` roles become permission sets, "
                        "assigned to their department's group, in stacks/identity-center (the last wave: the "
                        "member stacks create the boundaries the permission sets name)."),
                "schema": {
                    "region": {"type": "string", "regex": REGION,
                               **_meta("Region of the Identity Center instance (default: the management region).",
                                       "us-east-1")},
                    "abac_attributes": {
                        "type": "dict", "keysrules": {"type": "string", "regex": schema.TAG_KEY_RE},
                        "valuesrules": {"type": "string", "regex": IDC_SOURCE,
                                        **_meta("Where the attribute comes from.", "${path:enterprise.department}")},
                        **_meta("Attributes for access control: session tag key -> identity-store attribute. "
                                "Default: each member spec's ABAC key from `${path:enterprise.department}`.")},
                    "assignments": {
                        "type": "dict", "default": {}, "keysrules": {"type": "string", "regex": IAM_NAME},
                        **_meta("More targets of a permission set (by its name, `<department>-<role>`); it is "
                                "always assigned in the account whose spec declares it."),
                        "valuesrules": {"type": "dict", "schema": {
                            "accounts": {"type": "list", "schema": {"type": "string", "regex": ACCOUNT_REF},
                                         **_meta("Member accounts, by key or 12-digit id.")},
                            "units": {"type": "list", "schema": {"type": "string", "regex": KEY},
                                      **_meta("OUs by key: every account in them and in the OUs below.")},
                        }},
                    },
                },
            },
            "guardrails": _attachments("SCPs"),
            "resource_controls": _attachments("RCPs"),
        },
    },
}


def rule_at(path: list[str | int]) -> dict[str, Any]:
    """The cerberus rule at a document path of the organisation spec ({} when unknown)."""
    return schema.rule_at(path, ORG_SCHEMA)


def allowed_keys(path: list[str | int]) -> list[str] | None:
    """Known keys of the mapping at a document path, or None where any key is allowed."""
    return schema.allowed_keys(path, ORG_SCHEMA)
