"""Scenario tables: a request built from a Deployment, and the decision the spec promises.

A module lists its scenarios, evaluates all of them in ONE engine batch (a module-scoped fixture,
see ``evaluate``) and parametrizes one test over them, with the scenario id as the test id.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest

from .deployed import ADMINISTRATOR_ACCESS, Deployment, Principal
from .engine import ALLOWED, DENIED, EXPLICIT_DENY, GITHUB_AUD, GITHUB_SUB, IMPLICIT_DENY, Request, Result

# What a scenario expects: one decision, or DENY for "either kind of deny".
ALLOW = ALLOWED
DENY = "Denied"
EXPLICIT = EXPLICIT_DENY
IMPLICIT = IMPLICIT_DENY

FRESH_MFA_AGE = "300"


@dataclass
class Scenario:
    id: str
    build: Callable[[Deployment], Request]
    expect: str
    xfail: str | None = None  # reason: a known weakness of the generated documents (strict xfail)

    def param(self):
        marks = [pytest.mark.xfail(strict=True, reason=self.xfail)] if self.xfail else []
        return pytest.param(self, id=self.id, marks=marks)


def params(scenarios: Sequence[Scenario]) -> list:
    ids = [s.id for s in scenarios]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate scenario ids: {duplicates}"
    return [s.param() for s in scenarios]


def evaluate(engine: Callable, deployment: Deployment, scenarios: Sequence[Scenario]) -> dict[str, Result | Exception]:
    """Build every scenario's request and evaluate them in one engine batch; a scenario whose
    request cannot be built (e.g. a policy not deployed) gets the exception instead of a result."""
    built: dict[str, Request | Exception] = {}
    for s in scenarios:
        try:
            built[s.id] = s.build(deployment)
        except AssertionError as exc:
            built[s.id] = exc
    ready = [(i, r) for i, r in built.items() if isinstance(r, Request)]
    results = dict(zip([i for i, _ in ready], engine([r for _, r in ready])))
    return {i: results.get(i, r) for i, r in built.items()}  # type: ignore[arg-type]


def check(scenario: Scenario, outcome: Result | Exception) -> None:
    if isinstance(outcome, Exception):
        raise AssertionError(f"{scenario.id}: request not built: {outcome}")
    assert outcome.error is None, f"{scenario.id}: {outcome.describe()}"
    if scenario.expect == DENY:
        ok = outcome.decision in DENIED
    else:
        ok = outcome.decision == scenario.expect
    assert ok, f"{scenario.id}: expected {scenario.expect}, engine says {outcome.describe()}"


def mfa(state: str, max_age: int = 3600) -> dict[str, str]:
    """MFA context keys: fresh, old (older than ``max_age``), false, or absent (long-term keys)."""
    if state == "fresh":
        return {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": FRESH_MFA_AGE}
    if state == "old":
        return {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": str(max_age + 1)}
    if state == "false":
        return {"aws:MultiFactorAuthPresent": "false"}
    assert state == "absent", state
    return {}


def as_principal(p: Principal, action: str, resource: str, resource_account: str, *, region: str,
                 resource_policy: dict | None = None, extra_identity: Sequence[tuple[str, dict]] = (),
                 identity: Sequence[tuple[str, dict]] | None = None, boundaries: bool = True,
                 catalogue_gaps: tuple[str, ...] = (), context: dict[str, str | list[str]] | None = None) -> Request:
    """A request by a deployed (or synthetic) principal, with its identity policies and boundary."""
    policies = list(p.identity_policies if identity is None else identity) + list(extra_identity)
    return Request(
        principal=p.request_arn, action=action, resource=resource, resource_account=resource_account,
        identity_policies=policies, boundaries=list(p.boundaries) if boundaries else [],
        resource_policy=resource_policy, context=p.context(region, context or {}), catalogue_gaps=catalogue_gaps,
    )


def allow_doc(actions: list[str], resources: list[str] | str = "*") -> dict:
    """A plain identity policy (the caller's own grant in scenarios that test a resource policy)."""
    return {"Version": "2012-10-17",
            "Statement": [{"Sid": "TestGrant", "Effect": "Allow", "Action": actions, "Resource": resources}]}


def outside_principal(arn: str, identity: Sequence[tuple[str, dict]] = (), tags: dict[str, str] | None = None) -> Principal:
    """A principal iamforge did not deploy (another account's role, a probe user), with given policies."""
    kind = "user" if ":user/" in arn else "role"
    return Principal(kind, arn.rsplit("/", 1)[-1], arn, arn.split(":")[4], list(identity), [], tags or {})


def service_request(service: str, action: str, resource: str, resource_account: str, resource_policy: dict | None,
                    catalogue_gaps: tuple[str, ...] = (), context: dict[str, str | list[str]] | None = None) -> Request:
    """A request made by an AWS service principal (no identity policies: the resource policy decides)."""
    ctx: dict[str, str | list[str]] = {"aws:PrincipalIsAWSService": "true", "aws:PrincipalServiceName": service,
                                       "aws:SecureTransport": "true"}
    ctx.update(context or {})
    return Request(principal=service, action=action, resource=resource, resource_account=resource_account,
                   resource_policy=resource_policy, context=ctx, catalogue_gaps=catalogue_gaps)


class Builders:
    """Request builders for one spec's deployment: its home region, MFA max age and account.

    Each method returns ``build(deployment) -> Request``; the documents come from the deployment
    when the scenario is evaluated, never from the spec.
    """

    def __init__(self, account: str, home: str, max_age: int) -> None:
        self.account, self.home, self.max_age = account, home, max_age

    def user_does(self, user: str, action: str, resource: str, state: str, *, admin: bool = False,
                  region: str | None = None, context: dict | None = None):
        """``user`` (their groups' policies and their boundary; with ``admin``: plus AdministratorAccess
        and no boundary, to show what the force-MFA policy denies by itself) does ``action`` with MFA ``state``."""
        def build(d: Deployment) -> Request:
            extra = [("AdministratorAccess", d.document(ADMINISTRATOR_ACCESS))] if admin else []
            return as_principal(d.user(user), action, resource, d.account, region=region or self.home,
                                extra_identity=extra, boundaries=not admin,
                                context={**mfa(state, self.max_age), **(context or {})})
        return build

    def user_assumes(self, user: str, role: str, state: str, region: str | None = None):
        """``user`` calls sts:AssumeRole on ``role``: the user's identity policies (its groups') and
        boundary, the role's trust policy as the resource policy."""
        def build(d: Deployment) -> Request:
            r = d.role(role)
            return as_principal(d.user(user), "sts:AssumeRole", r.arn, d.account, region=region or self.home,
                                resource_policy=r.trust, context=mfa(state, self.max_age))
        return build

    def role_does(self, role: str, action: str, resource: str, context: dict | None = None, region: str | None = None):
        """A session of the deployed ``role`` (assumed with MFA): its inline and attached policies and boundary."""
        def build(d: Deployment) -> Request:
            return as_principal(d.role(role), action, resource, d.account, region=region or self.home,
                                context={**mfa("fresh"), **(context or {})})
        return build

    def created_role_does(self, delegated_boundary: str, path: str, tags: dict[str, str], action: str, resource: str,
                          context: dict | None = None, region: str | None = None):
        """A role a delegate created as it may: AdministratorAccess, capped by the deployed delegated boundary."""
        def build(d: Deployment) -> Request:
            found = d.policy_by_name(delegated_boundary.rsplit("/", 1)[-1])
            assert found and found[0] == delegated_boundary, (
                f"delegated boundary {delegated_boundary} is not deployed; managed policies: {sorted(d.data['policies'])}")
            role = d.synthetic_role("app", path, [("AdministratorAccess", d.document(ADMINISTRATOR_ACCESS))],
                                    ("delegated-boundary", found[1]), tags=tags)
            return as_principal(role, action, resource, d.account, region=region or self.home, context=context)
        return build

    def probe_assumes(self, role: str, state: str = "absent", principal: str | None = None,
                      context: dict | None = None):
        """A principal iamforge did not deploy, allowed sts:AssumeRole by its own identity policy, calls
        sts:AssumeRole on ``role``: the trust policy decides (default principal: a user of the account)."""
        def build(d: Deployment) -> Request:
            arn = principal or f"arn:aws:iam::{d.account}:user/probe"
            p = outside_principal(arn, [("allow-assume", allow_doc(["sts:AssumeRole"]))])
            r = d.role(role)
            return as_principal(p, "sts:AssumeRole", r.arn, d.account, region=self.home, resource_policy=r.trust,
                                context={**mfa(state, self.max_age), **(context or {})})
        return build

    def github_assumes(self, role: str, sub: str, aud: str = "sts.amazonaws.com", provider: str | None = None,
                       action: str = "sts:AssumeRoleWithWebIdentity"):
        """GitHub Actions presents a token (``sub``, ``aud``) to the role's trust policy. The claims are
        catalogue gaps of this engine version (see simulate.mjs), declared so they are evaluated."""
        def build(d: Deployment) -> Request:
            r = d.role(role)
            issuer = provider or f"arn:aws:iam::{d.account}:oidc-provider/token.actions.githubusercontent.com"
            return Request(principal=issuer, action=action, resource=r.arn, resource_account=d.account,
                           resource_policy=r.trust, catalogue_gaps=(GITHUB_SUB, GITHUB_AUD),
                           context={GITHUB_SUB: sub, GITHUB_AUD: aud, "aws:FederatedProvider": issuer,
                                    "aws:SecureTransport": "true"})  # STS takes HTTPS only
        return build

    def service_assumes(self, role: str, service: str, context: dict | None = None):
        """An AWS service principal calls sts:AssumeRole on ``role``."""
        def build(d: Deployment) -> Request:
            r = d.role(role)
            return service_request(service, "sts:AssumeRole", r.arn, d.account, r.trust, context=context)
        return build

    def _on_resource(self, d: Deployment, principal: str, action: str, resource: str, policy: dict,
                     identity: list | None, context: dict | None, gaps: tuple[str, ...] = ()) -> Request:
        if principal.endswith(".amazonaws.com"):
            return service_request(principal, action, resource, d.account, policy, context=context, catalogue_gaps=gaps)
        p = outside_principal(principal, [("grant", doc) for doc in identity or []])
        return as_principal(p, action, resource, d.account, region=self.home, resource_policy=policy, context=context,
                            catalogue_gaps=gaps)

    def bucket_request(self, bucket: str, principal: str, action: str, resource: str, identity: list | None = None,
                       context: dict | None = None):
        """``principal`` (a service name, or an IAM ARN with its own ``identity`` policies) acts on
        ``bucket`` under the bucket's deployed policy."""
        def build(d: Deployment) -> Request:
            return self._on_resource(d, principal, action, resource, d.bucket_policy(bucket), identity, context)
        return build

    def key_request(self, principal: str, action: str, identity: list | None = None, context: dict | None = None,
                    gaps: tuple[str, ...] = ()):
        """``principal`` uses the deployment's KMS key under its deployed key policy."""
        def build(d: Deployment) -> Request:
            arn, policy = d.kms_key()
            return self._on_resource(d, principal, action, arn, policy, identity, context, gaps)
        return build

    def topic_request(self, topic: str, principal: str, identity: list | None = None, context: dict | None = None):
        """``principal`` publishes to ``topic`` under its deployed topic policy."""
        def build(d: Deployment) -> Request:
            arn, policy = d.topic_policy(topic)
            return self._on_resource(d, principal, "sns:Publish", arn, policy, identity, context)
        return build
