"""Regression tests for the validator gaps a review found (each case is examples/acme.yaml with one change)."""
from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path

import yaml

from generator.findings import Finding, Severity
from generator.rules.engine import validate_spec
from generator.spec import load_spec_text

ACME = yaml.safe_load((Path(__file__).parents[2] / "examples" / "acme.yaml").read_text(encoding="utf-8"))
TODAY = date(2026, 6, 1)
FORCE_MFA = "arn:aws:iam::111122223333:policy/iamforge/iamforge-force-mfa"


def acme_with(change: Callable[[dict], None]) -> list[Finding]:
    """Findings (suppressed ones left out) for examples/acme.yaml after ``change`` edits it."""
    data = copy.deepcopy(ACME)
    change(data)
    spec = load_spec_text(yaml.safe_dump(data, sort_keys=False), "acme-variant.yaml")
    return [f for f in validate_spec(spec, today=TODAY) if not f.suppressed]


def at(findings: list[Finding], rule_id: str) -> dict[str, Finding]:
    return {f.path: f for f in findings if f.rule_id == rule_id}


def dept(data: dict, key: str) -> dict:
    return data["departments"][key]


def role(data: dict, department: str, key: str) -> dict:
    return dept(data, department)["roles"][key]


def test_unmodified_acme_has_no_unsuppressed_errors() -> None:
    assert [f for f in acme_with(lambda d: None) if f.severity == Severity.ERROR] == []


# 1. A department group is a principal of its own, members or not.

def test_group_policy_of_department_without_users_is_checked() -> None:
    def change(d: dict) -> None:
        dept(d, "security")["permissions"] = [{"actions": ["iam:*"], "resources": ["*"]}]
        dept(d, "security").pop("users", None)

    findings = acme_with(change)
    for rule_id in ("PRV-003", "PRV-005", "PRV-007", "PB-003", "PB-004"):
        assert "departments.security.permissions" in at(findings, rule_id), rule_id
    assert "group security" in at(findings, "PRV-005")["departments.security.permissions"].message


def test_group_policy_beyond_members_boundary_is_still_checked() -> None:
    # engineering's users are bounded; the group policy reaches whoever joins the group, bounded or not.
    def change(d: dict) -> None:
        dept(d, "engineering")["permissions"] = [{"actions": ["iam:AttachUserPolicy"], "resources": ["*"]}]

    assert "departments.engineering.permissions" in at(acme_with(change), "PRV-005")


def test_group_without_boundary_is_not_a_pb001_finding() -> None:
    # IAM has no boundary for groups: PB-001 judges the members.
    def change(d: dict) -> None:
        dept(d, "security")["permissions"] = [{"actions": ["s3:PutObject"], "resources": ["arn:aws:s3:::acme-audit/*"]}]

    findings = acme_with(change)
    assert not [f for f in findings if f.rule_id == "PB-001" and "group" in f.message]
    assert [f for f in findings if f.severity == Severity.ERROR] == []


# 2. managed_policies: foreign ARNs are errors, undefined customer policies are not vouched for.

def test_other_accounts_policy_arn_is_an_error() -> None:
    def change(d: dict) -> None:
        role(d, "engineering", "developer")["managed_policies"] = ["arn:aws:iam::999988887777:policy/Admin"]

    found = at(acme_with(change), "SPEC-019")
    path = "departments.engineering.roles.developer.managed_policies[0]"
    assert path in found and "999988887777" in found[path].message
    assert found[path].severity == Severity.ERROR


def test_other_partitions_policy_arn_is_an_error() -> None:
    def change(d: dict) -> None:
        role(d, "security", "auditor")["managed_policies"] = ["arn:aws-cn:iam::aws:policy/SecurityAudit"]

    assert "departments.security.roles.auditor.managed_policies[0]" in at(acme_with(change), "SPEC-019")


def test_undefined_same_account_policy_is_not_vouched_for() -> None:
    def change(d: dict) -> None:
        role(d, "engineering", "developer")["managed_policies"] = ["arn:aws:iam::111122223333:policy/Whatever"]

    findings = acme_with(change)
    path = "departments.engineering.roles.developer.managed_policies[0]"
    assert "customer managed policy the spec does not define" in at(findings, "PRV-020")[path].message
    assert path not in at(findings, "SPEC-019")


def test_spec_generated_policy_attached_as_managed_is_analysed() -> None:
    def change(d: dict) -> None:
        role(d, "engineering", "developer")["managed_policies"] = [FORCE_MFA]

    assert at(acme_with(change), "PRV-020") == {}


# 3. Final tags: case-insensitive keys, the ABAC key set outside tag_value.

def test_role_tag_key_differing_in_case_from_abac_key() -> None:
    def change(d: dict) -> None:
        role(d, "engineering", "developer")["tags"] = {"department": "Finance"}

    findings = acme_with(change)
    path = "departments.engineering.roles.developer.tags"
    assert path in at(findings, "SPEC-015")
    assert path in at(findings, "TAG-002")


def test_department_tag_colliding_with_common_tag_is_placed_at_the_department() -> None:
    def change(d: dict) -> None:
        dept(d, "finance")["tags"] = {"managedby": "me"}

    assert "departments.finance.tags" in at(acme_with(change), "SPEC-015")


def test_abac_key_in_common_or_department_tags_is_a_warning() -> None:
    def change(d: dict) -> None:
        d["tags"]["common"]["Department"] = "Finance"
        dept(d, "engineering")["tags"] = {"Department": "Finance"}

    found = at(acme_with(change), "TAG-002")
    assert found["tags.common"].severity == Severity.WARNING
    assert found["departments.engineering.tags"].severity == Severity.WARNING


def test_role_overriding_abac_value_exactly_is_still_an_error() -> None:
    def change(d: dict) -> None:
        role(d, "engineering", "developer")["tags"] = {"Department": "Finance"}

    found = at(acme_with(change), "TAG-002")
    assert found["departments.engineering.roles.developer.tags"].severity == Severity.ERROR


# 4. The force-MFA policy is protected like the boundaries.

def test_new_version_of_force_mfa_policy_is_seen() -> None:
    def change(d: dict) -> None:
        role(d, "security", "auditor")["permissions"] = [
            {"actions": ["iam:CreatePolicyVersion"], "resources": [FORCE_MFA]}]

    findings = acme_with(change)
    assert "departments.security.roles.auditor" in at(findings, "PB-004")
    assert "departments.security.roles.auditor" in at(findings, "PRV-005")


def test_new_default_version_of_policy_attached_to_another_role_is_an_escalation() -> None:
    shared = "arn:aws:iam::111122223333:policy/shared-read"

    def change(d: dict) -> None:
        role(d, "finance", "analyst")["managed_policies"] = [shared]
        role(d, "security", "auditor")["permissions"] = [
            {"actions": ["iam:SetDefaultPolicyVersion"], "resources": [shared]}]

    assert "departments.security.roles.auditor" in at(acme_with(change), "PRV-005")


def test_policy_version_on_unattached_policy_is_not_an_escalation() -> None:
    def change(d: dict) -> None:
        role(d, "security", "auditor")["permissions"] = [
            {"actions": ["iam:CreatePolicyVersion"], "resources": ["arn:aws:iam::111122223333:policy/team/scratch"]}]

    findings = acme_with(change)
    assert "departments.security.roles.auditor" not in at(findings, "PRV-005")
    assert "departments.security.roles.auditor" not in at(findings, "PB-004")


# 5. Trust: the own account as a "third party"; TRU-001's message names what is wrong.

def test_external_account_equal_to_own_account_is_flagged() -> None:
    def change(d: dict) -> None:
        role(d, "security", "auditor")["trust"]["external_account"]["account_id"] = "111122223333"

    assert "departments.security.roles.auditor.trust.external_account.account_id" in at(acme_with(change), "TRU-003")


def test_wildcard_in_principal_name_is_not_described_as_any_account() -> None:
    from generator.rules.engine import check_documents

    def tru001(principal: str) -> str:
        doc = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]}
        [finding] = [f for f in check_documents([("trust.json", "trust", doc)]) if f.rule_id == "TRU-001"]
        return finding.message

    assert "any account" not in tru001("arn:aws:iam::111122223333:user/al*")
    assert "in its name" in tru001("arn:aws:iam::111122223333:user/al*")
    assert "any account may match it" in tru001("arn:aws:iam::*:root")
