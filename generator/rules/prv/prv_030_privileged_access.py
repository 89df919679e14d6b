"""PRV-030: each privileged role (``privileged:``) carries the controls that compensate for its stated risk."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.findings import Finding, Severity
from generator.policies.cloudtrail import cloudtrail_layout
from generator.policies.privileged import APPLY_BOUNDARY_NAME, BREAK_GLASS_ALARM_NAME
from generator.policies.trust import GITHUB_OIDC_HOST, github_oidc_provider_arn
from generator.rules.base import Rule
from generator.rules.context import Context
from generator.spec.model import Role, Spec

RISKS = {
    "break_glass": "full administrator access (AdministratorAccess), for emergencies",
    "apply": "administers what the generated Terraform manages (IAM on iamforge's paths, the trail, its key)",
    "plan": "reads the account's IAM configuration and the Terraform state",
    "onboarding": "sets console passwords of department users",
}
# The boundary statements that keep the apply role from granting itself more.
APPLY_GUARDS = ("DenyPrivilegedRoleChanges", "DenyApplyBoundaryChanges", "DenyBoundaryRemoval",
                "DenyCreateOrChangeWithoutDepartmentBoundary", "DenyAssumingRoles")
MAX_MFA_AGE = 3600
LOGIN_PROFILE = {"iam:createloginprofile", "iam:updateloginprofile", "iam:deleteloginprofile", "iam:getloginprofile"}


def _statements(doc: Any) -> list[dict]:
    body = doc.document if doc is not None else {}
    found = body.get("Statement", []) if isinstance(body, dict) else []
    return [s for s in ([found] if isinstance(found, dict) else found) if isinstance(s, dict)]


def _values(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _principals(stmt: dict) -> dict[str, list[str]]:
    p = stmt.get("Principal", {})
    return {k: _values(v) for k, v in p.items()} if isinstance(p, dict) else {"AWS": _values(p)}


def _user_trust_problems(stmts: list[dict], max_age: int | None) -> list[str]:
    """Problems of a trust meant for named users with MFA (break-glass, onboarding)."""
    problems = []
    for stmt in (s for s in stmts if s.get("Effect") == "Allow"):
        principals = _principals(stmt)
        if set(principals) - {"AWS"}:
            problems.append(f"it is trusted by {', '.join(sorted(set(principals) - {'AWS'}))} principals "
                            "(a service or an OIDC subject), not only by users")
        if any(":user/" not in a for a in principals.get("AWS", [])):
            problems.append("its trust names principals other than users (an account, a role or *)")
        cond = stmt.get("Condition", {}) or {}
        if "true" not in [v.lower() for v in _values(cond.get("Bool", {}).get("aws:MultiFactorAuthPresent", []))]:
            problems.append("its trust does not require aws:MultiFactorAuthPresent")
        ages = [int(v) for v in _values(cond.get("NumericLessThan", {}).get("aws:MultiFactorAuthAge", []))
                if str(v).isdigit()]
        if max_age is not None and (not ages or max(ages) > max_age):
            problems.append(f"its trust does not require MFA younger than {max_age} seconds "
                            "(NumericLessThan aws:MultiFactorAuthAge)")
    if not stmts:
        problems.append("it has no trust policy")
    return problems


def _github_trust_problems(spec: Spec, stmts: list[dict], environment: bool) -> list[str]:
    """Problems of a trust meant for GitHub subjects only: exactly one environment subject (apply),
    or exact subjects (plan, which is read-only)."""
    allows = [s for s in stmts if s.get("Effect") == "Allow"]
    if len(allows) != 1:
        return [f"its trust has {len(allows)} statements; exactly one GitHub Actions subject may assume it"]
    stmt = allows[0]
    problems = []
    if _principals(stmt) != {"Federated": [github_oidc_provider_arn(spec)]}:
        problems.append("its trust names principals other than the account's GitHub Actions OIDC provider")
    cond = stmt.get("Condition", {}) or {}
    if set(cond) != {"StringEquals"}:
        problems.append(f"its trust conditions use {', '.join(sorted(set(cond) - {'StringEquals'}) or ['none'])}: "
                        "only StringEquals on aud and sub pins one subject")
    equals = cond.get("StringEquals", {}) or {}
    subjects = _values(equals.get(f"{GITHUB_OIDC_HOST}:sub", []))
    if not subjects or any(c in s for s in subjects for c in "*?"):
        problems.append("its trust does not pin exact GitHub subjects (no wildcards)")
    elif environment and len(subjects) != 1:
        problems.append(f"its trust allows {len(subjects)} GitHub subjects; exactly one environment's may apply")
    elif environment and ":environment:" not in subjects[0]:
        problems.append(f"its GitHub subject {subjects[0]} is not a GitHub environment's (repo:<org>/<repo>:environment:<name>)")
    if not equals.get(f"{GITHUB_OIDC_HOST}:aud"):
        problems.append("its trust does not pin the aud claim")
    return problems


def _onboarding_problems(spec: Spec, ctx: Context, role: Role) -> list[str]:
    allowed = [spec.arn("iam", f"user/{d.key}/") for d in spec.departments.values()]
    problems = []
    for doc in ctx.documents:
        if doc.kind != "identity" or ("role", role.name) not in [tuple(a) for a in doc.attachments]:
            continue
        for stmt in (s for s in _statements(doc) if s.get("Effect") == "Allow"):
            actions = {a.lower() for a in _values(stmt.get("Action", []))}
            if "NotAction" in stmt or any(a in ("*", "iam:*") or a.endswith("loginprofile") or
                                          (a.endswith("*") and "loginprofile".startswith(a.split(":")[-1][:-1]))
                                          for a in actions):
                if "NotResource" in stmt or not all(any(r.startswith(p) for p in allowed)
                                                    for r in _values(stmt.get("Resource", []))):
                    problems.append(f"{doc.name} lets it set login profiles beyond the department users' paths "
                                    f"({', '.join(_values(stmt.get('Resource', stmt.get('NotResource', []))))})")
    return problems


class PrivilegedAccess(Rule):
    id = "PRV-030"
    title = "Privileged access controlled"
    grade = "HIGH"
    rationale = ("A team cannot run without a few privileged roles: break-glass, the role that applies the "
                 "Terraform, a read-only plan role and onboarding. Each carries one risk by design, accepted once "
                 "here (the rules that would report that risk stand down on it) on condition that the controls "
                 "that compensate for it are in place.")
    remediation = ("Keep the privileged roles as `privileged:` generates them; give `cloudtrail.alarms.email` so "
                   "the break-glass alarm reaches someone.")
    references = (
        "AWS IAM User Guide: Policy evaluation logic (resource-based policies and permissions boundaries) "
        "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)",
        "AWS Security Incident Response Guide: break-glass access "
        "(https://docs.aws.amazon.com/whitepapers/latest/organizing-your-aws-environment/break-glass-access.html)",
        "GitHub Docs: Configuring OpenID Connect in Amazon Web Services (environment subjects)",
        "AWS IAM User Guide: Permissions boundaries for IAM entities (delegating responsibility)",
        "CIS AWS Foundations v7.0 5.1-5.15 (CloudTrail metric filters and alarms)",
    )

    def check(self, ctx: Context) -> Iterator[Finding]:
        spec = ctx.spec
        if spec is None:
            return
        trusts = {d.key: d for d in ctx.documents}
        for kind, role in spec.privileged.roles.items():
            trust = trusts.get(f"privileged.{kind}.trust")
            controls, problems = self._judge(ctx, spec, kind, role, _statements(trust))
            for problem in problems:
                yield self.finding(role.path, f"{role.name} ({kind.replace('_', '-')}): {problem}")
            if not problems:
                yield self.finding(role.path, f"{role.name} ({kind.replace('_', '-')}) accepted: {RISKS[kind]}; "
                                              f"controls: {'; '.join(controls)}", Severity.INFO)

    def _judge(self, ctx: Context, spec: Spec, kind: str, role: Role, stmts: list[dict]) -> tuple[list[str], list[str]]:
        if kind == "break_glass":
            bg = spec.privileged.break_glass
            problems = _user_trust_problems(stmts, min(bg.mfa_max_age_seconds, MAX_MFA_AGE))
            if role.max_session_hours > 1:
                problems.append(f"sessions last {role.max_session_hours} hours; at most 1")
            lay = cloudtrail_layout(spec)
            if lay is None or not lay.cloudwatch_logs or not lay.sns:
                problems.append("no alarm on its use: it needs the trail's CloudWatch Logs and alarm topic")
            elif not spec.cloudtrail.alarms_email:
                problems.append("its alarm reaches nobody: give cloudtrail.alarms.email, the alarm topic's subscriber")
            users = ", ".join(a.rsplit("/", 1)[-1] for a in role.trust.aws_principals)
            return [f"assumed only by {users} (their user ARNs) with MFA younger than {bg.mfa_max_age_seconds} s",
                    f"sessions of {role.max_session_hours} h",
                    f"alarm {BREAK_GLASS_ALARM_NAME} on every AssumeRole, to {spec.cloudtrail.alarms_email}"], problems
        if kind in ("apply", "plan"):
            access = getattr(spec.privileged, kind)
            problems = _github_trust_problems(spec, stmts, environment=kind == "apply")
            controls = [f"assumed only by GitHub subject{'s' if len(access.subjects) > 1 else ''} "
                        f"{', '.join(access.subjects)}"]
            if kind == "apply":
                boundary = ctx.policies.boundary_of("role", role.name) if ctx.policies is not None else None
                sids = {s.get("Sid") for s in _statements(boundary)}
                missing = [g for g in APPLY_GUARDS if g not in sids]
                if boundary is None:
                    problems.append(f"it carries no permissions boundary ({APPLY_BOUNDARY_NAME})")
                elif missing:
                    problems.append(f"its boundary lacks {', '.join(missing)}")
                controls.append(f"bounded by {APPLY_BOUNDARY_NAME}: no change to the privileged roles or the "
                                "boundary, no role or user without a department boundary, no role assumed")
            else:
                controls.append("read-only (terraform plan -lock=false)")
            return controls, problems
        problems = _user_trust_problems(stmts, None) + _onboarding_problems(spec, ctx, role)
        users = ", ".join(a.rsplit("/", 1)[-1] for a in role.trust.aws_principals)
        return [f"assumed only by {users} with MFA", "login profiles of department users only, never of a "
                "privileged user"], problems
