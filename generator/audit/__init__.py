"""Audit an existing AWS account: the credential report and the authorization details.

Library entry points (they return data and never print):

* :func:`audit_files` reads a credential report CSV and/or authorization details JSON;
* :func:`audit_aws` fetches both through boto3 (standard credential chain);
* :func:`generator.audit.report.render_text` renders the grouped text report.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from generator.audit.context import AuditOptions
from generator.audit.credentials import parse_credential_report
from generator.audit.details import AccountDetails, parse_details
from generator.audit.run import AuditResult, run_audit
from generator.errors import UsageError
from generator import inputs
from generator.inputs import read_json, read_text

__all__ = ["AuditOptions", "AuditResult", "audit_aws", "audit_files", "fixture_findings", "load_details", "options"]


def options(as_of: date | None = None, max_key_age: int = 90, max_unused: int = 90,
            stale_days: int = 90) -> AuditOptions:
    """Audit thresholds (days), judged at the end of ``as_of`` (UTC; now when None)."""
    for name, value in (("max-key-age", max_key_age), ("max-unused", max_unused), ("stale-days", stale_days)):
        if value < 1:
            raise UsageError(f"--{name} must be at least 1 day, got {value}")
    return AuditOptions.at(as_of, max_key_age=max_key_age, max_unused=max_unused, stale_days=stale_days)


def load_details(path: str | Path) -> AccountDetails:
    """Authorization details from a JSON file (``aws iam get-account-authorization-details``).

    Raises:
        UsageError: when the file cannot be read, is not JSON or not authorization details; the
            message names the file and, for a bad entry, where it is (``RoleDetailList[0]: missing Arn``).
    """
    data = read_json(path, "a get-account-authorization-details JSON file", inputs.MAX_DETAILS_BYTES)
    return parse_details(data, str(path))


def with_permission_sets(details: AccountDetails | None, identity_center: str, session: Any = None) -> AccountDetails:
    """``details`` plus the roles IAM Identity Center provisions for its permission sets
    (``identity_center``: ``aws`` or a JSON file, see generator.audit.identity_center): those
    assigned in the details' account, judged with that account's customer managed policies and
    boundaries; without details, each permission set in the first account it is assigned in.
    A role the details already hold (Identity Center provisioned it) is kept as read."""
    from generator.audit.identity_center import is_identity_center_role, load_identity_center, permission_set_name
    from generator.audit.identity_center import provisioned_roles

    records, _ = load_identity_center(identity_center, session)
    if details is None:
        details = AccountDetails("", {}, {}, {}, {}, "aws:identity-center" if identity_center == "aws"
                                 else str(identity_center))
    have = {permission_set_name(r.name) for r in details.roles.values() if is_identity_center_role(r)}
    for role in provisioned_roles(records, details.account_id or None):
        if permission_set_name(role.name) not in have:
            details.roles[role.name] = role
    return details


def audit_files(credential_report: str | Path | None = None, authorization_details: str | Path | None = None,
                opts: AuditOptions | None = None, identity_center: str | None = None) -> AuditResult:
    """Audit from files; at least one of them must be given. ``identity_center`` (a JSON file or
    ``aws``) adds the permission sets as the roles they become (:func:`with_permission_sets`).

    Raises:
        UsageError: when none is given, a file is missing or it is not what it should be.
    """
    if credential_report is None and authorization_details is None and identity_center is None:
        raise UsageError("give --credential-report FILE.csv, --authorization-details FILE.json, "
                         "--identity-center FILE.json or --from-aws")
    opts = opts or options()
    rows = None
    if credential_report is not None:
        rows = parse_credential_report(read_text(credential_report, "a credential report CSV"), str(credential_report))
    details = load_details(authorization_details) if authorization_details is not None else None
    if identity_center is not None:
        details = with_permission_sets(details, identity_center)
    return run_audit(details, rows, opts, str(credential_report or ""))


def audit_aws(session: Any = None, opts: AuditOptions | None = None, identity_center: str | None = None) -> AuditResult:
    """Fetch the credential report (generating it and waiting), the authorization details and the
    compute resources with their roles (Lambda functions, EC2 instances' profiles), then audit.

    Raises:
        ToolError: when the AWS API cannot be reached or refuses.
    """
    from generator.audit.fetch import authorization_details, compute_inventory, credential_report, iam_client

    iam = iam_client(session)
    data = authorization_details(iam)
    details = parse_details(data, "aws")
    details.source = f"aws:{details.account_id or 'account'}"
    details.compute = compute_inventory(iam, details.account_id, session)
    if identity_center is not None:
        details = with_permission_sets(details, identity_center, session)
    rows = parse_credential_report(credential_report(iam), "aws credential report")
    return run_audit(details, rows, opts or options(), f"{details.source}:credential-report")


def fixture_findings(path: str | Path) -> list:
    """Findings for a rule fixture (``tests/rules/CRED-*/fail.yaml``): a YAML mapping with ``as_of``
    and ``credential_report`` (CSV text) and/or ``authorization_details`` (the JSON as YAML)."""
    import yaml

    data = yaml.safe_load(read_text(path, "a rule fixture YAML file")) or {}
    as_of = data.get("as_of")
    opts = options(date.fromisoformat(as_of) if isinstance(as_of, str) else as_of)
    rows = parse_credential_report(data["credential_report"], str(path)) if "credential_report" in data else None
    details = parse_details(data["authorization_details"], str(path)) if "authorization_details" in data else None
    return run_audit(details, rows, opts, str(path)).findings
