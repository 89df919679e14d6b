"""generator.analysis.guardrails: what an SCP or RCP *certainly* denies, from what is known of a request."""
from __future__ import annotations

import pytest

from generator.analysis.conditions import decide
from generator.analysis.document import normalize, normalize_statement
from generator.analysis.guardrails import certain_denial, outsider_facts, principal_facts
from generator.policies.guardrails import CATALOGUE, Params

ROLE = "arn:aws:iam::111122223333:role/engineering/engineering-developer"
DEPLOY = "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole"


def conditions(block: dict):
    return normalize_statement(0, {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": block}).conditions


@pytest.mark.parametrize(("block", "facts", "verdict"), [
    ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}}, principal_facts(ROLE), True),
    ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}}, principal_facts(DEPLOY), False),
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}, principal_facts(ROLE), False),
    ({"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}}, principal_facts(ROLE), None),  # not known
    ({"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}, outsider_facts("777788889999"), True),
    ({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}, outsider_facts("777788889999"), False),  # absent key
    ({"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}, outsider_facts("777788889999"), True),
    ({"Bool": {"aws:PrincipalIsAWSService": "true"}}, outsider_facts("777788889999"), False),
    ({"Null": {"aws:PrincipalOrgID": "true"}}, outsider_facts("777788889999"), True),
    ({"Null": {"aws:PrincipalOrgID": "false"}}, outsider_facts("777788889999"), False),
    ({"ForAnyValue:StringEquals": {"aws:PrincipalArn": [ROLE]}}, principal_facts(ROLE), None),  # set qualifier
    # a policy variable's value is the request's: never decided here
    ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/engineering/*"}},
     principal_facts(ROLE), None),
    # one failing condition decides, even beside an undecidable one
    ({"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}, "ArnLike": {"aws:PrincipalArn": DEPLOY}},
     principal_facts(ROLE), False),
])
def test_decide(block: dict, facts: dict, verdict: bool | None) -> None:
    assert decide(conditions(block), facts) is verdict


def _scps(*ids: str, regions: tuple[str, ...] = ()):
    params = Params("o-a1b2c3d4e5", "OrganizationAccountAccessRole", regions)
    return tuple((i, normalize(CATALOGUE[i].document(params))) for i in ids)


def test_a_catalogue_guardrail_certainly_denies_only_what_it_says_to_whom_it_says() -> None:
    scps = _scps("deny-iam-users", "deny-root-user", "deny-leave-organization")
    assert certain_denial(scps, "iam:CreateUser", ("arn:aws:iam::111122223333:user/x",), principal_facts(ROLE))[0] == "deny-iam-users"
    assert certain_denial(scps, "IAM:createuser", ("*",), principal_facts(ROLE)) is not None  # actions ignore case
    assert certain_denial(scps, "iam:CreateUser", ("*",), principal_facts(DEPLOY)) is None  # the exempt deploy role
    assert certain_denial(scps, "iam:GetUser", ("*",), principal_facts(ROLE)) is None
    assert certain_denial(scps, "organizations:LeaveOrganization", ("*",), principal_facts(DEPLOY))[0] == \
        "deny-leave-organization"
    assert certain_denial(scps, "s3:GetObject", ("*",), principal_facts(ROLE)) is None  # deny-root-user: roles pass


def test_a_deny_that_depends_on_the_request_is_never_certain() -> None:
    scps = _scps("region-allow-list", regions=("us-east-1",))
    assert certain_denial(scps, "ec2:RunInstances", ("*",), principal_facts(ROLE)) is None


def test_resources_must_all_be_covered() -> None:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteObject",
                                                   "Resource": "arn:aws:s3:::logs/*"}]}
    scps = (("custom", normalize(doc)),)
    assert certain_denial(scps, "s3:DeleteObject", ("arn:aws:s3:::logs/a",), principal_facts(ROLE)) is not None
    assert certain_denial(scps, "s3:DeleteObject", ("arn:aws:s3:::logs/a", "arn:aws:s3:::data/b"),
                          principal_facts(ROLE)) is None


def test_certain_scp_denies_keep_only_what_applies_to_the_principal() -> None:
    from generator.analysis.guardrails import MemberScope, certain_scp_denies

    scope = MemberScope("o-a1b2c3d4e5", "app", frozenset({"111122223333"}),
                        _scps("deny-iam-users", "region-allow-list", regions=("us-east-1",)))
    found = certain_scp_denies(scope, ROLE)
    assert [key for key, _ in found] == ["deny-iam-users"]  # the Region one depends on the request
    assert all(not s.conditions and s.effect == "Deny" for _, p in found for s in p.statements)
    assert certain_scp_denies(scope, DEPLOY) == []  # the guardrails exempt the deploy role
    assert certain_scp_denies(None, ROLE) == []


MEMBER = """version: 1
account:
  id: "111122223333"
  regions: [us-east-1]
departments:
  engineering:
    tag_value: Engineering
    owner: platform@acme.example
    roles:
      onboarder:
        trust:
          aws_principals: ["arn:aws:iam::111122223333:root"]
          require_mfa: true
        permissions:
          - actions: ["iam:CreateUser", "iam:CreateAccessKey"]
            resources: ["arn:aws:iam::111122223333:user/contractors/*"]
"""


def test_what_an_scp_certainly_denies_is_no_escalation_inside_the_organisation(tmp_path) -> None:
    """Alone, a role that may create users and their keys has no boundary over changes (PB-001) and
    escalates (PRV-005 CreateAccessKey); under deny-iam-users, which denies it both for certain, the
    same spec is only ORG-009's dead grant. A Region guardrail, which depends on the request, changes
    nothing."""
    from generator.analysis.guardrails import MemberScope
    from generator.rules.engine import validate_spec
    from generator.spec import load_spec_text

    spec = load_spec_text(MEMBER, "member.yaml")

    def errors(scope) -> set[str]:
        return {f.rule_id for f in validate_spec(spec, organization=scope) if f.severity.value == "error"}

    alone = errors(None)
    assert {"PB-001"} <= alone
    denied = MemberScope("o-a1b2c3d4e5", "app", frozenset({"111122223333"}), _scps("deny-iam-users"))
    assert not errors(denied) & {"PB-001", "PB-002", "PRV-005"}
    by_region = MemberScope("o-a1b2c3d4e5", "app", frozenset({"111122223333"}),
                            _scps("region-allow-list", regions=("us-east-1",)))
    assert errors(by_region) == alone
