"""Authorization details: the account model, effective permissions, the rules on real principals, the report."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import quote

from generator.audit import audit_files, load_details, options
from generator.audit.context import account_principals
from generator.audit.details import parse_details
from generator.audit.report import render_text, summary_line

DETAILS = Path(__file__).resolve().parents[1] / "fixtures" / "audit" / "authorization_details.json"
AS_OF = date(2026, 6, 1)


def principals() -> dict:
    return {p.path: p for p in account_principals(load_details(DETAILS))}


def test_model_reads_the_cli_json() -> None:
    details = load_details(DETAILS)
    assert details.account_id == "111122223333"
    assert details.users["dev"].groups == ["developers"]
    assert details.roles["bounded-dev"].boundary.endswith(":policy/eng-boundary")
    # The default version, not the first one listed.
    assert details.policies["arn:aws:iam::111122223333:policy/eng-boundary"].document["Statement"][0]["Action"] == ["s3:*", "logs:*"]
    assert details.roles["old-report"].last_used.date() == date(2025, 11, 1)
    assert details.members("developers") == ["dev"]


def test_url_encoded_documents_and_missing_policy_names_are_read() -> None:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    data = {"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r",
                                "AssumeRolePolicyDocument": quote(json.dumps(doc))}],
            "Policies": [{"Arn": "arn:aws:iam::123456789012:policy/p", "PolicyVersionList": [
                {"Document": quote(json.dumps(doc)), "VersionId": "v1", "IsDefaultVersion": True}]}]}
    details = parse_details(data)
    assert details.roles["r"].trust == doc
    assert details.policies["arn:aws:iam::123456789012:policy/p"].name == "p"  # moto omits PolicyName


def test_effective_permissions_follow_groups_managed_policies_and_boundaries() -> None:
    views = principals()
    assert views["user/dev"].permissions.allowed("iam:CreatePolicyVersion")  # through group developers
    assert not views["user/auditor"].permissions.allowed("iam:CreatePolicyVersion")
    assert views["user/auditor"].permissions.allowed("ec2:DescribeInstances")  # AWS managed, document from the details
    assert views["role/legacy-admin"].permissions.allowed("iam:CreateUser")  # AdministratorAccess, curated copy
    bounded = views["role/bounded-dev"].permissions
    assert bounded.allowed("s3:GetObject") and not bounded.allowed("iam:PassRole")  # outside the boundary
    assert "role/AWSServiceRoleForSupport" not in views  # service-linked: AWS's own


def test_authorization_findings_are_exact() -> None:
    findings = audit_files(authorization_details=DETAILS, opts=options(AS_OF)).findings
    assert {(f.rule_id, f.path) for f in findings} == {
        ("ACCT-001", "role/old-report"),
        ("ACCT-002", "role/legacy-admin"),
        ("PB-001", "group/developers"),
        ("PB-001", "role/ci-deployer"),
        ("PB-001", "role/engineering-app"),
        ("PB-001", "role/legacy-admin"),
        ("PB-001", "user/dev"),
        ("PB-002", "role/legacy-admin"),
        ("PB-003", "role/legacy-admin"),
        ("PB-008", "role/bounded-dev/inline/dev"),
        ("PRV-001", "role/legacy-admin/attached/AdministratorAccess"),
        ("PRV-005", "group/developers"),
        ("PRV-005", "role/ci-deployer"),
        ("PRV-005", "role/legacy-admin"),
        ("PRV-005", "user/dev"),
        ("PRV-006", "role/ci-deployer/attached/ci-pass-anything"),
        ("PRV-006", "role/legacy-admin/attached/AdministratorAccess"),
        ("PRV-007", "group/developers/inline/policy-versions"),
        ("PRV-007", "role/ci-deployer/attached/ci-pass-anything"),
        ("PRV-007", "user/dev/group/developers/inline/policy-versions"),
        ("PRV-010", "role/bounded-dev/inline/dev"),
        ("PRV-011", "group/developers/inline/policy-versions"),
        ("PRV-011", "role/bounded-dev/inline/dev"),
        ("PRV-011", "role/ci-deployer/attached/ci-pass-anything"),
        ("PRV-011", "user/dev/group/developers/inline/policy-versions"),
        ("PRV-012", "role/legacy-admin/attached/AdministratorAccess"),
        ("PRV-016", "role/ci-deployer/trust"),  # assumed by ec2.amazonaws.com and able to escalate
        ("PRV-018", "role/legacy-admin/attached/AdministratorAccess"),
        ("PRV-019", "role/legacy-admin/attached/AdministratorAccess"),
        ("TRU-002", "role/legacy-admin/trust/Statement[0].Principal"),
        ("TRU-009", "role/ci-deployer/trust/Statement[0].Principal"),
        ("TRU-009", "role/engineering-app/trust/Statement[0].Principal"),
        ("TRU-009", "role/old-report/trust/Statement[0].Principal"),
    }
    escalation = next(f for f in findings if f.rule_id == "PRV-005" and f.path == "role/ci-deployer")
    assert "iam:PassRole" in escalation.message and "ec2:RunInstances" in escalation.message
    assert all(f.file == str(DETAILS) for f in findings)


def test_safe_principals_have_no_privilege_findings() -> None:
    findings = audit_files(authorization_details=DETAILS, opts=options(AS_OF)).findings
    app = {f.rule_id for f in findings if f.path.startswith("role/engineering-app")}
    assert app == {"PB-001", "TRU-009"}  # writes without a boundary; lambda trust without SourceAccount
    assert not [f for f in findings if f.path.startswith("user/auditor")]


def test_text_report_groups_by_principal_worst_first() -> None:
    result = audit_files(authorization_details=DETAILS, opts=options(AS_OF))
    text = render_text(result.findings, result.account_id, "2026-06-01")
    heads = [line for line in text.splitlines() if line and not line.startswith(" ")][:-1]
    assert heads[0].startswith("role/legacy-admin (")
    assert heads[-1] == "role/old-report (2)"  # warnings only, fewest findings
    block = text.split("role/bounded-dev (")[1].split("\n\n")[0].splitlines()[1:]
    # PassRole outside the boundary is PB-008's (never effective), not a permissions-management grant
    # s3:GetObject on "*": every object is readable (PRV-010, an error); AWS lets it name an object or
    # an access point's, so PRV-011 only warns
    assert [line.split()[0] for line in block] == ["error", "warning", "info"]
    last = text.rstrip("\n").splitlines()[-1]
    assert last == summary_line(result.findings, "111122223333", "2026-06-01")
    assert last.startswith("iamforge audit of account 111122223333 as of 2026-06-01: 24 error(s), 9 warning(s), 2 info "
                           "in 7 principal(s); PB-001 x5, PRV-005 x4, ")
