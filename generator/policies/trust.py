"""Role trust (assume-role) policies: one statement per kind of principal.

Sids are fixed per kind (``AllowAwsPrincipals``, ``AllowExternalAccount``,
``AllowGithubOidc``, ``AllowGithubOidcWildcard``, ``AllowServices``), so the same
spec always produces the same document.
"""
from __future__ import annotations

from generator.analysis.arn import has_wildcard
from generator.policies.document import KIND_TRUST, PolicyDoc, policy, sorted_unique, statement
from generator.spec.model import Role, Spec

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"


def github_oidc_provider_arn(spec: Spec) -> str:
    """ARN of the account's GitHub Actions OIDC provider (one per account)."""
    return spec.arn("iam", f"oidc-provider/{GITHUB_OIDC_HOST}")


def mfa_condition(spec: Spec) -> dict:
    # Bool (not BoolIfExists) in an Allow: a caller without the key is not let in.
    return {
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
        "NumericLessThan": {"aws:MultiFactorAuthAge": str(spec.mfa.max_age_seconds)},
    }


def trust_statements(spec: Spec, role: Role) -> list[dict]:
    """The trust statements of ``role`` in a fixed order: AWS, external, GitHub, services."""
    trust = role.trust
    mfa = mfa_condition(spec) if trust.require_mfa else None
    out: list[dict] = []
    if trust.aws_principals:
        out.append(
            statement(
                "AllowAwsPrincipals",
                "Allow",
                ["sts:AssumeRole"],
                principal={"AWS": trust.aws_principals},
                condition=mfa,
            )
        )
    ext = trust.external_account
    if ext is not None:
        cond: dict = dict(mfa or {})
        if ext.external_id:
            cond["StringEquals"] = {"sts:ExternalId": ext.external_id}
        out.append(
            statement(
                "AllowExternalAccount",
                "Allow",
                ["sts:AssumeRole"],
                principal={"AWS": [f"arn:{spec.account.partition}:iam::{ext.account_id}:root"]},
                condition=cond,
            )
        )
    gh = trust.github_oidc
    # No subjects, no statement: a GitHub trust without a `sub` condition would let any
    # workflow of any repository assume the role.
    if gh is not None and gh.subjects:
        exact = sorted_unique(s for s in gh.subjects if not has_wildcard(s))
        wild = sorted_unique(s for s in gh.subjects if has_wildcard(s))
        provider = {"Federated": [github_oidc_provider_arn(spec)]}
        aud = {f"{GITHUB_OIDC_HOST}:aud": gh.audience}
        if exact:
            out.append(
                statement(
                    "AllowGithubOidc",
                    "Allow",
                    ["sts:AssumeRoleWithWebIdentity"],
                    principal=provider,
                    condition={"StringEquals": {**aud, f"{GITHUB_OIDC_HOST}:sub": exact}},
                )
            )
        if wild:
            out.append(
                statement(
                    "AllowGithubOidcWildcard",
                    "Allow",
                    ["sts:AssumeRoleWithWebIdentity"],
                    principal=provider,
                    condition={"StringEquals": aud, "StringLike": {f"{GITHUB_OIDC_HOST}:sub": wild}},
                )
            )
    if trust.services:
        out.append(
            statement(
                "AllowServices",
                "Allow",
                ["sts:AssumeRole"],
                principal={"Service": trust.services},
                condition={"StringEquals": {"aws:SourceAccount": spec.account.id}},
            )
        )
    return out


def build_trust(spec: Spec, role: Role) -> PolicyDoc | None:
    """The role's trust policy; None when the spec gives it no usable principal."""
    statements = trust_statements(spec, role)
    if not statements:
        return None
    return PolicyDoc(
        key=f"role.{role.department}.{role.key}.trust",
        kind=KIND_TRUST,
        name=role.name,
        spec_path=role.trust.path,
        document=policy(statements),
        attachments=(("role", role.name),),
        managed=False,
        description=f"Who may assume {role.name} (iamforge)",
    )
