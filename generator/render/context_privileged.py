"""Template context of the privileged module (``privileged:``): break-glass, apply, plan, onboarding.

The documents come from the policy set (``generator.policies.privileged``), as every module's do.
The account has one GitHub Actions OIDC provider: the roles module (root layout) or the baseline
stack creates it when a department role trusts GitHub, and this module otherwise.
"""
from __future__ import annotations

from typing import Any

from generator.policies.cloudtrail import cloudtrail_layout
from generator.policies.privileged import APPLY_BOUNDARY_NAME, BREAK_GLASS_ALARM_NAME
from generator.render.cis import NAMESPACE
from generator.render.context_iam import GITHUB_OIDC_URL, Ledger, _managed_policy, role_fields
from generator.render.hcl import Expr, Jsonencode
from generator.render.suppressions import suppressions
from generator.spec.model import Spec

KINDS = {"break_glass": "break-glass", "apply": "apply", "plan": "plan", "onboarding": "onboarding"}
RISKS = {
    "break_glass": "AdministratorAccess, for emergencies",
    "apply": "administers what this Terraform manages, within its boundary",
    "plan": "reads IAM, the trail's resources and the state",
    "onboarding": "console passwords of department users",
}


def break_glass_pattern(role_arn: str) -> str:
    """The CloudWatch Logs filter matching an AssumeRole of ``role_arn`` in the trail's events."""
    return f'{{ ($.eventName = "AssumeRole") && ($.requestParameters.roleArn = "{role_arn}") }}'


def github_audiences(spec: Spec) -> list[str]:
    """The ``aud`` claims the privileged GitHub roles expect (none without apply or plan)."""
    return sorted({a.audience for a in (spec.privileged.apply, spec.privileged.plan) if a is not None})


def privileged_context(spec: Spec, ledger: Ledger) -> dict[str, Any] | None:
    """The privileged roles with their documents; None when the spec has no ``privileged:`` role."""
    if not spec.privileged.roles:
        return None
    roles: dict[str, Any] = {}
    role_policies: dict[str, Any] = {}
    attachments: dict[str, Any] = {}
    boundary = ledger.maybe("privileged.apply.boundary")
    for kind, role in spec.privileged.roles.items():
        trust = ledger.take(f"privileged.{kind}.trust")
        keys = []
        permissions = ledger.maybe(f"privileged.{kind}.permissions")
        if permissions is not None:
            key = f"{role.name}/{permissions.name}"
            role_policies[key] = {"role": role.name, "name": permissions.name,
                                  "policy": Jsonencode(permissions.document)}
            keys.append(key)
        for arn in role.managed_policies:
            attachments[f"{role.name}/{arn}"] = {"role": role.name, "policy_arn": arn}
        roles[role.name] = {
            **role_fields(role, trust.document),
            "apply_boundary": kind == "apply" and boundary is not None,
            "inline_policy_keys": sorted(keys),
        }
    alarm = None
    lay = cloudtrail_layout(spec)
    bg = spec.privileged.roles.get("break_glass")
    if bg is not None and lay is not None and lay.cloudwatch_logs and lay.sns:
        arn = spec.arn("iam", f"role{bg.iam_path}{bg.name}")
        alarm = {
            "name": BREAK_GLASS_ALARM_NAME,
            "log_group_name": lay.log_group_name,
            "pattern": break_glass_pattern(arn),
            "namespace": NAMESPACE,
            "description": f"Someone assumed the break-glass role {bg.name} (iamforge)",
            "topic_arn": lay.topic_arn,
        }
    audiences = github_audiences(spec)
    return {
        "roles": roles,
        "role_policies": role_policies,
        "role_policies_by_role": {n: [role_policies[k]["name"] for k in r["inline_policy_keys"]]
                                  for n, r in roles.items()},
        "attachments": attachments,
        "attachment_skips": suppressions("privileged.break_glass") if attachments else (),
        "apply_boundary": {"policy": _managed_policy(spec, boundary), "skips": suppressions("boundaries.policy")}
        if boundary is not None else None,
        "kinds": {r.name: KINDS[k] for k, r in spec.privileged.roles.items()},
        "risks": {r.name: RISKS[k] for k, r in spec.privileged.roles.items()},
        "apply": spec.privileged.apply,
        "plan": spec.privileged.plan,
        "alarm": alarm,
        "tags": dict(spec.tags.common),
        # Who creates the account's GitHub provider is settled by place_github().
        "github": {"url": GITHUB_OIDC_URL, "client_id_list": audiences, "tags": dict(spec.tags.common)}
        if audiences else None,
        "depends_on": [],
        "args": {},
    }


def place_github(privileged: dict[str, Any] | None, owner: dict[str, Any] | None, owner_ref: str,
                 cloudtrail: bool) -> None:
    """One GitHub OIDC provider per account: when ``owner`` (the roles module's or the baseline's
    provider attributes) exists, it also takes the privileged roles' audiences and this module waits
    for ``owner_ref``; otherwise this module creates the provider. The break-glass alarm takes the
    trail's log group and topic as inputs (``args``) from the cloudtrail module's outputs."""
    if privileged is None:
        return
    depends: list[str] = []
    if privileged["github"] is not None and owner is not None:
        owner["client_id_list"] = sorted({*owner["client_id_list"], *privileged["github"]["client_id_list"]})
        privileged["github"] = None
        depends.append(owner_ref)
    privileged["depends_on"] = depends
    if privileged["alarm"] and cloudtrail:
        privileged["args"] = {"alarm_topic_arn": Expr("module.cloudtrail.alarm_topic_arn"),
                              "log_group_arn": Expr("module.cloudtrail.log_group_arn")}
