"""check-policy on minimal policies: every catalogued escalation method is flagged by PRV-005,
and benign look-alikes are not."""
from __future__ import annotations

import pytest

from generator.analysis.catalog import catalog
from generator.analysis.escalation import methods
from generator.rules.engine import check_documents

METHODS = methods()
ALL_ROLES = "arn:aws:iam::111122223333:role/*"


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions: list[str], resources: list[str] | str = "*", condition: dict | None = None) -> dict:
    stmt = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        stmt["Condition"] = condition
    return stmt


def prv005(doc: dict) -> list[str]:
    return [f.message for f in check_documents([("p.json", "identity", doc)]) if f.rule_id == "PRV-005"]


def canonical(action: str) -> str:
    return catalog().display(action)


def test_catalogue_covers_rhino_pacu_pmapper_and_iam_vulnerable() -> None:
    sources = {s for m in METHODS for s in m.sources}
    assert {"rhino", "pacu", "pmapper", "iam-vulnerable"} <= sources
    assert len([m for m in METHODS if "rhino" in m.sources]) >= 21
    assert len({m.id for m in METHODS}) == len(METHODS)


@pytest.mark.parametrize("method", METHODS, ids=[m.id for m in METHODS])
def test_every_method_as_a_minimal_policy_is_flagged(method) -> None:
    doc = policy(allow([canonical(a) for a, _ in method.actions]))
    messages = prv005(doc)
    assert messages and method.id in messages[0]


@pytest.mark.parametrize("method", [m for m in METHODS if len(m.actions) > 1], ids=lambda m: m.id)
def test_a_method_split_over_statements_is_still_flagged(method) -> None:
    doc = policy(*(allow([canonical(a)]) for a, _ in method.actions))
    assert any(method.id in m for m in prv005(doc))


@pytest.mark.parametrize("method", [m for m in METHODS if len(m.actions) > 1], ids=lambda m: m.id)
def test_a_method_missing_one_action_is_not_flagged(method) -> None:
    doc = policy(allow([canonical(a) for a, _ in method.actions[1:]]))
    assert not any(f"escalate privileges: {method.id} " in m for m in prv005(doc))


def test_all_roles_of_the_account_count_as_star() -> None:
    doc = policy(allow(["iam:PassRole"], ALL_ROLES), allow(["ec2:RunInstances"]))
    assert prv005(doc)


def test_an_unrelated_condition_does_not_neutralise() -> None:
    region = {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
    doc = policy(allow(["iam:PassRole", "ec2:RunInstances"], "*", region))
    assert prv005(doc)


def test_passed_to_service_for_the_same_service_does_not_neutralise() -> None:
    to_ec2 = {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}
    doc = policy(allow(["iam:PassRole"], "*", to_ec2), allow(["ec2:RunInstances"]))
    assert prv005(doc)


BENIGN = {
    "passrole-scoped-with-service": policy(
        allow(["iam:PassRole"], "arn:aws:iam::111122223333:role/engineering/delegated/*",
              {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}),
        allow(["lambda:CreateFunction", "lambda:InvokeFunction"])),
    "passrole-to-another-service": policy(
        allow(["iam:PassRole"], "*", {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}),
        allow(["ec2:RunInstances", "lambda:CreateFunction", "lambda:InvokeFunction"])),
    "create-role-only-with-boundary": policy(
        allow(["iam:CreateRole", "iam:AttachRolePolicy", "iam:PutRolePolicy"], "*",
              {"StringEquals": {"iam:PermissionsBoundary": "arn:aws:iam::111122223333:policy/iamforge/b"}}),
        allow(["sts:AssumeRole"], "arn:aws:iam::111122223333:role/engineering/*")),
    "boundary-forced-by-deny": policy(
        allow(["iam:CreateRole", "iam:AttachRolePolicy"], "*"),
        {"Effect": "Deny", "Action": ["iam:CreateRole", "iam:AttachRolePolicy"], "Resource": "*",
         "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": "arn:aws:iam::111122223333:policy/b"}}},
        allow(["sts:AssumeRole"], "arn:aws:iam::111122223333:role/engineering/app")),
    "escalation-action-denied": policy(
        allow(["iam:PassRole", "ec2:RunInstances"]), {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}),
    "attach-policy-arn-limited": policy(
        allow(["iam:AttachUserPolicy", "iam:AttachRolePolicy", "iam:AttachGroupPolicy"], "*",
              {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}})),
    "abac-scoped-lambda-code": policy(
        allow(["lambda:UpdateFunctionCode"], "*",
              {"StringEquals": {"aws:ResourceTag/Department": "${aws:PrincipalTag/Department}"}})),
    "named-function-code": policy(
        allow(["lambda:UpdateFunctionCode"], "arn:aws:lambda:us-east-1:111122223333:function:acme-web")),
    "read-only-iam": policy(allow(["iam:Get*", "iam:List*", "sts:GetCallerIdentity"])),
    "own-access-keys": policy(allow(["iam:CreateAccessKey"], "arn:aws:iam::111122223333:user/${aws:username}")),
}


@pytest.mark.parametrize("name", sorted(BENIGN))
def test_benign_look_alikes_are_not_flagged(name: str) -> None:
    assert prv005(BENIGN[name]) == []


def test_if_exists_on_the_boundary_key_is_not_a_constraint() -> None:
    loose = {"StringEqualsIfExists": {"iam:PermissionsBoundary": "arn:aws:iam::111122223333:policy/b"}}
    doc = policy(allow(["iam:CreateRole", "iam:AttachRolePolicy", "sts:AssumeRole"], "*", loose))
    assert any("CreateRoleThenAttachPolicy" in m for m in prv005(doc))
