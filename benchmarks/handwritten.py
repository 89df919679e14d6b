"""The hand-written baseline for benchmark 3: the same IAM in the style most teams write.

One ``data "aws_iam_policy_document"`` per policy document and one resource block per role,
policy, group, user, membership and attachment, no ``for_each``: what a team writes when it
copies the AWS provider documentation's examples. It is like for like with the generated
root: the documents are the ones iamforge builds for the spec, and every attribute iamforge
sets (policy paths and descriptions, group paths, tags, boundaries, session lengths, the
password policy and account alias, the OIDC provider) is set the same way, so both roots
create the same IAM. Like the generated modules it holds each principal's inline policies
and managed attachments exclusively (``*_exclusive`` resources), unless asked not to.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.policies import IAMFORGE_POLICY_PATH, PolicyDoc, PolicySet, build
from generator.render.context_iam import GITHUB_OIDC_URL, password_policy_context
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


def _value(value: Any) -> str:
    """An HCL literal for a bool, number or string attribute."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int) else q(value)


def _tags(tags: dict[str, str]) -> str:
    return "  tags = {\n" + "".join(f"    {q(k)} = {q(v)}\n" for k, v in sorted(tags.items())) + "  }\n"


def _managed_policy(name: str, doc: PolicyDoc, tags: dict[str, str]) -> str:
    """A customer-managed policy at iamforge's path, as the generated boundaries and MFA modules write it."""
    return (f'resource "aws_iam_policy" "{name}" {{\n  name        = {q(doc.name)}\n'
            f'  path        = {q(IAMFORGE_POLICY_PATH)}\n  description = {q(doc.description)}\n'
            f'  policy      = data.aws_iam_policy_document.{name}.json\n{_tags(tags)}}}\n')


def _exclusive(kind: str, target: str, attr: str, refs: list[str]) -> str:
    """``aws_iam_<kind>_policies_exclusive`` or ``..._policy_attachments_exclusive`` for one principal."""
    resource = "policies_exclusive" if attr == "policy_names" else "policy_attachments_exclusive"
    return (f'resource "aws_iam_{kind}_{resource}" "{target}" {{\n'
            f'  {kind}_name = aws_iam_{kind}.{target}.name\n  {attr} = [{", ".join(refs)}]\n}}\n')


@dataclass
class _Root:
    """The baseline's blocks as they are written, plus what the exclusive resources will list."""

    spec: Spec
    exclusive: bool
    policies: PolicySet
    blocks: list[str] = field(default_factory=list)
    boundary_ref: dict[str, str] = field(default_factory=dict)  # principal name => boundary ARN reference
    # (kind, identifier) of a principal => references to its inline policy names / attached policy ARNs.
    inline: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    attached: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def account(self) -> None:
        """Provider, password policy and account alias."""
        spec, pp = self.spec, password_policy_context(self.spec)
        self.blocks += ['terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
                        '      version = ">= 5.81"\n    }\n  }\n}\n',
                        f'provider "aws" {{\n  region              = "{spec.account.regions[0]}"\n'
                        f'  allowed_account_ids = ["{spec.account.id}"]\n  skip_metadata_api_check = true\n}}\n',
                        'resource "aws_iam_account_password_policy" "this" {\n'
                        + "".join(f"  {k} = {_value(v)}\n" for k, v in pp["attributes"].items() if v is not None)
                        + "}\n"]
        if pp["alias"]:
            self.blocks.append(f'resource "aws_iam_account_alias" "this" {{\n  account_alias = {q(pp["alias"])}\n}}\n')

    def boundaries(self) -> None:
        """One managed policy per boundary; remembers who carries which."""
        for doc in self.policies.of_kind("boundary"):
            name = ident(doc.key)
            self.blocks += [document(name, doc.document), _managed_policy(name, doc, self.spec.tags.common)]
            for _kind, principal in doc.attachments:
                self.boundary_ref[principal] = f"aws_iam_policy.{name}.arn"

    def _boundary(self, principal: str) -> str:
        ref = self.boundary_ref.get(principal)
        return f"  permissions_boundary = {ref}\n" if ref else ""

    def departments(self) -> None:
        """Groups, users and each group's membership."""
        for dept in self.spec.departments.values():
            group = ident(dept.group_name)
            self.inline[("group", group)], self.attached[("group", group)] = [], []
            self.blocks.append(f'resource "aws_iam_group" "{group}" {{\n  name = {q(dept.group_name)}\n'
                               '  path = "/"\n}\n')
            users = sorted(dept.users, key=lambda u: u.name)
            for user in users:
                self.blocks.append(f'resource "aws_iam_user" "{ident(user.name)}" {{\n  name = {q(user.name)}\n'
                                   f'  path = {q(user.iam_path)}\n{self._boundary(user.name)}{_tags(user.tags)}}}\n')
            if users:
                members = ", ".join(f"aws_iam_user.{ident(u.name)}.name" for u in users)
                self.blocks.append(f'resource "aws_iam_group_membership" "{group}" {{\n'
                                   f'  name  = {q(dept.group_name + "-members")}\n'
                                   f'  group = aws_iam_group.{group}.name\n  users = [{members}]\n}}\n')

    def identity_policies(self) -> None:
        """Inline and managed identity policies of the roles and groups, one resource per attachment."""
        # Principals of this root: the CloudTrail module's own role, say, is not one of them.
        principals = ({("role", r.name) for r in self.spec.roles}
                      | {("group", d.group_name) for d in self.spec.departments.values()})
        for doc in self.policies.of_kind("identity"):
            reaches = [(kind, principal) for kind, principal in doc.attachments if (kind, principal) in principals]
            if not reaches:
                continue
            name = ident(doc.key)
            self.blocks.append(document(name, doc.document))
            if doc.managed:
                self.blocks.append(_managed_policy(name, doc, self.spec.tags.common))
            for kind, principal in reaches:
                target, attach = ident(principal), f"{name}_{ident(principal)}"
                if doc.managed:
                    self.blocks.append(f'resource "aws_iam_{kind}_policy_attachment" "{attach}" {{\n'
                                       f'  {kind} = aws_iam_{kind}.{target}.name\n'
                                       f'  policy_arn = aws_iam_policy.{name}.arn\n}}\n')
                    self.attached.setdefault((kind, target), []).append(
                        f"aws_iam_{kind}_policy_attachment.{attach}.policy_arn")
                else:
                    self.blocks.append(f'resource "aws_iam_{kind}_policy" "{attach}" {{\n  name   = {q(doc.name)}\n'
                                       f'  {kind} = aws_iam_{kind}.{target}.name\n'
                                       f'  policy = data.aws_iam_policy_document.{name}.json\n}}\n')
                    self.inline.setdefault((kind, target), []).append(f"aws_iam_{kind}_policy.{attach}.name")

    def roles(self) -> None:
        """Each role with its trust document and its AWS managed policy attachments."""
        for role in self.spec.roles:
            r = ident(role.name)
            self.inline.setdefault(("role", r), [])
            trust = self.policies.trust_of(role.name)
            assert trust is not None
            depends = "  depends_on = [aws_iam_openid_connect_provider.github]\n" if role.trust.github_oidc else ""
            self.blocks += [document(f"{r}_trust", trust.document),
                            f'resource "aws_iam_role" "{r}" {{\n  name = {q(role.name)}\n'
                            f'  path = {q(role.iam_path)}\n  description = {q(role.description)}\n'
                            f'  max_session_duration = {role.max_session_hours * 3600}\n'
                            f'  assume_role_policy = data.aws_iam_policy_document.{r}_trust.json\n'
                            f'{self._boundary(role.name)}{_tags(role.tags)}{depends}}}\n']
            refs = self.attached.setdefault(("role", r), [])
            for i, arn in enumerate(sorted(role.managed_policies)):
                self.blocks.append(f'resource "aws_iam_role_policy_attachment" "{r}_{i}" {{\n'
                                   f'  role       = aws_iam_role.{r}.name\n  policy_arn = {q(arn)}\n}}\n')
                refs.append(f"aws_iam_role_policy_attachment.{r}_{i}.policy_arn")
        audiences = sorted({r.trust.github_oidc.audience for r in self.spec.roles if r.trust.github_oidc})
        if audiences:
            self.blocks.append('resource "aws_iam_openid_connect_provider" "github" {\n'
                               f'  url            = {q(GITHUB_OIDC_URL)}\n  client_id_list = {_list(audiences)}\n'
                               f'{_tags(self.spec.tags.common)}}}\n')

    def exclusives(self) -> None:
        """One ``*_policies_exclusive`` and one ``*_policy_attachments_exclusive`` per role and group."""
        if self.exclusive:
            self.blocks += [_exclusive(kind, target, "policy_names", refs)
                            for (kind, target), refs in self.inline.items()]
            self.blocks += [_exclusive(kind, target, "policy_arns", refs)
                            for (kind, target), refs in self.attached.items()]


def baseline(spec: Spec, exclusive: bool = True) -> dict[str, str]:
    """The baseline root module as files (``main.tf``): the IAM of ``spec`` that iamforge generates.

    Same principals, documents, paths, descriptions, boundaries, tags, password policy and account
    alias as the generated root. With ``exclusive`` (the default, like for like) each role and group
    also holds its inline policies and managed attachments exclusively, as the generated modules do,
    with one ``*_exclusive`` resource per principal; ``exclusive=False`` gives the more common code
    without that guarantee, for comparison.
    """
    root = _Root(spec, exclusive, build(spec))
    root.account()
    root.boundaries()
    root.departments()
    root.identity_policies()
    root.roles()
    root.exclusives()
    return {"main.tf": "\n".join(root.blocks)}
