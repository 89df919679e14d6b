"""The hand-written baseline for benchmark 3: the same IAM principals in the style most teams write.

One ``data "aws_iam_policy_document"`` per policy document, one resource block per role,
policy, group, user and attachment, no ``for_each``: what a team writes when it copies the
AWS provider documentation's examples. The documents are the ones iamforge builds for the
spec, so both roots create the same principals with the same permissions.
"""
from __future__ import annotations

import re
from typing import Any

from generator.policies import build
from generator.render.escape import hcl_string
from generator.spec.model import Spec

_IDENT = re.compile(r"[^A-Za-z0-9_]")


def ident(text: str) -> str:
    """A Terraform identifier for a name (``d0001-r002`` -> ``d0001_r002``)."""
    return "x_" + _IDENT.sub("_", text)


def q(value: Any) -> str:
    """An HCL string literal (``${aws:username}`` kept literal as ``$${aws:username}``)."""
    return hcl_string(str(value))


def _list(values: Any) -> str:
    items = values if isinstance(values, list) else [values]
    return "[" + ", ".join(q(v) for v in items) + "]"


def _statement(stmt: dict[str, Any]) -> str:
    """One ``statement`` block of a policy-document data source."""
    lines = ["  statement {"]
    if stmt.get("Sid"):
        lines.append(f"    sid    = {q(stmt['Sid'])}")
    lines.append(f"    effect = {q(stmt.get('Effect', 'Allow'))}")
    for key, attr in (("Action", "actions"), ("NotAction", "not_actions"), ("Resource", "resources"),
                      ("NotResource", "not_resources")):
        if key in stmt:
            lines.append(f"    {attr} = {_list(stmt[key])}")
    principal = stmt.get("Principal")
    if principal == "*":
        principal = {"*": ["*"]}
    for ptype, ids in (principal or {}).items():
        lines += ["    principals {", f"      type        = {q(ptype)}",
                  f"      identifiers = {_list(ids)}", "    }"]
    for test, keys in (stmt.get("Condition") or {}).items():
        for variable, values in keys.items():
            lines += ["    condition {", f"      test     = {q(test)}",
                      f"      variable = {q(variable)}", f"      values   = {_list(values)}", "    }"]
    lines.append("  }")
    return "\n".join(lines)


def document(name: str, doc: dict[str, Any]) -> str:
    """A ``data "aws_iam_policy_document"`` block for ``doc``."""
    statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    return "\n".join([f'data "aws_iam_policy_document" "{name}" {{', *map(_statement, statements), "}", ""])


def _tags(tags: dict[str, str]) -> str:
    return "  tags = {\n" + "".join(f"    {q(k)} = {q(v)}\n" for k, v in sorted(tags.items())) + "  }\n"


def baseline(spec: Spec) -> dict[str, str]:
    """The baseline root module as files (``main.tf``), for the roles, groups and users of ``spec``."""
    policies = build(spec)
    out = ['terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
           '      version = ">= 5.0"\n    }\n  }\n}\n',
           f'provider "aws" {{\n  region              = "{spec.account.regions[0]}"\n'
           f'  allowed_account_ids = ["{spec.account.id}"]\n  skip_metadata_api_check = true\n}}\n']
    boundary_ref: dict[str, str] = {}
    for doc in policies.of_kind("boundary"):
        name = ident(doc.key)
        out.append(document(name, doc.document))
        out.append(f'resource "aws_iam_policy" "{name}" {{\n  name   = {q(doc.name)}\n'
                   f'  policy = data.aws_iam_policy_document.{name}.json\n}}\n')
        for _kind, principal in doc.attachments:
            boundary_ref[principal] = f"aws_iam_policy.{name}.arn"
    for dept in spec.departments.values():
        group = ident(dept.group_name)
        out.append(f'resource "aws_iam_group" "{group}" {{\n  name = {q(dept.group_name)}\n'
                   f'  path = "/{dept.key}/"\n}}\n')
        for user in dept.users:
            u = ident(user.name)
            pb = f"  permissions_boundary = {boundary_ref[user.name]}\n" if user.name in boundary_ref else ""
            out.append(f'resource "aws_iam_user" "{u}" {{\n  name = {q(user.name)}\n'
                       f'  path = {q(user.iam_path)}\n{pb}  force_destroy = true\n{_tags(user.tags)}}}\n')
            out.append(f'resource "aws_iam_user_group_membership" "{u}" {{\n  user   = aws_iam_user.{u}.name\n'
                       f'  groups = [aws_iam_group.{group}.name]\n}}\n')
    for doc in policies.of_kind("identity"):
        name = ident(doc.key)
        out.append(document(name, doc.document))
        if doc.managed:
            out.append(f'resource "aws_iam_policy" "{name}" {{\n  name   = {q(doc.name)}\n'
                       f'  policy = data.aws_iam_policy_document.{name}.json\n}}\n')
        for kind, principal in doc.attachments:
            target = ident(principal)
            attach = f"{name}_{target}"
            if doc.managed:
                out.append(f'resource "aws_iam_{kind}_policy_attachment" "{attach}" {{\n'
                           f'  {kind} = aws_iam_{kind}.{target}.name\n  policy_arn = aws_iam_policy.{name}.arn\n}}\n')
            else:
                out.append(f'resource "aws_iam_{kind}_policy" "{attach}" {{\n  name   = {q(doc.name)}\n'
                           f'  {kind} = aws_iam_{kind}.{target}.name\n'
                           f'  policy = data.aws_iam_policy_document.{name}.json\n}}\n')
    for role in spec.roles:
        r = ident(role.name)
        trust = policies.trust_of(role.name)
        assert trust is not None
        out.append(document(f"{r}_trust", trust.document))
        pb = f"  permissions_boundary = {boundary_ref[role.name]}\n" if role.name in boundary_ref else ""
        out.append(f'resource "aws_iam_role" "{r}" {{\n  name = {q(role.name)}\n'
                   f'  path = {q(role.iam_path)}\n  description = {q(role.description)}\n'
                   f'  max_session_duration = {role.max_session_hours * 3600}\n'
                   f'  assume_role_policy = data.aws_iam_policy_document.{r}_trust.json\n{pb}{_tags(role.tags)}}}\n')
        for i, arn in enumerate(role.managed_policies):
            out.append(f'resource "aws_iam_role_policy_attachment" "{r}_{i}" {{\n  role       = aws_iam_role.{r}.name\n'
                       f'  policy_arn = {q(arn)}\n}}\n')
    if any(r.trust.github_oidc for r in spec.roles):
        out.append('resource "aws_iam_openid_connect_provider" "github" {\n'
                   '  url            = "https://token.actions.githubusercontent.com"\n'
                   '  client_id_list = ["sts.amazonaws.com"]\n}\n')
    return {"main.tf": "\n".join(out)}
