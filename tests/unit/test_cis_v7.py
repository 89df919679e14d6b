"""CIS AWS Foundations Benchmark v7.0: the generated alarms, the resource policies and the rule references.

v7.0 moved the monitoring controls from v3.0's section 4 to section 5 (5.1-5.15 carry metric
filters, 5.16 is Security Hub enabled), the logging controls from section 3 to 4 and IAM from
section 1 to 2; 2.21 forbids resource policies that allow an unconstrained ``Principal: "*"``.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.policies import build
from generator.render.cis import CIS_ALARMS
from generator.render.pipeline import module_contexts
from generator.rules import registry
from generator.spec import load_spec

REPO = Path(__file__).resolve().parents[2]

# The subjects iamforge alarmed on under v3.0 (4.1-4.15), in order: v7.0 5.1-5.15 keep them.
SLUGS = (
    "unauthorized_api_calls", "console_signin_without_mfa", "root_usage", "iam_policy_changes",
    "cloudtrail_changes", "console_auth_failures", "cmk_disable_or_deletion", "s3_bucket_policy_changes",
    "config_changes", "security_group_changes", "nacl_changes", "network_gateway_changes",
    "route_table_changes", "vpc_changes", "organizations_changes",
)
BY_CONTROL = {a.control: a for a in CIS_ALARMS}


@pytest.fixture(scope="module")
def acme():
    return load_spec(REPO / "examples" / "acme.yaml")


def _events(pattern: str) -> set[str]:
    return {name.strip('"') for name in re.findall(r"\$\.eventName = (\"?\w+\"?)", pattern)}


def test_alarms_are_v7_controls_5_1_to_5_15_in_order() -> None:
    assert [a.control for a in CIS_ALARMS] == [f"5.{i}" for i in range(1, 16)]
    assert tuple(a.slug for a in CIS_ALARMS) == SLUGS
    assert [a.key for a in CIS_ALARMS] == [f"cis_5_{i:02d}_{s}" for i, s in enumerate(SLUGS, 1)]
    for alarm in CIS_ALARMS:
        assert alarm.description == f"CIS AWS Foundations v7.0 {alarm.control}: {alarm.title}"
        assert alarm.pattern.startswith("{ ") and alarm.pattern.endswith(" }")
        assert alarm.pattern.count("(") == alarm.pattern.count(")")


def test_5_1_excludes_log_delivery_and_head_bucket_with_and() -> None:
    # v3.0's text joined the exclusions with ||, which matched almost every event; v7.0 has &&.
    assert BY_CONTROL["5.1"].pattern == (
        '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && '
        '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }'
    )


def test_5_10_includes_modify_security_group_rules() -> None:
    assert _events(BY_CONTROL["5.10"].pattern) == {
        "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup", "ModifySecurityGroupRules",
    }


def test_5_13_route_tables_scoped_to_ec2() -> None:
    pattern = BY_CONTROL["5.13"].pattern
    assert pattern.startswith("{ ($.eventSource = ec2.amazonaws.com) && (") and pattern.endswith(") }")
    assert len(_events(pattern)) == 7


def test_5_15_organizations_changes() -> None:
    pattern = BY_CONTROL["5.15"].pattern
    assert pattern.startswith("{ ($.eventSource = organizations.amazonaws.com) && (")
    assert len(_events(pattern)) == 18
    assert {"LeaveOrganization", "RemoveAccountFromOrganization", "DetachPolicy"} <= _events(pattern)


def test_acme_generates_every_alarm_with_v7_names(acme) -> None:
    alarms = module_contexts(acme)["cloudtrail"]["alarms"]
    assert sorted(alarms) == sorted(a.key for a in CIS_ALARMS)
    assert alarms["cis_5_01_unauthorized_api_calls"]["name"] == "acme-trail-cis-5-01-unauthorized-api-calls"
    assert alarms["cis_5_15_organizations_changes"]["description"] == (
        "CIS AWS Foundations v7.0 5.15: AWS Organizations changes")


# --- 2.21: no resource policy allows an unconstrained Principal "*" ---------------------------------

# Condition keys that pin who may call (CIS v7.0 2.21 names aws:SourceArn, aws:SourceAccount and
# aws:PrincipalArn; the others narrow the caller the same way).
RESTRICTING_KEYS = {
    "aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths",
    "aws:principalarn", "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths",
    "aws:principalservicename", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceip", "aws:userid",
    "kms:calleraccount",
}


def _is_star(principal) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        for value in principal.values():
            values = value if isinstance(value, list) else [value]
            if "*" in values:
                return True
    return False


def _restricted(condition: dict | None) -> bool:
    """A positive (not negated, not ...IfExists) operator on a key that pins the caller."""
    for operator, pairs in (condition or {}).items():
        if "Not" in operator or operator.endswith("IfExists") or operator == "Null":
            continue
        # kms:EncryptionContext:aws:logs:arn and the like pin a KMS grant to one resource.
        if any(key.lower() in RESTRICTING_KEYS or key.lower().startswith("kms:encryptioncontext:") for key in pairs):
            return True
    return False


def _unrestricted_star_allows(document: dict) -> list[str]:
    return [
        s.get("Sid", "?")
        for s in document["Statement"]
        if s["Effect"] == "Allow" and _is_star(s.get("Principal")) and not _restricted(s.get("Condition"))
    ]


def test_the_2_21_predicate_flags_what_it_must() -> None:
    bad = {"Statement": [{"Sid": "Open", "Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:GetObject"},
                         {"Sid": "Negated", "Effect": "Allow", "Principal": "*", "Action": "sns:Publish",
                          "Condition": {"StringNotEquals": {"aws:SourceAccount": "111122223333"}}}]}
    good = {"Statement": [{"Sid": "Pinned", "Effect": "Allow", "Principal": "*", "Action": "sns:Publish",
                           "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}},
                          {"Sid": "Deny", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*"}]}
    assert _unrestricted_star_allows(bad) == ["Open", "Negated"]
    assert _unrestricted_star_allows(good) == []


def test_resource_policies_allow_no_unrestricted_star_principal(acme) -> None:
    docs = {k: d for k, d in build(acme).docs.items() if d.kind == "resource"}
    assert {"cloudtrail.bucket", "cloudtrail.kms", "cloudtrail.sns"} <= set(docs)
    stars = 0
    for key, doc in docs.items():
        stars += sum(_is_star(s.get("Principal")) for s in doc.document["Statement"])
        assert _unrestricted_star_allows(doc.document) == [], key
    assert stars, "the bucket's deny statements name Principal * and must be seen by the check"


def test_service_grants_in_resource_policies_are_pinned(acme) -> None:
    """Every service grant names this trail or account (confused deputy), but one: KMS gets no
    source context when CloudWatch publishes an alarm to the encrypted topic."""
    unpinned = []
    for key, doc in build(acme).docs.items():
        if doc.kind != "resource":
            continue
        for s in doc.document["Statement"]:
            if s["Effect"] == "Allow" and "Service" in (s.get("Principal") or {}) and not _restricted(s.get("Condition")):
                unpinned.append((key, s["Sid"]))
    assert unpinned == [("cloudtrail.kms", "AllowCloudWatchAlarmsEncryptedTopic")]


# --- rule references ---------------------------------------------------------------------------------

# Every family that cites CIS (POL cites none).
OWN_FAMILIES = {"AA", "ACCT", "CRED", "LOG", "MFA", "PB", "PRV", "PWD", "SPEC", "TAG", "TRU"}
VERSIONED = re.compile(r"^CIS (AWS Foundations )?v\d+\.\d+ ")


@pytest.mark.parametrize("rule", [r for r in registry.all_rules() if r.family in OWN_FAMILIES], ids=lambda r: r.id)
def test_cis_references_name_their_version(rule) -> None:
    cited = [ref for ref in rule.references if ref.startswith("CIS")]
    doc = registry.doc_path(rule.id).read_text(encoding="utf-8")
    listed = [line[2:] for line in doc.split("## References", 1)[1].splitlines() if line.startswith("- CIS")]
    for ref in cited + listed:
        assert VERSIONED.match(ref), f"{rule.id}: {ref!r} names no benchmark version"


@pytest.mark.parametrize(("rule_id", "reference"), [
    ("AA-001", "CIS AWS Foundations v7.0 2.18"),
    ("CRED-001", "CIS AWS Foundations v7.0 2.4"),
    ("CRED-002", "CIS AWS Foundations v7.0 2.5, 2.6"),
    ("CRED-003", "CIS AWS Foundations v7.0 2.10"),
    ("CRED-004", "CIS AWS Foundations v7.0 2.12"),
    ("CRED-005", "CIS AWS Foundations v7.0 2.11"),
    ("CRED-006", "CIS AWS Foundations v7.0 2.11"),
    ("LOG-001", "CIS AWS Foundations v7.0 4.1"),
    ("LOG-004", "CIS AWS Foundations v7.0 4.2"),
    ("LOG-015", "CIS AWS Foundations v7.0 5.1-5.15"),
    ("MFA-001", "CIS AWS Foundations v7.0 2.10"),
    ("PWD-001", "CIS AWS Foundations v7.0 2.8"),
    ("PWD-002", "CIS AWS Foundations v7.0 2.9"),
    ("TRU-001", "CIS AWS Foundations v7.0 2.21"),
])
def test_v7_numbers_in_rules_explain(rule_id: str, reference: str) -> None:
    explained = registry.explain(rule_id)
    header = explained.split("\n\n", 1)[0]
    assert reference in header and reference in explained.split("## References", 1)[1]


def test_readme_names_v7_alarms_and_the_45_day_audit() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "CIS v7.0 5.1-5.15" in readme and "CIS 4.1-4.15" not in readme
    assert "--max-unused 45" in readme
