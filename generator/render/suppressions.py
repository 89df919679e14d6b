"""Every checkov check the generated Terraform suppresses inline, with its reason.

A suppression is written into a resource block as ``# checkov:skip=<ID>:<reason>``
only when the check cannot apply to what the spec asks for; blueprints/SUPPRESSIONS.md
lists each one (a unit test keeps the two in step). Each entry here is keyed by where
it is used: ``<module>.<resource>``.
"""
from __future__ import annotations

from dataclasses import dataclass

from generator.spec.model import Spec, generated_modules


@dataclass(frozen=True)
class Suppression:
    """One inline checkov suppression."""

    check_id: str
    reason: str


S = Suppression
_BOUNDARY = "permissions boundary: a ceiling intersected with identity policies, grants nothing by itself"
_OPTIONAL = ('actions granted on "*" that AWS lets run on no named resource (their resource types are optional '
             "in AWS's reference): iamforge PRV-011 reports each as a warning; actions that always name one are "
             "its errors")
_REPLICATION = "cross-region replication needs a second bucket in another region, outside this baseline"

SUPPRESSIONS: dict[str, tuple[Suppression, ...]] = {
    "departments.users": (
        S(
            "CKV_AWS_273",
            "the spec declares these console users; identity federation is out of scope of a single-account baseline",
        ),
    ),
    # Written only when every whole-account principal is conditioned (see roles_context).
    "roles.account_principals": (
        S(
            "CKV_AWS_61",
            "account principals are conditioned on MFA or sts:ExternalId in the trust policy, "
            "which this check does not read",
        ),
    ),
    # Written only when an inline policy of the module grants such actions (see roles_context).
    "roles.optional_resources": (S("CKV_AWS_355", _OPTIONAL),),
    "departments.optional_resources": (S("CKV_AWS_355", _OPTIONAL),),
    # checkov's IAM checks read a boundary as a grant.
    "boundaries.policy": tuple(
        S(check, _BOUNDARY)
        for check in ("CKV_AWS_286", "CKV_AWS_287", "CKV_AWS_288", "CKV_AWS_289", "CKV_AWS_290", "CKV_AWS_355",
                      "CKV2_AWS_40")
    ),
    # The break-glass role is the one role meant to hold AdministratorAccess (PRV-030 checks its controls).
    "privileged.break_glass": (
        S("CKV_AWS_274", "break-glass: AdministratorAccess for emergencies, assumed only by named users with fresh "
                         "MFA, one-hour sessions, alarmed on every use"),
    ),
    "cloudtrail.trail": (
        S("CKV_AWS_252", "log-file delivery notifications would flood the alarm topic; alarms publish to it instead"),
    ),
    "cloudtrail.bucket": (
        S("CKV_AWS_144", _REPLICATION),
        S(
            "CKV2_AWS_62",
            "no consumer for object notifications: CloudTrail digest files and log file validation prove delivery",
        ),
    ),
    "organization.trail": (
        S("CKV_AWS_252", "log-file delivery notifications of every account's events would flood any topic; "
                         "log file validation proves delivery"),
        S("CKV2_AWS_10", "the organisation trail goes to the log-archive bucket only; each member account's "
                         "own trail (its account spec's cloudtrail) feeds that account's log group and CIS alarms"),
    ),
    "organization_trail.bucket": (
        S("CKV_AWS_144", _REPLICATION),
        S("CKV2_AWS_62", "no consumer for object notifications: CloudTrail digest files and log file validation "
                         "prove delivery"),
    ),
    "cloudtrail.access_log_bucket": (
        S("CKV_AWS_144", _REPLICATION),
        S("CKV2_AWS_62", "no consumer for object notifications on access logs"),
        S("CKV_AWS_145", "S3 server access logging delivers only to buckets encrypted with SSE-S3, not SSE-KMS"),
    ),
    "organization_trail.access_log_bucket": (
        S("CKV_AWS_144", _REPLICATION),
        S("CKV2_AWS_62", "no consumer for object notifications on access logs"),
        S("CKV_AWS_145", "S3 server access logging delivers only to buckets encrypted with SSE-S3, not SSE-KMS"),
    ),
}


def exception_skips(spec: Spec) -> dict[str, tuple[Suppression, ...]]:
    """The spec's ``exceptions:`` for checkov checks, by the generated module they go into: each
    written as ``checkov:skip`` with the entry's reason and expiry into every resource block of
    that module (a block holds every instance of its ``for_each``: all roles, all users)."""
    out: dict[str, list[Suppression]] = {}
    for exc in spec.exceptions:
        if not exc.checkov:
            continue
        reason = f"{exc.reason} (iamforge {exc.spec_path} at {exc.path}, expires {exc.expires.isoformat()})"
        for module in generated_modules(exc.path):
            out.setdefault(module, []).append(Suppression(exc.rule.upper(), reason))
    return {m: tuple(dict.fromkeys(s)) for m, s in out.items()}


def suppressions(key: str) -> tuple[Suppression, ...]:
    """The suppressions registered under ``key`` (KeyError when there are none)."""
    return SUPPRESSIONS[key]
