"""A synthetic spec of any size: D departments with R roles each, every trust kind, ABAC, boundaries.

The spec is what a large organisation writes by hand: each department has its own permission
boundary, an owner, two console users, and roles that cycle through the five trust kinds (own
account with MFA, a third-party account with an external id, GitHub OIDC, an AWS service, and
a role chained from another role). Every role carries 2-3 scoped permission statements, ABAC
actions and, for some, an AWS managed policy, so documents are of realistic size.
"""
from __future__ import annotations

from typing import Any

import yaml

ACCOUNT = "111122223333"
THIRD_PARTY = "444455556666"
SERVICES = ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "ec2.amazonaws.com", "states.amazonaws.com"]
MANAGED = ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/SecurityAudit"]
TRUST_KINDS = ("account_mfa", "external_account", "github_oidc", "service", "role_chain")


def _trust(kind: str, dept: str, index: int) -> dict[str, Any]:
    """One trust block of ``kind`` for role ``index`` of department ``dept``."""
    if kind == "account_mfa":
        return {"aws_principals": [f"arn:aws:iam::{ACCOUNT}:root"], "require_mfa": True}
    if kind == "external_account":
        return {"external_account": {"account_id": THIRD_PARTY, "external_id": f"{dept}-audit-{index:04d}"}}
    if kind == "github_oidc":
        return {"github_oidc": {"subjects": [f"repo:acme/{dept}-svc{index}:ref:refs/heads/main",
                                             f"repo:acme/{dept}-svc{index}:environment:production"]}}
    if kind == "service":
        return {"services": [SERVICES[index % len(SERVICES)]]}
    return {"aws_principals": [f"arn:aws:iam::{ACCOUNT}:role/{dept}/{dept}-r000"], "require_mfa": True}


def _permissions(dept: str, index: int) -> list[dict[str, Any]]:
    """Scoped statements on the department's own buckets, tables, functions and queues."""
    bucket = f"arn:aws:s3:::acme-{dept}-data{index}"
    region = "us-east-1"
    grants: list[dict[str, Any]] = [
        {"sid": "ReadData", "actions": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
         "resources": [bucket, f"{bucket}/*"]},
        {"sid": "Tables", "actions": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
         "resources": [f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{dept}-t{index}",
                       f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{dept}-t{index}/index/*"]},
    ]
    if index % 2 == 0:
        grants.append({"sid": "Queues", "actions": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
                       "resources": [f"arn:aws:sqs:{region}:{ACCOUNT}:{dept}-q{index}"]})
    return grants


def _role(dept: str, index: int) -> dict[str, Any]:
    """Role ``index`` of ``dept``; the trust kind cycles so every kind appears in every department."""
    kind = TRUST_KINDS[index % len(TRUST_KINDS)]
    role: dict[str, Any] = {
        "description": f"{dept} role {index} ({kind})",
        "max_session_hours": 1 + index % 4,
        "trust": _trust(kind, dept, index),
        "abac": {"actions": ["ec2:StartInstances", "ec2:StopInstances", "s3:PutObject"]},
        "permissions": _permissions(dept, index),
    }
    if index % 3 == 0:
        role["managed_policies"] = [MANAGED[index % len(MANAGED)]]
    if index == 1:
        role["can_create_roles"] = True
    return role


def synthetic_spec(departments: int, roles_per_department: int) -> dict[str, Any]:
    """The spec as data: ``departments`` x ``roles_per_department`` roles."""
    boundaries: dict[str, Any] = {}
    depts: dict[str, Any] = {}
    for d in range(departments):
        dept = f"d{d:04d}"
        boundaries[dept] = {
            "description": f"Ceiling for {dept}",
            "allow": [
                {"actions": ["s3:*", "dynamodb:*", "sqs:*", "logs:*", "ec2:Describe*", "ec2:StartInstances",
                             "ec2:StopInstances"], "resources": ["*"]},
            ],
            "regions": ["us-east-1", "eu-west-1"],
        }
        depts[dept] = {
            "tag_value": f"Dept{d:04d}",
            "boundary": dept,
            "owner": f"{dept}-owners@acme.example",
            "users": [f"{dept}-alice", f"{dept}-bob"],
            "roles": {f"r{r:03d}": _role(dept, r) for r in range(roles_per_department)},
        }
    return {
        "version": 1,
        "account": {"id": ACCOUNT, "alias": "acme-bench", "regions": ["us-east-1", "eu-west-1"]},
        "tags": {"abac_key": "Department", "required": ["Department", "Owner"], "common": {"ManagedBy": "iamforge"}},
        "mfa": {"enforce": True, "max_age_seconds": 3600},
        "boundaries": boundaries,
        "departments": depts,
        "access_analyzer": {"external_access": True},
        "cloudtrail": {"name": "acme-trail", "bucket": {"name": f"acme-cloudtrail-{ACCOUNT}"},
                       "alarms": {"email": "secops@acme.example", "cis": True}},
    }


def shape(roles: int, roles_per_department: int = 10) -> tuple[int, int]:
    """(departments, roles per department) for a total of ``roles`` (at least one department)."""
    per = min(roles_per_department, roles)
    return max(1, roles // per), per


def synthetic_yaml(roles: int, roles_per_department: int = 10) -> str:
    """The YAML text of a spec with ``roles`` roles in departments of ``roles_per_department``."""
    departments, per = shape(roles, roles_per_department)
    return yaml.safe_dump(synthetic_spec(departments, per), sort_keys=False, width=200)
