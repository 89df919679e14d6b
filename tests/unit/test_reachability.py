"""Reachability (PRV-021): who can become whom, in an account's authorization details and in a spec."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from generator.analysis.reachability import ComputeIndex
from generator.audit import options
from generator.audit.details import parse_details
from generator.audit.run import run_audit
from generator.rules.engine import validate_spec
from generator.spec import load_spec_text

A = "111122223333"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions, resources="*") -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resources}


def trusts(*principals: str, service: str | None = None) -> dict:
    principal = {"Service": service} if service else {"AWS": list(principals)}
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


def role(name: str, trust: dict, inline: list[dict] = (), attached: tuple[str, ...] = ()) -> dict:
    return {"RoleName": name, "Arn": arn("role", name), "Path": "/", "AssumeRolePolicyDocument": trust,
            "RolePolicyList": [{"PolicyName": f"p{i}", "PolicyDocument": d} for i, d in enumerate(inline)],
            "AttachedManagedPolicies": [{"PolicyArn": a, "PolicyName": a.rsplit("/", 1)[-1]} for a in attached]}


def user(name: str, inline: list[dict] = ()) -> dict:
    return {"UserName": name, "Arn": arn("user", name), "Path": "/",
            "UserPolicyList": [{"PolicyName": f"p{i}", "PolicyDocument": d} for i, d in enumerate(inline)]}


def arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{A}:{kind}/{name}"


def audit(roles: list[dict], users: list[dict] = (), policies: list[dict] = (), compute: ComputeIndex | None = None):
    details = parse_details({"RoleDetailList": list(roles), "UserDetailList": list(users), "Policies": list(policies)},
                            "details.json")
    details.compute = compute
    return run_audit(details, None, options(date(2026, 6, 1))).findings


def prv021(findings) -> dict[str, object]:
    return {f.path: f for f in findings if f.rule_id == "PRV-021"}


def chain_roles(last_policy: str) -> list[dict]:
    """iam-vulnerable's privesc-AssumeRole: start (nothing of its own) -> middle -> last."""
    return [role("start", trusts(arn("user", "dev"))),
            role("middle", trusts(arn("role", "start"))),
            role("last", trusts(arn("role", "middle")), attached=(last_policy,))]


def test_a_chain_of_three_roles_ending_in_admin_is_named() -> None:
    found = prv021(audit(chain_roles(ADMIN), [user("dev")]))
    assert set(found) == {"role/start", "role/middle", "user/dev"}
    assert "role/start -> role/middle -> role/last (admin)" in found["role/start"].message
    assert "user/dev -> role/start -> role/middle -> role/last (admin)" in found["user/dev"].message
    assert "its trust policy names role/start" in found["role/start"].message
    assert found["role/start"].severity.value == "error"


def test_a_chain_ending_in_a_read_only_role_is_not_flagged() -> None:
    assert prv021(audit(chain_roles(READ), [user("dev")])) == {}


def test_trust_naming_the_account_needs_an_sts_grant() -> None:
    admin = role("admin", trusts(f"arn:aws:iam::{A}:root"), attached=(ADMIN,))
    assert prv021(audit([admin], [user("dev")])) == {}
    scoped = user("dev", [doc(allow("sts:AssumeRole", arn("role", "admin")))])
    found = prv021(audit([admin], [scoped]))
    assert set(found) == {"user/dev"}
    assert "user/dev -> role/admin (admin)" in found["user/dev"].message
    other = user("dev", [doc(allow("sts:AssumeRole", arn("role", "someone-else")))])
    assert prv021(audit([admin], [other])) == {}


def test_a_scoped_passrole_to_an_admin_role_with_lambda_create_and_invoke() -> None:
    admin = role("lambda-admin", trusts(service="lambda.amazonaws.com"), attached=(ADMIN,))
    deployer = role("deployer", trusts(arn("user", "ci")), [doc(
        allow("iam:PassRole", arn("role", "lambda-admin")),
        allow(["lambda:CreateFunction", "lambda:InvokeFunction"]))])
    found = prv021(audit([admin, deployer]))
    assert "role/deployer -> role/lambda-admin (admin)" in found["role/deployer"].message
    assert "PassExistingRoleToNewLambdaThenInvoke" in found["role/deployer"].message
    # Without InvokeFunction the function never runs; a role the service cannot assume is no target.
    half = role("deployer", trusts(arn("user", "ci")), [doc(
        allow("iam:PassRole", arn("role", "lambda-admin")), allow("lambda:CreateFunction"))])
    assert prv021(audit([admin, half])) == {}
    ec2_admin = role("lambda-admin", trusts(service="ec2.amazonaws.com"), attached=(ADMIN,))
    assert prv021(audit([ec2_admin, deployer])) == {}


def test_update_assume_role_policy_alone_reaches_the_role() -> None:
    admin = role("admin", trusts(f"arn:aws:iam::{A}:root"), attached=(ADMIN,))
    rewriter = user("ops", [doc(allow("iam:UpdateAssumeRolePolicy", arn("role", "admin")))])
    found = prv021(audit([admin], [rewriter]))
    assert "user/ops -> role/admin (admin)" in found["user/ops"].message
    assert "iam:UpdateAssumeRolePolicy" in found["user/ops"].message
    harmless = role("reader", trusts(f"arn:aws:iam::{A}:root"), attached=(READ,))
    other = user("ops", [doc(allow("iam:UpdateAssumeRolePolicy", arn("role", "reader")))])
    assert prv021(audit([admin, harmless], [other])) == {}


def test_create_policy_version_on_a_policy_of_a_role_the_actor_can_assume() -> None:
    policy_arn = f"arn:aws:iam::{A}:policy/app"
    policy = {"Arn": policy_arn, "PolicyName": "app", "Path": "/", "DefaultVersionId": "v1",
              "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True,
                                     "Document": doc(allow("s3:GetObject", "arn:aws:s3:::b/*"))}]}
    app = role("app", trusts(arn("user", "dev")), attached=(policy_arn,))
    dev = user("dev", [doc(allow("iam:CreatePolicyVersion", policy_arn))])
    found = prv021(audit([app], [dev], [policy]))
    assert "user/dev -> role/app (permissions rewritable by user/dev)" in found["user/dev"].message
    assert "iam:CreatePolicyVersion on arn:aws:iam::111122223333:policy/app" in found["user/dev"].message
    stranger = role("app", trusts(arn("user", "someone")), attached=(policy_arn,))
    assert "user/dev" not in prv021(audit([stranger], [dev], [policy]))


def test_update_function_code_on_a_named_function_from_files_is_a_warning() -> None:
    admin = role("fn-admin", trusts(service="lambda.amazonaws.com"), attached=(ADMIN,))
    fn = f"arn:aws:lambda:us-east-1:{A}:function:billing"
    dev = user("dev", [doc(allow("lambda:UpdateFunctionCode", fn))])
    found = prv021(audit([admin], [dev]))
    assert found["user/dev"].severity.value == "warning"
    assert "the role it runs as is unknown" in found["user/dev"].message and "role/fn-admin (admin)" in found["user/dev"].message
    # Known roles (--from-aws): precise, at error when the function runs as the admin role ...
    index = ComputeIndex({"function": {fn: arn("role", "fn-admin")}})
    known = prv021(audit([admin], [dev], compute=index))
    assert known["user/dev"].severity.value == "error"
    assert "user/dev -> role/fn-admin (admin)" in known["user/dev"].message
    # ... and nothing when it runs as a harmless role.
    reader = role("fn-reader", trusts(service="lambda.amazonaws.com"), attached=(READ,))
    harmless = ComputeIndex({"function": {fn: arn("role", "fn-reader")}})
    assert prv021(audit([admin, reader], [dev], compute=harmless)) == {}
    # From files with no privileged role that Lambda could run as: nothing to say.
    assert prv021(audit([reader], [dev])) == {}


def test_prv016_runs_in_audit_and_self_methods_fit_the_principal_kind() -> None:
    admin = role("fn-admin", trusts(service="lambda.amazonaws.com"), attached=(ADMIN,))
    findings = audit([admin])
    assert ("PRV-016", "role/fn-admin/trust") in {(f.rule_id, f.path) for f in findings}
    from generator.analysis.escalation import methods
    from generator.analysis.escalation import applies_to

    by_id = {m.id: m for m in methods()}
    assert not applies_to(by_id["AttachRolePolicyToSelf"], "user")
    assert not applies_to(by_id["PutRolePolicyOnSelf"], "user")
    assert applies_to(by_id["DeleteOwnUserBoundary"], "user")
    assert not applies_to(by_id["DeleteOwnUserBoundary"], "role")
    assert applies_to(by_id["AttachRolePolicyToSelf"], "role")


SPEC = """
version: 1
account: {{id: '{a}', regions: [us-east-1]}}
boundaries:
  eng: {{allow: [{{actions: ['s3:*', 'sts:AssumeRole'], resources: ['*']}}]}}
departments:
  engineering:
    tag_value: Engineering
    owner: eng@acme.example
    boundary: eng
    users: [alice]
    roles:
      developer:
        trust: {{aws_principals: ['arn:aws:iam::{a}:root'], require_mfa: true}}
        permissions:
          - actions: [sts:AssumeRole]
            resources: ['{target}']
  platform:
    tag_value: Platform
    owner: platform@acme.example
    roles:
      admin:
        trust: {{aws_principals: ['arn:aws:iam::{a}:root'], require_mfa: true}}
        permissions:
          - actions: ['*']
            resources: ['*']
      reader:
        trust: {{aws_principals: ['arn:aws:iam::{a}:root'], require_mfa: true}}
        permissions:
          - actions: ['s3:GetObject']
            resources: ['arn:aws:s3:::reports/*']
"""


def spec_findings(target: str) -> dict[str, object]:
    spec = load_spec_text(SPEC.format(a=A, target=target), "spec.yaml")
    return prv021(validate_spec(spec, today=date(2026, 6, 1)))


def test_validate_flags_a_department_role_that_can_assume_a_more_privileged_role() -> None:
    found = spec_findings(f"arn:aws:iam::{A}:role/platform/platform-admin")
    assert set(found) == {"departments.engineering.roles.developer"}
    message = found["departments.engineering.roles.developer"].message
    assert "role/engineering-developer -> role/platform-admin (admin)" in message


def test_validate_does_not_flag_the_human_path_or_a_read_only_target() -> None:
    # alice assumes her department's MFA human role (developer) by design; developer reaches a reader.
    assert spec_findings(f"arn:aws:iam::{A}:role/platform/platform-reader") == {}


def test_a_user_is_never_the_target_of_its_own_role_methods() -> None:
    # iam:AttachRolePolicy on every role: no "attach to own role" for a user (it has no role of its own).
    dev = user("dev", [doc(allow("iam:AttachRolePolicy", f"arn:aws:iam::{A}:role/*"))])
    messages = [f.message for f in audit([], [dev]) if f.rule_id == "PRV-005"]
    assert not any("AttachRolePolicyToSelf" in m for m in messages)


def test_the_principal_index_finds_by_pattern_what_a_scan_finds() -> None:
    """PrincipalIndex.matching reads only the ARNs sharing the pattern's literal start; it must give
    exactly what matching the pattern against every principal gives."""
    from benchmarks.synthetic import synthetic_yaml

    from generator.analysis.arn import glob_match
    from generator.analysis.targets import principal_index
    from generator.spec import load_spec_text

    index = principal_index(load_spec_text(synthetic_yaml(60), "s.yaml"))
    account = index[0].arn.split(":")[4]
    for kind in ("role", "user", "group"):
        for pattern in (f"arn:aws:iam::{account}:{kind}/*", f"arn:aws:iam::{account}:{kind}/dept00*",
                        f"arn:aws:iam::*:{kind}/*", "*", f"arn:aws:iam::{account}:{kind}/d?pt01/*", index[3].arn):
            scanned = sorted(p.arn for p in index if p.kind == kind and glob_match(pattern, p.arn))
            assert sorted(p.arn for p in index.matching(kind, pattern)) == scanned, (kind, pattern)
