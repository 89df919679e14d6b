"""Template contexts of the root modules: the root layout's, and each stack's in the stacks layout.

A root module configures the providers and calls child modules. Its context says which
modules it calls, with which arguments, and which checkov suppressions those modules carry
(its README lists them). ``modules`` arguments are the child contexts by blueprint name,
holding only the modules the output has.

In the stacks layout the account-wide objects live in the baseline stack; a department
stack finds the ones it needs (its boundaries, the force-MFA policy, the GitHub OIDC
provider) with data sources by their deterministic ARN, so each stack plans on its own
state and a department plans only once the baseline is applied.
"""
from __future__ import annotations

from typing import Any

from generator.policies import github_oidc_provider_arn, mfa_policy_arn
from generator.render.context_iam import RenderError
from generator.render.context_logging import regions
from generator.render.environment import catalogue, tf_name
from generator.render.hcl import Expr
from generator.render.suppressions import exception_skips
from generator.spec.model import Spec

# Child modules in the order the root layout's root module composes them.
MODULES = ("password_policy", "mfa", "boundaries", "departments", "roles", "access_analyzer", "cloudtrail",
           "privileged")
# The stacks layout: account-wide modules in the baseline stack, the rest in each department's.
BASELINE_MODULES = ("password_policy", "mfa", "boundaries", "access_analyzer", "cloudtrail", "privileged")
DEPARTMENT_MODULES = ("departments", "roles")
BASELINE_STACK = "baseline"


def _account(spec: Spec, modules: dict[str, dict[str, Any]], names: tuple[str, ...]) -> dict[str, Any]:
    """What every root context holds: the account, its regions, the modules it calls, their suppressions,
    and the conditions of the outputs that depend on those modules' options."""
    catalog = catalogue()
    analyzer = modules.get("access_analyzer") or {}
    return {
        "account_id": spec.account.id,
        "regions": regions(spec),
        "home_region": spec.account.home_region,
        "home_alias": tf_name(spec.account.home_region),
        "modules": {name: name in modules for name in names},
        "module_list": [{"name": n, "title": catalog[n].title} for n in names if n in modules],
        "suppressions": suppressions_in_use(modules) + [
            {"check_id": s.check_id, "module": module, "resource": "every resource block", "reason": s.reason}
            for module, skips in exception_skips(spec).items() if module in modules for s in skips],
        "external_access": bool(analyzer.get("external_access")),
        "alarm_topic": bool((modules.get("cloudtrail") or {}).get("sns")),
        "privileged_depends_on": (modules.get("privileged") or {}).get("depends_on", []),
        "privileged_args": (modules.get("privileged") or {}).get("args", {}),
    }


def _managed_policy_arns(modules: dict[str, dict[str, Any]], mfa: dict[str, Any] | None, arn: Expr) -> dict[str, Any]:
    """The departments module's ``managed_policy_arns``: the force-MFA policy is the only one."""
    managed: dict[str, Any] = {}
    for key in modules["departments"]["managed_policy_keys"]:
        if key != (mfa or {}).get("key"):
            raise RenderError(f"{key}: no module creates this managed policy")
        managed[key] = arn
    return managed


def root_context(spec: Spec, modules: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The root layout's root module: every child module, wired through module outputs."""
    boundaries = Expr("module.boundaries.arns") if "boundaries" in modules else {}
    args: dict[str, dict[str, Any]] = {}
    if "departments" in modules:
        managed = _managed_policy_arns(modules, modules.get("mfa"), Expr("module.mfa.policy_arn"))
        args["departments"] = {"boundary_arns": boundaries, "managed_policy_arns": managed}
    if "roles" in modules:
        args["roles"] = {"boundary_arns": boundaries}
    return {
        **_account(spec, modules, MODULES),
        "departments_args": args.get("departments", {}),
        "roles_args": args.get("roles", {}),
        "github": bool((modules.get("roles") or {}).get("github")),
    }


def baseline_context(spec: Spec, modules: dict[str, dict[str, Any]], github: dict[str, Any] | None,
                     departments: list[str]) -> dict[str, Any]:
    """The baseline stack: the account-wide modules and the GitHub OIDC provider (``github``: its attributes)."""
    return {**_account(spec, modules, BASELINE_MODULES), "github": github, "departments": departments}


def department_context(spec: Spec, key: str, modules: dict[str, dict[str, Any]],
                       mfa: dict[str, Any] | None, github: bool) -> dict[str, Any]:
    """The stack of department ``key``: its group, users and roles, on the baseline's objects.

    ``mfa`` is the baseline's force-MFA module context (None when MFA is not enforced);
    ``github`` says whether a role of the department trusts GitHub Actions.
    """
    users = modules["departments"]["users"].values()
    roles = (modules.get("roles") or {}).get("roles", {}).values()
    used = sorted({p["boundary"] for p in [*users, *roles] if p["boundary"]})
    boundaries = Expr("{ for k, p in data.aws_iam_policy.boundary : k => p.arn }") if used else {}
    managed = _managed_policy_arns(modules, mfa, Expr("data.aws_iam_policy.force_mfa.arn"))
    args = {"departments": {"boundary_arns": boundaries, "managed_policy_arns": managed}}
    if "roles" in modules:
        args["roles"] = {"boundary_arns": boundaries}
    return {
        **_account(spec, modules, DEPARTMENT_MODULES),
        "department": key,
        "boundary_policy_arns": {k: spec.boundary_arn(k) for k in used},
        "force_mfa_policy_arn": mfa_policy_arn(spec) if managed else None,
        "github_oidc_provider_arn": github_oidc_provider_arn(spec) if github else None,
        "github": github,
        "departments_args": args["departments"],
        "roles_args": args.get("roles", {}),
    }


def suppressions_in_use(modules: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """Every inline checkov suppression the given modules carry, for a root README."""
    found: list[dict[str, str]] = []

    def add(where: str, skips: Any) -> None:
        module, resource = where.split(": ")
        found.extend({"check_id": s.check_id, "module": module, "resource": resource, "reason": s.reason} for s in skips)

    if "boundaries" in modules:
        add("boundaries: aws_iam_policy.this", modules["boundaries"]["skips"])
    if "departments" in modules:
        add("departments: aws_iam_user.this", modules["departments"]["user_skips"])
        add("departments: aws_iam_group_policy.this", modules["departments"]["policy_skips"])
    if "roles" in modules:
        add("roles: aws_iam_role.this", modules["roles"]["role_skips"])
        add("roles: aws_iam_role_policy.this", modules["roles"]["policy_skips"])
    if "cloudtrail" in modules:
        ct = modules["cloudtrail"]
        add("cloudtrail: aws_cloudtrail.this", ct["trail"]["skips"])
        add("cloudtrail: aws_s3_bucket.this", ct["bucket"]["skips"])
        if ct["access_log_bucket"]:
            add("cloudtrail: aws_s3_bucket.access_logs", ct["access_log_bucket"]["skips"])
    if "privileged" in modules:
        pv = modules["privileged"]
        if pv["apply_boundary"]:
            add("privileged: aws_iam_policy.apply_boundary", pv["apply_boundary"]["skips"])
        add("privileged: aws_iam_role_policy_attachment.this", pv["attachment_skips"])
    return found
