"""Red-team regression tests for the validator gate.

Each case is something an attacker or a careless engineer would write. ``MUST_FLAG`` cases
must produce the named rule; ``MUST_PASS`` cases are the benign look-alikes that must not.
Documents go through ``check_documents`` (``iamforge check-policy``); specs through
``validate_spec`` (``iamforge validate``), so both modes of every rule are exercised.
"""
from __future__ import annotations

import textwrap
from datetime import date

import pytest

from generator.findings import Finding
from generator.rules.engine import check_documents, validate_spec
from generator.spec import load_spec_text

ACCT = "111122223333"
TODAY = date(2026, 6, 1)


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions: list[str] | str, resources: list[str] | str = "*", condition: dict | None = None,
          *, not_action: bool = False, not_resource: bool = False) -> dict:
    stmt: dict = {"Effect": "Allow", "NotAction" if not_action else "Action": actions,
                  "NotResource" if not_resource else "Resource": resources}
    if condition:
        stmt["Condition"] = condition
    return stmt


def deny(actions: list[str] | str, resources: list[str] | str = "*", condition: dict | None = None) -> dict:
    stmt: dict = {"Effect": "Deny", "Action": actions, "Resource": resources}
    if condition:
        stmt["Condition"] = condition
    return stmt


def trust(principal: object, action: str = "sts:AssumeRole", condition: dict | None = None) -> dict:
    stmt: dict = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        stmt["Condition"] = condition
    return policy(stmt)


def doc_findings(document: dict, kind: str = "identity") -> list[Finding]:
    return check_documents([("redteam.json", kind, document)])


def spec_findings(text: str) -> list[Finding]:
    spec = load_spec_text(textwrap.dedent(text), "redteam.yaml")
    return [f for f in validate_spec(spec, today=TODAY) if not f.suppressed]


def rules_of(findings: list[Finding]) -> set[str]:
    return {f.rule_id for f in findings}


PASS_LAMBDA = ["lambda:CreateFunction", "lambda:InvokeFunction"]
REGION = {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
TO_LAMBDA = {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
GITHUB = f"arn:aws:iam::{ACCT}:oidc-provider/token.actions.githubusercontent.com"
GH_AUD = {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}


def github(sub_operator: str, sub: str, aud: dict | None = GH_AUD) -> dict:
    condition: dict = {sub_operator: {"token.actions.githubusercontent.com:sub": sub}}
    if aud is not None:
        condition.setdefault("StringEquals", {}).update(aud)
    return trust({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity", condition)


# (case id, document kind, document, rule that must fire)
DOCUMENTS_MUST_FLAG: list[tuple[str, str, dict, str]] = [
    # Escalation split over statements, spelled in every way IAM accepts.
    ("passrole-and-lambda-in-two-statements", "identity",
     policy(allow("iam:PassRole"), allow(PASS_LAMBDA)), "PRV-005"),
    ("passrole-on-all-roles-of-the-account", "identity",
     policy(allow("iam:PassRole", f"arn:aws:iam::{ACCT}:role/*"), allow(PASS_LAMBDA)), "PRV-005"),
    ("passrole-on-all-roles-of-any-account", "identity",
     policy(allow("iam:PassRole", "arn:aws:iam::*:role/*"), allow(PASS_LAMBDA)), "PRV-005"),
    ("passrole-on-role-star-without-slash", "identity",
     policy(allow("iam:PassRole", f"arn:aws:iam::{ACCT}:role*"), allow(PASS_LAMBDA)), "PRV-005"),
    ("passrole-on-every-iam-resource", "identity",
     policy(allow("iam:PassRole", f"arn:aws:iam::{ACCT}:*"), allow(PASS_LAMBDA)), "PRV-005"),
    ("passrole-star-swallowing-the-account-field", "identity",
     policy(allow("iam:PassRole", "arn:aws:iam::*"), allow(PASS_LAMBDA)), "PRV-005"),
    ("passrole-on-any-partition", "identity",
     policy(allow("iam:PassRole", "arn:*:iam::*:role/*"), allow(PASS_LAMBDA)), "PRV-005"),
    ("passrole-on-role-question-star", "identity",
     policy(allow("iam:PassRole", f"arn:aws:iam::{ACCT}:role/?*"), allow(PASS_LAMBDA)), "PRV-005"),
    ("passrole-with-irrelevant-region-condition", "identity",
     policy(allow(["iam:PassRole", "ec2:RunInstances"], "*", REGION)), "PRV-005"),
    ("passrole-passed-to-any-service", "identity",
     policy(allow("iam:PassRole", "*", {"StringLike": {"iam:PassedToService": "*"}}), allow(PASS_LAMBDA)), "PRV-005"),
    ("passrole-passed-to-service-if-exists-unscoped", "identity",
     policy(allow("iam:PassRole", "*", {"StringEqualsIfExists": {"iam:PassedToService": "ec2.amazonaws.com"}}),
            allow("ec2:RunInstances")), "PRV-006"),
    ("passrole-with-region-condition-is-unscoped", "identity",
     policy(allow("iam:PassRole", "*", REGION)), "PRV-006"),
    ("iam-star", "identity", policy(allow("iam:*")), "PRV-005"),
    ("iam-put-star", "identity", policy(allow("iam:Put*")), "PRV-005"),
    ("iam-star-policy-star", "identity", policy(allow("iam:*Policy*")), "PRV-005"),
    ("iam-pass-star-with-ec2-run-star", "identity", policy(allow(["iam:Pass*", "ec2:Run*"])), "PRV-005"),
    ("mixed-case-action-names", "identity", policy(allow(["IAM:passrole", "EC2:runinstances"])), "PRV-005"),
    ("question-mark-wildcards", "identity", policy(allow("iam:PutUserP?licy")), "PRV-005"),
    ("notaction-allow-on-star", "identity", policy(allow(["s3:*"], not_action=True)), "PRV-005"),
    ("notresource-allow", "identity",
     policy(allow("iam:PutUserPolicy", f"arn:aws:iam::{ACCT}:user/admin", not_resource=True)), "PRV-005"),
    ("action-star-as-string", "identity", policy(allow("*")), "PRV-001"),
    ("action-star-colon-star", "identity", policy(allow("*:*")), "PRV-001"),
    ("action-star-colon-star-scoped", "identity", policy(allow("*:*", f"arn:aws:s3:::bucket")), "PRV-002"),
    ("action-star-colon-star-escalates", "identity", policy(allow("*:*")), "PRV-005"),
    # Denies that do not really deny.
    ("deny-covering-one-role-only", "identity",
     policy(allow(["iam:PutRolePolicy", "sts:AssumeRole"]), deny("iam:PutRolePolicy", f"arn:aws:iam::{ACCT}:role/admin")),
     "PRV-005"),
    ("deny-with-region-condition", "identity",
     policy(allow(["iam:PassRole", "ec2:RunInstances"]), deny("iam:PassRole", "*", REGION)), "PRV-005"),
    ("deny-narrowing-key-anded-with-region", "identity",
     policy(allow(["iam:PassRole", "ec2:RunInstances"]),
            deny("iam:PassRole", "*", {"StringNotEquals": {"iam:PassedToService": "lambda.amazonaws.com"},
                                       "StringEquals": {"aws:RequestedRegion": "eu-west-1"}})), "PRV-005"),
    ("deny-of-some-actions-of-a-wildcard", "identity",
     policy(allow("iam:*"), deny(["iam:PutRolePolicy", "iam:AttachRolePolicy"])), "PRV-005"),
    # Narrowing keys whose value narrows nothing.
    ("permissions-boundary-any-policy", "identity",
     policy(allow(["iam:CreateRole", "iam:PutRolePolicy", "sts:AssumeRole"], "*",
                  {"StringLike": {"iam:PermissionsBoundary": f"arn:aws:iam::{ACCT}:policy/*"}})), "PRV-005"),
    ("permissions-boundary-administrator-access", "identity",
     policy(allow(["iam:CreateRole", "iam:PutRolePolicy", "sts:AssumeRole"], "*",
                  {"StringEquals": {"iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess"}})),
     "PRV-005"),
    ("policy-arn-any-policy", "identity",
     policy(allow(["iam:AttachUserPolicy"], "*", {"ArnLike": {"iam:PolicyARN": "arn:aws:iam::*:policy/*"}})),
     "PRV-005"),
    ("passed-to-service-every-service", "identity",
     policy(allow("iam:PassRole", "*", {"StringLike": {"iam:PassedToService": "*.amazonaws.com"}})), "PRV-006"),
    # Trust policies.
    ("trust-principal-star-string", "trust", trust("*"), "TRU-001"),
    ("trust-principal-aws-star", "trust", trust({"AWS": "*"}), "TRU-001"),
    ("trust-principal-aws-star-in-list", "trust", trust({"AWS": [f"arn:aws:iam::{ACCT}:root", "*"]}), "TRU-001"),
    ("trust-any-account-root", "trust", trust({"AWS": "arn:aws:iam::*:root"}), "TRU-001"),
    ("trust-wildcard-in-account-id", "trust", trust({"AWS": "arn:aws:iam::1111*:root"}), "TRU-001"),
    ("trust-account-root-without-condition", "trust", trust({"AWS": f"arn:aws:iam::{ACCT}:root"}), "TRU-002"),
    ("trust-bare-account-id", "trust", trust({"AWS": "444455556666"}), "TRU-002"),
    ("trust-account-root-mfa-if-exists", "trust",
     trust({"AWS": f"arn:aws:iam::{ACCT}:root"}, condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}),
     "TRU-002"),
    ("trust-account-root-mfa-false", "trust",
     trust({"AWS": f"arn:aws:iam::{ACCT}:root"}, condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}),
     "TRU-002"),
    ("trust-account-root-principal-arn-star", "trust",
     trust({"AWS": f"arn:aws:iam::{ACCT}:root"}, condition={"StringLike": {"aws:PrincipalArn": "*"}}), "TRU-002"),
    ("trust-foreign-account-external-id-negated", "trust",
     trust({"AWS": "arn:aws:iam::444455556666:root"}, condition={"StringNotEquals": {"sts:ExternalId": "x1"}}),
     "TRU-002"),
    ("github-sub-org-wildcard", "trust", github("StringLike", "repo:acme/*"), "TRU-006"),
    ("github-sub-star", "trust", github("StringLike", "*"), "TRU-006"),
    ("github-sub-repo-star", "trust", github("StringLike", "repo:*"), "TRU-006"),
    ("github-sub-org-star-prefix", "trust", github("StringLike", "repo:acme*/web:*"), "TRU-006"),
    ("github-no-sub", "trust",
     trust({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity", {"StringEquals": GH_AUD}), "TRU-006"),
    ("github-sub-if-exists", "trust", github("StringLikeIfExists", "repo:acme/web:*"), "TRU-006"),
    ("github-sub-for-all-values", "trust", github("ForAllValues:StringLike", "repo:acme/web:*"), "TRU-006"),
    ("github-missing-aud", "trust", github("StringEquals", "repo:acme/web:ref:refs/heads/main", aud=None), "TRU-005"),
    ("github-aud-star", "trust",
     github("StringEquals", "repo:acme/web:ref:refs/heads/main",
            aud=None) | {"Statement": [{"Effect": "Allow", "Principal": {"Federated": GITHUB},
                                        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {
                                            "StringEquals": {"token.actions.githubusercontent.com:sub":
                                                             "repo:acme/web:ref:refs/heads/main"},
                                            "StringLike": {"token.actions.githubusercontent.com:aud": "*"}}}]},
     "TRU-005"),
    ("service-principal-without-source-account", "trust", trust({"Service": "lambda.amazonaws.com"}), "TRU-009"),
]

DOCUMENTS_MUST_PASS: list[tuple[str, str, dict, tuple[str, ...]]] = [
    ("passrole-named-roles-with-passed-to-service", "identity",
     policy(allow("iam:PassRole", [f"arn:aws:iam::{ACCT}:role/app/web-fn"], TO_LAMBDA), allow(PASS_LAMBDA)),
     ("PRV-005", "PRV-006")),
    ("passrole-role-path-with-passed-to-service", "identity",
     policy(allow("iam:PassRole", f"arn:aws:iam::{ACCT}:role/app/*", TO_LAMBDA)), ("PRV-005", "PRV-006")),
    ("passrole-to-another-service-than-the-method", "identity",
     policy(allow("iam:PassRole", "*", {"StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}}),
            allow("ec2:RunInstances")), ("PRV-005",)),
    ("full-deny-of-passrole", "identity",
     policy(allow(["iam:PassRole", "ec2:RunInstances"]), deny("iam:PassRole")), ("PRV-005",)),
    ("deny-unless-passed-to-glue", "identity",
     policy(allow(["iam:PassRole", "ec2:RunInstances"]),
            deny("iam:PassRole", "*", {"StringNotEquals": {"iam:PassedToService": "glue.amazonaws.com"}})),
     ("PRV-005",)),
    ("iam-read-only", "identity", policy(allow(["iam:Get*", "iam:List*"])), ("PRV-005", "PRV-001", "PRV-003")),
    ("boundary-with-service-wildcards", "boundary", policy(allow(["s3:*", "dynamodb:*", "lambda:*"])),
     ("PRV-003", "PRV-001", "PRV-002")),
    ("create-role-with-a-named-boundary", "identity",
     policy(allow(["iam:CreateRole", "iam:PutRolePolicy"], f"arn:aws:iam::{ACCT}:role/app/*",
                  {"StringEquals": {"iam:PermissionsBoundary": f"arn:aws:iam::{ACCT}:policy/app-boundary"}})),
     ("PRV-005",)),
    ("github-sub-one-repo", "trust", github("StringLike", "repo:acme/web:*"), ("TRU-005", "TRU-006")),
    ("github-sub-one-branch", "trust", github("StringEquals", "repo:acme/web:ref:refs/heads/main"),
     ("TRU-005", "TRU-006")),
    ("trust-account-root-with-mfa", "trust",
     trust({"AWS": f"arn:aws:iam::{ACCT}:root"}, condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
     ("TRU-001", "TRU-002")),
    ("trust-foreign-account-with-external-id", "trust",
     trust({"AWS": "arn:aws:iam::444455556666:root"}, condition={"StringEquals": {"sts:ExternalId": "acme-7f3a"}}),
     ("TRU-001", "TRU-002")),
    ("service-principal-with-source-account", "trust",
     trust({"Service": "lambda.amazonaws.com"}, condition={"StringEquals": {"aws:SourceAccount": ACCT}}),
     ("TRU-009",)),
]


@pytest.mark.parametrize(("kind", "document", "rule"), [c[1:] for c in DOCUMENTS_MUST_FLAG],
                         ids=[c[0] for c in DOCUMENTS_MUST_FLAG])
def test_document_is_flagged(kind: str, document: dict, rule: str) -> None:
    assert rule in rules_of(doc_findings(document, kind))


@pytest.mark.parametrize(("kind", "document", "rules"), [c[1:] for c in DOCUMENTS_MUST_PASS],
                         ids=[c[0] for c in DOCUMENTS_MUST_PASS])
def test_benign_document_is_not_flagged(kind: str, document: dict, rules: tuple[str, ...]) -> None:
    found = rules_of(doc_findings(document, kind))
    assert not found & set(rules), found


# --- Specs -----------------------------------------------------------------------------------

HEADER = f"""
version: 1
account: {{id: "{ACCT}", regions: [us-east-1]}}
boundaries:
  eng:
    allow: [{{actions: ["s3:*", "lambda:*", "dynamodb:*", "logs:*"], resources: ["*"]}}]
  wide:
    allow: [{{actions: ["iam:*", "sts:*", "lambda:*", "ec2:*"], resources: ["*"]}}]
"""
HUMAN_TRUST = f'{{aws_principals: ["arn:aws:iam::{ACCT}:root"], require_mfa: true}}'


def department(name: str, body: str, boundary: str | None = None, users: str = "") -> str:
    """One department block; ``body`` is the YAML of its ``roles:`` (already indented by 4)."""
    lines = [f"  {name}:", f"    tag_value: {name.title()}", "    owner: a@b.example"]
    if boundary:
        lines.append(f"    boundary: {boundary}")
    if users:
        lines.append(f"    users: [{users}]")
    return "\n".join(lines) + "\n" + body


def spec(*departments: str) -> str:
    return HEADER + "departments:\n" + "".join(departments)


def role(key: str, permissions: str = "", extra: str = "", trust: str = HUMAN_TRUST) -> str:
    text = f"    roles:\n      {key}:\n        trust: {trust}\n"
    if permissions:
        text += f"        permissions:\n{textwrap.indent(textwrap.dedent(permissions).strip(), ' ' * 10)}\n"
    if extra:
        text += textwrap.indent(textwrap.dedent(extra).strip(), " " * 8) + "\n"
    return text


def group(permissions: str) -> str:
    return f"    permissions:\n{textwrap.indent(textwrap.dedent(permissions).strip(), ' ' * 6)}\n"


def managed(*names: str, boundary: str | None = None) -> str:
    """A spec whose one role attaches the named AWS managed policies."""
    arns = ", ".join(f'"arn:aws:iam::aws:policy/{n}"' for n in names)
    return spec(department("eng", role("dev", extra=f"managed_policies: [{arns}]"), boundary))


UNBOUNDED_ADMIN = department("ops", role("admin", '- {actions: ["ec2:Describe*"], resources: ["*"]}'))
PASSROLE_ALL = '- {actions: ["iam:PassRole"], resources: ["*"]}'
LAMBDA_CREATE = '- {actions: ["lambda:CreateFunction", "lambda:InvokeFunction"], resources: ["*"]}'
R = "departments.eng.roles.dev"

# (case id, spec text, rule that must fire, spec path it must be reported at, text the message must contain)
SPECS_MUST_FLAG: list[tuple[str, str, str, str, str]] = [
    ("split-between-inline-and-managed-policy",
     spec(department("eng", role("dev", PASSROLE_ALL,
                                 'managed_policies: ["arn:aws:iam::aws:policy/AmazonEC2FullAccess"]'))),
     "PRV-005", R, "CreateEC2WithExistingIP"),
    ("passrole-on-all-roles-of-the-account",
     spec(department("eng", role("dev", f'- {{actions: ["iam:PassRole"], resources: ["arn:aws:iam::{ACCT}:role/*"], '
                                        'conditions: {StringEquals: {"iam:PassedToService": ["lambda.amazonaws.com"]}}}\n'
                                 + LAMBDA_CREATE), "wide"), UNBOUNDED_ADMIN),
     "PRV-005", R, "PassExistingRoleToNewLambdaThenInvoke"),
    ("unbounded-role-passing-roles-outside-the-spec",
     spec(department("eng", role("dev", f'- {{actions: ["iam:PassRole"], resources: ["arn:aws:iam::{ACCT}:role/adm*"]}}\n'
                                 + LAMBDA_CREATE))),
     "PRV-005", R, "PassExistingRoleToNewLambdaThenInvoke"),
    ("wide-boundary-does-not-hide-escalation",
     spec(department("eng", role("dev", '- {actions: ["iam:PutRolePolicy", "sts:AssumeRole"], resources: ["*"]}'),
                     "wide")),
     "PRV-005", R, "PutRolePolicy"),
    ("group-permissions-escalate-for-users",
     spec(department("eng", group('- {actions: ["iam:CreateAccessKey"], resources: ["*"]}'), "wide", "alice")),
     "PRV-005", "departments.eng.users[0]", "CreateAccessKey"),
    ("group-passrole-split-over-statements",
     spec(department("eng", group(PASSROLE_ALL + "\n" + '- {actions: ["ec2:RunInstances"], resources: ["*"]}'),
                     users="alice")),
     "PRV-005", "departments.eng.users[0]", "CreateEC2WithExistingIP"),
    ("can-create-roles-without-a-boundary",
     spec(department("eng", role("dev", extra="can_create_roles: true"))),
     "PB-002", f"{R}.can_create_roles", "boundary"),
    ("administrator-access", managed("AdministratorAccess"), "PRV-004", f"{R}.managed_policies[0]",
     "customer-managed policy"),
    ("administrator-access-is-full-admin", managed("AdministratorAccess"), "PRV-001", f"{R}.managed_policies[0]",
     "every action"),
    ("iam-full-access", managed("IAMFullAccess"), "PRV-004", f"{R}.managed_policies[0]", "can_create_roles"),
    ("iam-full-access-escalates", managed("IAMFullAccess"), "PRV-005", R, "escalate"),
    ("power-user-access", managed("PowerUserAccess"), "PRV-004", f"{R}.managed_policies[0]", "permissions:"),
    ("s3-full-access", managed("AmazonS3FullAccess"), "PRV-004", f"{R}.managed_policies[0]", "arn:aws:s3:::bucket"),
    ("tag-role-anywhere",
     spec(department("eng", role("dev", '- {actions: ["iam:TagRole"], resources: ["*"]}'), "wide")),
     "TAG-003", R, "iam:TagRole"),
    ("tag-own-role",
     spec(department("eng", role("dev", f'- {{actions: ["iam:TagRole", "iam:UntagRole"], '
                                        f'resources: ["arn:aws:iam::{ACCT}:role/eng/eng-dev"]}}'), "wide")),
     "TAG-003", R, "tags"),
    ("tag-keys-for-any-value-does-not-guard",
     spec(department("eng", role("dev", '- {actions: ["iam:TagRole"], resources: ["*"], '
                                        'conditions: {"ForAnyValue:StringEquals": {"aws:TagKeys": ["Owner"]}}}'),
                     "wide")),
     "TAG-003", R, "iam:TagRole"),
    ("tag-keys-allow-list-with-the-abac-key",
     spec(department("eng", role("dev", '- {actions: ["iam:TagRole"], resources: ["*"], '
                                        'conditions: {"ForAllValues:StringEquals": {"aws:TagKeys": ["Department"]}}}'),
                     "wide")),
     "TAG-003", R, "iam:TagRole"),
    ("tag-keys-denied-for-some-authorization-keys-only",
     spec(department("eng", role("dev", '- {actions: ["iam:TagRole"], resources: ["*"]}\n'
                                        '- {effect: Deny, actions: ["iam:TagRole"], resources: ["*"], '
                                        'conditions: {"ForAnyValue:StringEquals": {"aws:TagKeys": ["Owner"]}}}'),
                     "wide")),
     "TAG-003", R, "iam:TagRole"),
    ("tag-keys-allow-list-with-the-abac-key-in-another-case",
     spec(department("eng", role("dev", '- {actions: ["iam:TagRole"], resources: ["*"], '
                                        'conditions: {"ForAllValues:StringEquals": {"aws:TagKeys": ["department"]}}}'),
                     "wide")),
     "TAG-003", R, "iam:TagRole"),
    ("tag-wildcard-action",
     spec(department("eng", role("dev", '- {actions: ["iam:Tag*"], resources: ["*"]}'), "wide")),
     "TAG-003", R, "iam:TagRole"),
    ("tag-user-through-the-group",
     spec(department("eng", group('- {actions: ["iam:TagUser"], resources: ["*"]}'), "wide", "alice")),
     "TAG-003", "departments.eng.users[0]", "iam:TagUser"),
    ("abac-passrole-reaches-an-unbounded-admin-of-the-same-department",
     spec(department("eng", role("dev", extra='abac: {actions: ["iam:PassRole", "lambda:CreateFunction", '
                                              '"lambda:InvokeFunction"]}')
                     + '      admin:\n        trust: ' + HUMAN_TRUST + '\n'
                     + '        permissions: [{actions: ["iam:*"], resources: ["*"]}]\n')),
     "PRV-005", R, "PassExistingRoleToNewLambdaThenInvoke"),
    ("human-role-without-mfa",
     spec(department("eng", role("dev", trust=f'{{aws_principals: ["arn:aws:iam::{ACCT}:role/x"]}}'), "wide")),
     "TRU-004", f"{R}.trust.require_mfa", "MFA"),
    ("third-party-without-external-id",
     spec(department("eng", role("dev", trust='{external_account: {account_id: "444455556666"}}'), "eng")),
     "TRU-003", f"{R}.trust.external_account", "external_id"),
    ("github-subject-any-repo-of-the-org",
     spec(department("eng", role("dev", trust='{github_oidc: {subjects: ["repo:acme/*:ref:refs/heads/main"]}}'),
                     "eng")),
     "TRU-006", f"{R}.trust", "repo:acme/*"),
]

SPECS_MUST_PASS: list[tuple[str, str, tuple[str, ...]]] = [
    ("passrole-to-a-named-bounded-role-with-passed-to-service",
     spec(department("eng", role("dev", f'- {{actions: ["iam:PassRole"], resources: ["arn:aws:iam::{ACCT}:role/eng/eng-fn"], '
                                        'conditions: {StringEquals: {"iam:PassedToService": ["lambda.amazonaws.com"]}}}\n'
                                 + LAMBDA_CREATE)
                     + "      fn:\n        trust: {services: [lambda.amazonaws.com]}\n"
                     + '        permissions: [{actions: ["logs:PutLogEvents"], resources: ["*"]}]\n', "eng")),
     ("PRV-005", "PRV-006")),
    ("boundary-that-does-not-allow-the-escalation",
     spec(department("eng", role("dev", '- {actions: ["iam:PutRolePolicy", "sts:AssumeRole"], resources: ["*"]}'),
                     "eng")),
     ("PRV-005",)),
    ("read-only-managed-policies", managed("ReadOnlyAccess", "ViewOnlyAccess", "SecurityAudit", boundary="eng"),
     ("PRV-001", "PRV-004", "PRV-005")),
    ("boundary-service-wildcards",
     spec(department("eng", role("dev", '- {actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme/*"]}'), "eng")),
     ("PRV-003", "PRV-001")),
    ("tag-keys-allow-list-without-authorization-keys",
     spec(department("eng", role("dev", '- {actions: ["iam:TagRole"], resources: ["*"], '
                                        'conditions: {"ForAllValues:StringEquals": {"aws:TagKeys": ["CostCenter"]}}}'),
                     "wide")),
     ("TAG-003",)),
    ("delegated-role-creation-under-a-boundary-that-allows-iam",
     spec(department("eng", role("dev", extra="can_create_roles: true"), "wide")),
     ("PRV-005", "PB-002", "PB-005", "TAG-003")),
    ("tag-keys-denied-for-any-authorization-key",
     spec(department("eng", role("dev", '- {actions: ["iam:TagRole", "iam:UntagRole"], resources: ["*"]}\n'
                                        '- {effect: Deny, actions: ["iam:TagRole", "iam:UntagRole"], resources: ["*"], '
                                        'conditions: {"ForAnyValue:StringEquals": '
                                        '{"aws:TagKeys": ["Department", "Owner"]}}}'), "wide")),
     ("TAG-003",)),
    ("abac-passrole-within-a-department-sharing-one-boundary",
     spec(department("eng", role("dev", extra='abac: {actions: ["iam:PassRole", "lambda:CreateFunction", '
                                              '"lambda:InvokeFunction"]}')
                     + '      fn:\n        trust: {services: [lambda.amazonaws.com]}\n'
                     + '        permissions: [{actions: ["ec2:Describe*"], resources: ["*"]}]\n', "wide")),
     ("PRV-005",)),
    ("delegated-role-creation-with-boundary",
     spec(department("eng", role("dev", extra="can_create_roles: true"), "eng")),
     ("PRV-005", "PB-002", "PB-005", "TAG-003")),
]


@pytest.mark.parametrize(("text", "rule", "path", "words"), [c[1:] for c in SPECS_MUST_FLAG],
                         ids=[c[0] for c in SPECS_MUST_FLAG])
def test_spec_is_flagged(text: str, rule: str, path: str, words: str) -> None:
    found = [f for f in spec_findings(text) if f.rule_id == rule]
    assert [f for f in found if f.path == path and words in f.message], [(f.path, f.message) for f in found]


@pytest.mark.parametrize(("text", "rules"), [c[1:] for c in SPECS_MUST_PASS], ids=[c[0] for c in SPECS_MUST_PASS])
def test_benign_spec_is_not_flagged(text: str, rules: tuple[str, ...]) -> None:
    found = [(f.rule_id, f.path, f.message) for f in spec_findings(text) if f.rule_id in rules]
    assert not found, found
