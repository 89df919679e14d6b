"""The engine itself: the pinned version, and how it treats the context keys the scenarios rely on.

These need node and npm but no terraform or moto_server. They pin down the behaviour that
simulate.mjs builds on (its "Context keys" comment): a change of engine version that changes it
fails here, by name, before any scenario passes or fails for the wrong reason.
"""
from __future__ import annotations

import json
from dataclasses import replace

from .engine import (
    ALLOWED,
    CLOUDTRAIL_CONTEXT,
    EXPLICIT_DENY,
    GITHUB_AUD,
    GITHUB_SUB,
    IMPLICIT_DENY,
    LOCK_FILE,
    Request,
    engine_version,
    install_is_current,
)

ACCOUNT = "111122223333"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ci/deploy"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": PROVIDER},
        "Condition": {"StringEquals": {GITHUB_AUD: "sts.amazonaws.com", GITHUB_SUB: "repo:org/app:ref:refs/heads/main"}},
    }],
}
TRUST_ANY_WEB_IDENTITY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity"}]}
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0b5e7a2c-0000-4000-8000-000000000001"
KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow", "Action": "kms:GenerateDataKey*", "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Resource": "*",
        "Condition": {"StringLike": {CLOUDTRAIL_CONTEXT: f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"}},
    }],
}


def web_identity(sub: str, gaps: tuple[str, ...] = (GITHUB_SUB, GITHUB_AUD)) -> Request:
    return Request(principal=PROVIDER, action="sts:AssumeRoleWithWebIdentity", resource=ROLE, resource_account=ACCOUNT,
                   resource_policy=TRUST, context={GITHUB_SUB: sub, GITHUB_AUD: "sts.amazonaws.com"},
                   catalogue_gaps=gaps)


def cloudtrail_data_key(trail_arn: str, gaps: tuple[str, ...] = (CLOUDTRAIL_CONTEXT,)) -> Request:
    return Request(principal="cloudtrail.amazonaws.com", action="kms:GenerateDataKey", resource=KEY,
                   resource_account=ACCOUNT, resource_policy=KEY_POLICY,
                   context={CLOUDTRAIL_CONTEXT: trail_arn, "aws:PrincipalIsAWSService": "true"}, catalogue_gaps=gaps)


def test_the_installed_engine_is_the_locked_one(engine) -> None:
    lock = json.loads(LOCK_FILE.read_text(encoding="utf-8"))
    pinned = lock["packages"][""]["dependencies"]["@cloud-copilot/iam-simulate"]
    assert engine_version() == pinned == lock["packages"]["node_modules/@cloud-copilot/iam-simulate"]["version"]
    assert install_is_current()


def test_github_oidc_claims_are_not_in_the_catalogue_and_are_never_silently_dropped(engine) -> None:
    """Undeclared, the sub and aud claims would be dropped (the trust's StringEquals would then
    fail whatever the token said): the harness turns that into an error, not a decision."""
    [undeclared] = engine([web_identity("repo:org/app:ref:refs/heads/main", gaps=())])
    assert undeclared.decision is None and "would drop" in str(undeclared.error), undeclared.describe()
    assert sorted(undeclared.ignored_context_keys) == sorted([GITHUB_SUB, GITHUB_AUD])


def test_declared_catalogue_gaps_are_evaluated_with_their_values(engine) -> None:
    right, other_repo, other_branch = engine([
        web_identity("repo:org/app:ref:refs/heads/main"),
        web_identity("repo:evil/app:ref:refs/heads/main"),
        web_identity("repo:org/app:ref:refs/heads/feature"),
    ])
    assert (right.decision, right.evaluation) == (ALLOWED, "unsafe"), right.describe()
    assert other_repo.decision == IMPLICIT_DENY, other_repo.describe()
    assert other_branch.decision == IMPLICIT_DENY, other_branch.describe()


def test_kms_encryption_context_keys_are_dropped_unless_declared(engine) -> None:
    undeclared, right, wrong = engine([
        cloudtrail_data_key(f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/t", gaps=()),
        cloudtrail_data_key(f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/t"),
        cloudtrail_data_key("arn:aws:cloudtrail:us-east-1:999988887777:trail/t"),
    ])
    assert undeclared.error and CLOUDTRAIL_CONTEXT in undeclared.ignored_context_keys, undeclared.describe()
    assert right.decision == ALLOWED, right.describe()
    assert wrong.decision == IMPLICIT_DENY, wrong.describe()


def test_catalogued_keys_are_evaluated_validated(engine) -> None:
    """MFA keys, principal tags and the username policy variable are in the catalogue: no gap."""
    force_mfa = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:EnableMFADevice", "Resource": f"arn:aws:iam::{ACCOUNT}:user/*/${{aws:username}}"},
        {"Effect": "Deny", "NotAction": "iam:EnableMFADevice", "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
        {"Effect": "Allow", "Action": "ec2:StartInstances", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/Team": "${aws:PrincipalTag/Team}"}}},
    ]}
    user = f"arn:aws:iam::{ACCOUNT}:user/eng/alice"
    base = {"aws:username": "alice", "aws:PrincipalTag/Team": "Eng"}
    instance = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0123456789abcdef0"

    def req(action: str, resource: str, extra: dict[str, str] | None = None) -> Request:
        return Request(principal=user, action=action, resource=resource, resource_account=ACCOUNT,
                       identity_policies=[("p", force_mfa)], context={**base, **(extra or {})})

    own, other, no_mfa, tagged = engine([
        req("iam:EnableMFADevice", user),
        req("iam:EnableMFADevice", f"arn:aws:iam::{ACCOUNT}:user/eng/bob"),
        req("ec2:StartInstances", instance, {"aws:MultiFactorAuthPresent": "false", "aws:ResourceTag/Team": "Eng"}),
        req("ec2:StartInstances", instance, {"aws:MultiFactorAuthPresent": "true", "aws:ResourceTag/Team": "Eng"}),
    ])
    for r in (own, other, no_mfa, tagged):
        assert r.error is None and r.evaluation == "validated" and r.ignored_context_keys == [], r.describe()
    assert own.decision == ALLOWED
    assert other.decision == IMPLICIT_DENY
    assert no_mfa.decision == EXPLICIT_DENY
    assert tagged.decision == ALLOWED


def test_one_result_per_request_in_order_and_errors_reported(engine) -> None:
    bad = Request(principal=f"arn:aws:iam::{ACCOUNT}:user/x", action="iam:NoSuchAction", resource="*",
                  resource_account=ACCOUNT)
    results = engine([web_identity("repo:org/app:ref:refs/heads/main"), bad,
                      web_identity("repo:evil/app:ref:refs/heads/main")])
    assert [r.decision for r in results] == [ALLOWED, None, IMPLICIT_DENY]
    assert results[1].error, results[1].describe()


def test_rcps_decide_alike_in_the_validated_and_the_unsafe_evaluation(engine) -> None:
    """An RCP level holds AWS's RCPFullAWSAccess beside the given RCPs in both evaluations (the
    harness adds it where the engine's unsafe path does not): an RCP that does not apply leaves
    the decision alone, one that does denies, whichever path a request takes."""
    other_org = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "sts:*", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:SourceOrgID": "o-a1b2c3d4e5"},
                      "Bool": {"aws:PrincipalIsAWSService": "true"}}}]}
    deny_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sts:*",
                                                        "Resource": "*"}]}
    requests = []
    for gaps in ((GITHUB_SUB, GITHUB_AUD), ()):
        for rcp in (other_org, deny_all):
            req = web_identity("repo:org/app:ref:refs/heads/main")
            if not gaps:  # validated: the claims' keys are not sent
                req = replace(req, context={"aws:FederatedProvider": PROVIDER},
                              catalogue_gaps=(), resource_policy=TRUST_ANY_WEB_IDENTITY)
            requests.append(replace(req, rcp_levels=[("r-root", [("rcp", rcp)])]))
    unsafe_kept, unsafe_denied, validated_kept, validated_denied = engine(requests)
    assert unsafe_kept.evaluation == "unsafe" and validated_kept.evaluation == "validated"
    assert unsafe_kept.decision == validated_kept.decision == ALLOWED, (unsafe_kept.describe(), validated_kept.describe())
    assert unsafe_denied.decision == validated_denied.decision == EXPLICIT_DENY
