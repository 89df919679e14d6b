"""Deny and conditions (issue 17): the privilege rules judge what is left after explicit Denies,
and a statement whose condition can never hold grants nothing.

Every input here is written for this file: raw documents for check-policy (one document, and
several files as one principal), specs for validate, and authorization details for audit.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from generator.analysis.conditions import always_true, never_true
from generator.analysis.document import Condition, normalize
from generator.analysis.effective import PermissionSet, Source
from generator.api import check_policy_principal, check_spec
from generator.audit import options
from generator.audit.details import parse_details
from generator.audit.run import run_audit
from generator.rules.engine import check_documents
from generator.spec import load_spec

AS_OF = date(2026, 6, 1)
ACCOUNT = "111122223333"
ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
DENY_ALL = {"Effect": "Deny", "Action": "*", "Resource": "*"}
PAST = {"DateLessThan": {"aws:CurrentTime": "2019-01-01T00:00:00Z"}}


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def prv(findings: list) -> set[tuple[str, str]]:
    return {(f.rule_id, f.path) for f in findings if f.rule_id.startswith("PRV")}


def prv_ids(findings: list) -> set[str]:
    return {f.rule_id for f in findings if f.rule_id.startswith("PRV")}


def one_document(*statements: dict) -> list:
    return check_documents([("p.json", "identity", policy(*statements))])


def as_principal(tmp_path: Path, *documents: dict) -> list:
    files = []
    for i, doc in enumerate(documents):
        path = tmp_path / f"policy{i}.json"
        path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
        files.append(str(path))
    return check_policy_principal(files, today=AS_OF).findings


def conds(block: dict) -> tuple[Condition, ...]:
    return normalize(policy({**ALLOW_ALL, "Condition": block})).statements[0].conditions


# -- check-policy: one document ------------------------------------------------------------------

def test_allow_all_beside_deny_all_in_one_document_gives_no_privilege_finding() -> None:
    assert prv(one_document(ALLOW_ALL)) >= {("PRV-001", "Statement[0].Action"), ("PRV-005", "Statement[0].Action")}
    assert prv(one_document(ALLOW_ALL, DENY_ALL)) == set()


def test_iam_star_beside_deny_iam_star_gives_no_privilege_finding() -> None:
    allow = {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}
    assert {"PRV-003", "PRV-005", "PRV-007"} <= prv_ids(one_document(allow))
    assert prv(one_document(allow, {"Effect": "Deny", "Action": "iam:*", "Resource": "*"})) == set()


def test_a_partial_deny_keeps_the_rest_judged() -> None:
    # Allow * less iam:* is not full admin (PRV-001) but still Action "*" (PRV-002), and EC2 user data still escalates.
    found = prv(one_document(ALLOW_ALL, {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}))
    assert ("PRV-001", "Statement[0].Action") not in found
    assert {("PRV-002", "Statement[0].Action"), ("PRV-005", "Statement[0].Action")} <= found
    message = next(f.message for f in one_document(ALLOW_ALL, {"Effect": "Deny", "Action": "iam:*", "Resource": "*"})
                   if f.rule_id == "PRV-002")
    assert "less what p.json Statement[1] denies" in message
    # iam:* less the deletes: still a service wildcard with permissions management.
    found = prv_ids(one_document({"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
                                 {"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"}))
    assert {"PRV-003", "PRV-005", "PRV-007"} <= found


def test_a_deny_on_some_resources_removes_nothing() -> None:
    scoped = {"Effect": "Deny", "Action": "*", "Resource": "arn:aws:s3:::secrets/*"}
    assert ("PRV-001", "Statement[0].Action") in prv(one_document(ALLOW_ALL, scoped))
    not_resource = {"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::public/*"}
    assert ("PRV-001", "Statement[0].Action") in prv(one_document(ALLOW_ALL, not_resource))


@pytest.mark.parametrize("condition", [
    {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},  # only in one region
    {"DateLessThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"}},  # holds today, not for ever
    {"Bool": {"aws:MultiFactorAuthPresent": "false"}},  # only without MFA
], ids=["region", "until-2099", "without-mfa"])
def test_a_conditional_deny_that_does_not_always_apply_keeps_the_findings(condition: dict) -> None:
    found = prv(one_document(ALLOW_ALL, {**DENY_ALL, "Condition": condition}))
    assert {("PRV-001", "Statement[0].Action"), ("PRV-005", "Statement[0].Action")} <= found


@pytest.mark.parametrize("condition", [
    {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
    {"Bool": {"aws:SecureTransport": ["true", "false"]}},
    {"Null": {"aws:PrincipalArn": "false"}},
    {"StringLike": {"aws:PrincipalArn": "*"}},
], ids=["since-2020", "secure-transport-either", "principal-arn-present", "any-principal-arn"])
def test_a_deny_whose_condition_always_holds_removes_the_grant(condition: dict) -> None:
    assert prv(one_document(ALLOW_ALL, {**DENY_ALL, "Condition": condition})) == set()


def test_a_negated_narrowing_deny_narrows_and_removes_nothing() -> None:
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/b"
    deny = {**DENY_ALL, "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": boundary}}}
    assert ("PRV-001", "Statement[0].Action") in prv(one_document(ALLOW_ALL, deny))


def test_negated_narrowing_deny_still_narrows_passrole() -> None:
    allow = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
    deny = {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*",
            "Condition": {"StringNotEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}
    perms = PermissionSet([(Source("p", "p"), normalize(policy(allow, deny)))])
    (grant,) = perms.grants("iam:passrole")
    assert grant.constraints == {"iam:passedtoservice": ("lambda.amazonaws.com",)}


# -- never-true Allow conditions -----------------------------------------------------------------

def test_a_never_true_date_condition_closes_the_statement() -> None:
    assert prv(one_document({**ALLOW_ALL, "Condition": PAST})) == set()
    # A far-future lower bound is not never-true: it will hold one day.
    future = {"DateGreaterThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"}}
    assert ("PRV-001", "Statement[0].Action") in prv(one_document({**ALLOW_ALL, "Condition": future}))
    # An upper bound still ahead is open.
    ahead = {"DateLessThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"}}
    assert ("PRV-001", "Statement[0].Action") in prv(one_document({**ALLOW_ALL, "Condition": ahead}))


def test_the_as_of_date_decides_what_has_passed() -> None:
    stmt = {**ALLOW_ALL, "Condition": {"DateLessThan": {"aws:CurrentTime": "2026-03-01"}}}
    doc = normalize(policy(stmt))
    assert PermissionSet([(Source("p", "p"), doc)], as_of=date(2026, 1, 15)).allowed("iam:createuser")
    assert not PermissionSet([(Source("p", "p"), doc)], as_of=date(2026, 3, 2)).allowed("iam:createuser")
    # A date is judged from its first moment anywhere (UTC+14): the bound's own day is not yet past.
    assert PermissionSet([(Source("p", "p"), doc)], as_of=date(2026, 3, 1)).allowed("iam:createuser")
    assert not PermissionSet([(Source("p", "p"), doc)],
                             as_of=datetime(2026, 3, 1, 0, 0, 1, tzinfo=timezone.utc)).allowed("iam:createuser")


@pytest.mark.parametrize("block", [
    {"StringEquals": {"aws:PrincipalTag/team": []}},
    {"IpAddress": {"aws:SourceIp": []}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": []}},
    {"ArnLike": {"aws:SourceArn": []}},
], ids=["string-equals", "ip-address", "for-any-value", "arn-like"])
def test_an_operator_with_no_values_to_match_closes_the_statement(block: dict) -> None:
    assert prv(one_document({**ALLOW_ALL, "Condition": block})) == set()


@pytest.mark.parametrize("block", [
    {"StringNotEquals": {"aws:PrincipalTag/team": []}},  # NOR over nothing: true
    {"StringEqualsIfExists": {"aws:PrincipalTag/team": []}},  # true without the key
    {"ForAllValues:StringEquals": {"aws:TagKeys": []}},  # true on an empty set
], ids=["negated", "if-exists", "for-all-values"])
def test_empty_values_that_can_hold_keep_the_statement_open(block: dict) -> None:
    assert ("PRV-001", "Statement[0].Action") in prv(one_document({**ALLOW_ALL, "Condition": block}))


@pytest.mark.parametrize("block", [
    {"DateLessThan": {"aws:CurrentTime": "2019-01-01"}},
    {"DateLessThanEquals": {"aws:CurrentTime": ["2018-01-01T00:00:00Z", "2019-06-30T12:00:00+02:00"]}},
    {"DateEquals": {"aws:CurrentTime": "2020-02-02T02:02:02Z"}},
    {"DateLessThan": {"aws:EpochTime": "1546300800"}},
    {"NumericLessThan": {"aws:EpochTime": "1546300800"}},
    {"DateGreaterThan": {"aws:CurrentTime": "2030-01-01"}, "DateLessThan": {"aws:EpochTime": "1893456000"}},
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "0"}},
    {"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "-1"}},
    {"Null": {"aws:PrincipalTag/team": "true"}, "StringEquals": {"aws:PrincipalTag/team": "a"}},
    {"Null": {"aws:SecureTransport": "true"}},
    {"Null": {"aws:ResourceTag/x": "true"}, "ForAnyValue:StringLike": {"aws:ResourceTag/x": "a*"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
], ids=["past-date", "past-dates-or", "past-instant", "past-epoch", "past-epoch-numeric", "empty-window",
        "mfa-age-below-0", "mfa-age-at-most-minus-1", "null-and-equals", "always-present-key-absent",
        "null-and-for-any-value", "bool-both-ways"])
def test_never_true_forms(block: dict) -> None:
    assert never_true(conds(block), AS_OF)


@pytest.mark.parametrize("block", [
    {},
    {"DateGreaterThan": {"aws:CurrentTime": "2099-01-01"}},
    {"DateLessThan": {"aws:CurrentTime": ["2019-01-01", "2099-01-01"]}},  # OR: one value ahead
    {"DateLessThan": {"aws:CurrentTime": "not a date"}},  # left to the POL rules
    {"ForAnyValue:DateLessThan": {"aws:CurrentTime": "2019-01-01"}},
    {"DateLessThan": {"aws:TokenIssueTime": "2019-01-01"}},  # the token's time, not the request's
    {"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "0"}},  # a request without MFA passes
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
    {"Null": {"aws:PrincipalTag/team": "true"}},
    {"Null": {"aws:PrincipalTag/team": "true"}, "StringNotEquals": {"aws:PrincipalTag/team": "a"}},
    {"Null": {"aws:PrincipalTag/team": "true"}, "StringEqualsIfExists": {"aws:PrincipalTag/team": "a"}},
    {"Null": {"aws:PrincipalTag/team": ["true", "false"]}, "StringEquals": {"aws:PrincipalTag/team": "a"}},
    {"Bool": {"aws:SecureTransport": ["true", "false"]}},
    {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}, "StringNotEquals": {"aws:RequestedRegion": "us-east-1"}},
], ids=["none", "future-lower-bound", "one-value-ahead", "unreadable-date", "set-operator", "token-issue-time",
        "mfa-age-if-exists", "mfa-age-positive", "null-alone", "null-and-negated", "null-and-if-exists",
        "null-either", "bool-either", "unrelated-keys"])
def test_conditions_that_can_hold(block: dict) -> None:
    assert not never_true(conds(block), AS_OF)


def test_always_true_is_strict() -> None:
    assert always_true((), AS_OF)
    assert always_true(conds({"DateGreaterThanEquals": {"aws:EpochTime": "1577836800"}}), AS_OF)
    assert not always_true(conds({"DateGreaterThan": {"aws:CurrentTime": "2099-01-01"}}), AS_OF)
    assert not always_true(conds({"DateLessThan": {"aws:CurrentTime": "2099-01-01"}}), AS_OF)
    assert not always_true(conds({"StringLike": {"aws:PrincipalTag/team": "*"}}), AS_OF)  # absent tag: false
    assert not always_true(conds({"Null": {"aws:PrincipalTag/team": "false"}}), AS_OF)
    assert not always_true(conds({"Bool": {"aws:SecureTransport": "false"}}), AS_OF)
    assert always_true(conds({"BoolIfExists": {"aws:MultiFactorAuthPresent": ["true", "false"]}}), AS_OF)


def test_a_never_true_deny_denies_nothing() -> None:
    assert ("PRV-001", "Statement[0].Action") in prv(one_document(ALLOW_ALL, {**DENY_ALL, "Condition": PAST}))


def test_a_never_true_boundary_allow_caps_everything() -> None:
    identity = normalize(policy(ALLOW_ALL))
    boundary = normalize(policy({**ALLOW_ALL, "Condition": PAST}))
    perms = PermissionSet([(Source("p", "p"), identity)], [(Source("b", "b", "boundary"), boundary)], as_of=AS_OF)
    assert not perms.allowed("iam:createuser")
    assert [s.path for _, s in perms.closed] == ["Statement[0]"]


# -- check-policy: several files as one principal ------------------------------------------------

def test_several_files_as_one_principal(tmp_path: Path) -> None:
    assert prv(as_principal(tmp_path, policy(ALLOW_ALL), policy(DENY_ALL))) == set()
    # Each file alone (check-policy without --principal) still judges the Allow file by itself.
    apart = check_documents([("a.json", "identity", policy(ALLOW_ALL)), ("d.json", "identity", policy(DENY_ALL))])
    assert ("PRV-001", "Statement[0].Action") in prv(apart)


def test_findings_of_one_principal_point_into_the_right_file(tmp_path: Path) -> None:
    found = as_principal(tmp_path, policy({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}),
                         policy(ALLOW_ALL))
    admin = next(f for f in found if f.rule_id == "PRV-001")
    assert admin.file.endswith("policy1.json") and admin.path == "Statement[0].Action"
    assert admin.line > 1 and admin.column > 1
    assert admin.message.startswith("this principal is allowed every action")


@pytest.mark.parametrize("allows, denies", [
    ([{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*"}],
     [{"Effect": "Deny", "Action": "iam:CreatePolicyVersion", "Resource": "*"}]),
    ([{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
      {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}],
     [{"Effect": "Deny", "Action": "lambda:*", "Resource": "*"}]),
    ([{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
      {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}],
     [{"Effect": "Deny", "Action": ["iam:PassRole", "s3:*"], "Resource": "*"}]),
], ids=["create-policy-version", "passrole-lambda-deny-lambda", "passrole-lambda-deny-passrole"])
def test_escalation_actions_denied_elsewhere_give_no_prv_005(tmp_path: Path, allows: list, denies: list) -> None:
    assert "PRV-005" in prv_ids(as_principal(tmp_path, policy(*allows)))
    assert "PRV-005" in prv_ids(one_document(*allows))
    assert "PRV-005" not in prv_ids(as_principal(tmp_path, policy(*allows), policy(*denies)))
    assert "PRV-005" not in prv_ids(one_document(*allows, *denies))


def test_escalation_split_across_files_is_found(tmp_path: Path) -> None:
    passrole = policy({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"})
    functions = policy({"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"],
                        "Resource": "*"})
    assert "PRV-005" not in prv_ids(check_documents([("p.json", "identity", passrole),
                                                     ("l.json", "identity", functions)]))
    found = as_principal(tmp_path, passrole, functions)
    escalation = next(f for f in found if f.rule_id == "PRV-005")
    assert "PassExistingRoleToNewLambdaThenInvoke" in escalation.message
    assert escalation.file.endswith("policy0.json")  # where the first action of the method is granted


def test_a_conditional_deny_elsewhere_keeps_the_escalation(tmp_path: Path) -> None:
    allow = policy({"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*"})
    deny = policy({"Effect": "Deny", "Action": "iam:CreatePolicyVersion", "Resource": "*",
                   "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}})
    assert "PRV-005" in prv_ids(as_principal(tmp_path, allow, deny))


def test_a_boundary_file_caps_the_principal(tmp_path: Path) -> None:
    from generator.errors import UsageError

    boundary = tmp_path / "boundary.json"
    boundary.write_text(json.dumps(policy({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"})))
    identity = tmp_path / "identity.json"
    identity.write_text(json.dumps(policy({"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*"})))
    assert "PRV-005" in prv_ids(check_policy_principal([str(identity)], today=AS_OF).findings)
    bounded = check_policy_principal([str(identity)], boundary=boundary, today=AS_OF)
    assert "PRV-005" not in prv_ids(bounded.findings)  # outside the boundary: not granted
    assert bounded.files == [str(identity), str(boundary)]
    with pytest.raises(UsageError):
        check_policy_principal([str(identity), str(boundary)], kind="boundary", boundary=boundary)


def test_benign_neighbours_keep_their_findings(tmp_path: Path) -> None:
    reads = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    assert prv_ids(one_document(reads, {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"})) == {"PRV-010",
                                                                                                          "PRV-011"}
    passrole = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
    assert "PRV-006" in prv_ids(one_document(passrole, {"Effect": "Deny", "Action": "iam:GetRole", "Resource": "*"}))
    assert "PRV-009" in prv_ids(one_document({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
                                             {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}))


# -- validate: spec-generated policies -----------------------------------------------------------

SPEC = f"""
version: 1
account:
  id: '{ACCOUNT}'
  regions: [us-east-1]
departments:
  engineering:
    tag_value: Engineering
    owner: platform@acme.example
    roles:
      denied:
        trust: {{aws_principals: ['arn:aws:iam::{ACCOUNT}:root'], require_mfa: true}}
        permissions:
        - {{actions: ['*'], resources: ['*']}}
        - {{effect: Deny, actions: ['*'], resources: ['*']}}
      expired:
        trust: {{aws_principals: ['arn:aws:iam::{ACCOUNT}:root'], require_mfa: true}}
        permissions:
        - actions: ['*']
          resources: ['*']
          conditions: {{DateLessThan: {{'aws:CurrentTime': '2019-01-01T00:00:00Z'}}}}
      managed:
        trust: {{aws_principals: ['arn:aws:iam::{ACCOUNT}:root'], require_mfa: true}}
        managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
        permissions:
        - {{effect: Deny, actions: ['*'], resources: ['*']}}
      regional:
        trust: {{aws_principals: ['arn:aws:iam::{ACCOUNT}:root'], require_mfa: true}}
        permissions:
        - {{actions: ['*'], resources: ['*']}}
        - effect: Deny
          actions: ['*']
          resources: ['*']
          conditions: {{StringEquals: {{'aws:RequestedRegion': eu-west-1}}}}
"""


def spec_findings(tmp_path: Path) -> list:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return check_spec(load_spec(path), today=AS_OF)


def test_validate_judges_spec_policies_after_denies_and_conditions(tmp_path: Path) -> None:
    found = {(f.rule_id, f.path) for f in spec_findings(tmp_path) if f.rule_id.startswith("PRV")}
    roles = "departments.engineering.roles"
    assert not [p for _, p in found if p.startswith((f"{roles}.denied", f"{roles}.expired", f"{roles}.managed"))]
    # The Deny only in eu-west-1 leaves the grant everywhere else.
    assert {("PRV-001", f"{roles}.regional.permissions"), ("PRV-005", f"{roles}.regional")} <= found


# -- audit: account authorization details --------------------------------------------------------

def details(user_policy: dict, group_policy: dict) -> dict:
    return {
        "UserDetailList": [{
            "Path": "/", "UserName": "dev", "UserId": "AIDADEV", "Arn": f"arn:aws:iam::{ACCOUNT}:user/dev",
            "CreateDate": "2024-01-01T00:00:00Z", "GroupList": ["guarded"], "AttachedManagedPolicies": [],
            "UserPolicyList": [{"PolicyName": "own", "PolicyDocument": user_policy}],
        }],
        "GroupDetailList": [{
            "Path": "/", "GroupName": "guarded", "GroupId": "AGPAGUARD", "Arn": f"arn:aws:iam::{ACCOUNT}:group/guarded",
            "CreateDate": "2024-01-01T00:00:00Z", "AttachedManagedPolicies": [],
            "GroupPolicyList": [{"PolicyName": "guard", "PolicyDocument": group_policy}],
        }],
        "RoleDetailList": [],
        "Policies": [],
    }


def audit(data: dict) -> set[tuple[str, str]]:
    result = run_audit(parse_details(data), None, options(AS_OF))
    return {(f.rule_id, f.path) for f in result.findings if f.rule_id.startswith("PRV")}


def test_audit_a_group_deny_takes_away_what_the_users_own_policy_allows() -> None:
    alone = audit(details(policy(ALLOW_ALL), policy({"Effect": "Allow", "Action": "s3:ListAllMyBuckets",
                                                      "Resource": "*"})))
    assert {("PRV-001", "user/dev/inline/own"), ("PRV-005", "user/dev")} <= alone
    assert audit(details(policy(ALLOW_ALL), policy(DENY_ALL))) == set()


def test_audit_a_group_deny_on_the_escalation_action() -> None:
    own = policy({"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*"})
    assert ("PRV-005", "user/dev") in audit(details(own, policy({"Effect": "Deny", "Action": "s3:*",
                                                                 "Resource": "*"})))
    found = audit(details(own, policy({"Effect": "Deny", "Action": "iam:CreatePolicyVersion", "Resource": "*"})))
    assert not [r for r, p in found if p.startswith("user/dev")]


def test_audit_a_never_true_condition_closes_the_statement() -> None:
    own = policy({**ALLOW_ALL, "Condition": PAST})
    assert audit(details(own, policy({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}))) == set()



# --- an independent review's false negatives, each kept as a test ------------------------------

@pytest.mark.parametrize(("allow", "deny"), [
    ("arn:aws:iam::*:*", "arn:aws:iam::?:?"),
    (f"arn:aws:iam::{ACCOUNT}:*", f"arn:aws:iam::{ACCOUNT}:?"),
    (f"arn:aws:iam::{ACCOUNT}:user/*", f"arn:aws:iam::{ACCOUNT}:user/?"),
    (f"arn:aws:iam::{ACCOUNT}:role/*", f"arn:aws:iam::{ACCOUNT}:role/a*"),
])
def test_a_deny_on_a_narrower_pattern_takes_nothing_from_a_wider_grant(allow: str, deny: str) -> None:
    """IAM's ? is one character: a Deny on role/? reaches one-character names, not role/*."""
    found = prv_ids(one_document({"Effect": "Allow", "Action": "iam:*", "Resource": allow},
                                 {"Effect": "Deny", "Action": "iam:*", "Resource": deny}))
    assert {"PRV-005", "PRV-007"} <= found


def test_a_deny_on_the_same_or_a_wider_pattern_still_takes_the_grant_away() -> None:
    for deny in (f"arn:aws:iam::{ACCOUNT}:role/*", f"arn:aws:iam::{ACCOUNT}:*", "*"):
        found = prv_ids(one_document({"Effect": "Allow", "Action": "iam:*", "Resource": f"arn:aws:iam::{ACCOUNT}:role/*"},
                                     {"Effect": "Deny", "Action": "iam:*", "Resource": deny}))
        assert "PRV-005" not in found and "PRV-007" not in found, deny


@pytest.mark.parametrize("operator", ["forallvalues:StringEquals", "Foo:StringEquals", "FORANYVALUE:StringLike"])
def test_an_unknown_set_qualifier_closes_nothing_and_is_reported(operator: str) -> None:
    block = {"Null": {"aws:TagKeys": "true"}, operator: {"aws:TagKeys": ["Project"]}}
    assert not never_true(conds(block), AS_OF)
    found = one_document({**ALLOW_ALL, "Condition": block})
    assert "PRV-001" in prv_ids(found)
    assert any(f.rule_id == "POL-006" and "not a set operator" in f.message for f in found)


def test_a_four_digit_date_is_not_taken_for_epoch_seconds() -> None:
    """AWS's date values are W3C ISO 8601 or epoch time: "2099" may be the year 2099."""
    assert not never_true(conds({"DateLessThan": {"aws:CurrentTime": "2099"}}), AS_OF)
    assert not always_true(conds({"DateGreaterThan": {"aws:CurrentTime": "2099"}}), AS_OF)
    assert never_true(conds({"DateLessThan": {"aws:EpochTime": "1500000000"}}), AS_OF)


def test_audit_as_of_a_later_day_does_not_close_a_grant_that_holds_today() -> None:
    today = date.today()
    later = today.replace(year=today.year + 5)
    limited = policy(ALLOW_ALL, {**DENY_ALL, "Condition": {"DateGreaterThan": {
        "aws:CurrentTime": f"{today.year + 3}-01-01T00:00:00Z"}}})
    data = details(limited, policy({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}))
    for day in (today, later):
        found = {(f.rule_id, f.path) for f in run_audit(parse_details(data), None, options(day)).findings}
        assert ("PRV-001", "user/dev/inline/own") in found, day


def test_a_trust_written_with_notaction_is_followed_by_reachability() -> None:
    data = {
        "UserDetailList": [{"Path": "/", "UserName": "mallory", "UserId": "AIDAMALLORY",
                            "Arn": f"arn:aws:iam::{ACCOUNT}:user/mallory", "CreateDate": "2024-01-01T00:00:00Z",
                            "GroupList": [], "AttachedManagedPolicies": [],
                            "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": policy(
                                {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"})}]}],
        "GroupDetailList": [],
        "RoleDetailList": [{"Path": "/", "RoleName": "admin-na", "RoleId": "AROAADMINNA",
                            "Arn": f"arn:aws:iam::{ACCOUNT}:role/admin-na", "CreateDate": "2025-01-01T00:00:00Z",
                            "AssumeRolePolicyDocument": policy({"Effect": "Allow", "Principal": {
                                "AWS": f"arn:aws:iam::{ACCOUNT}:user/mallory"}, "NotAction": "sts:TagSession"}),
                            "InstanceProfileList": [], "AttachedManagedPolicies": [], "Tags": [],
                            "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": policy(ALLOW_ALL)}]}],
        "Policies": [],
    }
    found = {(f.rule_id, f.path) for f in run_audit(parse_details(data), None, options(AS_OF)).findings}
    assert ("PRV-021", "user/mallory") in found


def test_a_role_that_can_make_an_admin_users_credentials_reaches_admin() -> None:
    admin = {"Path": "/", "UserName": "root-ops", "UserId": "AIDAOPS", "Arn": f"arn:aws:iam::{ACCOUNT}:user/root-ops",
             "CreateDate": "2024-01-01T00:00:00Z", "GroupList": [], "AttachedManagedPolicies": [],
             "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": policy(ALLOW_ALL)}]}
    helper = {"Path": "/", "RoleName": "ops-helper", "RoleId": "AROAHELP", "Arn": f"arn:aws:iam::{ACCOUNT}:role/ops-helper",
              "CreateDate": "2025-01-01T00:00:00Z", "InstanceProfileList": [], "AttachedManagedPolicies": [],
              "Tags": [], "AssumeRolePolicyDocument": policy({"Effect": "Allow", "Principal": {
                  "Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}),
              "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": policy(
                  {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": admin["Arn"]})}]}
    data = {"UserDetailList": [admin], "GroupDetailList": [], "RoleDetailList": [helper], "Policies": []}
    found = {f.path: f for f in run_audit(parse_details(data), None, options(AS_OF)).findings if f.rule_id == "PRV-021"}
    assert "role/ops-helper -> user/root-ops (admin)" in found["role/ops-helper"].message
    assert "iam:CreateAccessKey" in found["role/ops-helper"].message
